// The text part of an email written in Markdown (announcements, messages about proposals) reads
// as plain text: no marks, links written out in full, lists and quotes laid out as words.
import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../emails/render.ts';
import { markdownToText } from '../../server/markdown.ts';

describe('Markdown as plain text', () => {
  it('drops the marks and writes links out', () => {
    const text = markdownToText(
      [
        '## Our autumn gathering',
        'Come to **our** _gathering_ at AT&T House: [book a place](https://hub.example.org/events/a), or write to [us](mailto:hello@hub.example.org) or <https://hub.example.org>.',
        '- travel paid\n- lunch\n  - vegan too',
        '3. arrive\n4. sign in',
        '> You said **more breaks**',
        '<b>typed</b> <script>alert(1)</script>',
      ].join('\n\n'),
    );
    expect(text).toBe(
      [
        'Our autumn gathering',
        'Come to our gathering at AT&T House: book a place (https://hub.example.org/events/a), or write to us (hello@hub.example.org) or https://hub.example.org.',
        '- travel paid\n- lunch\n  - vegan too',
        '3. arrive\n4. sign in',
        '  You said more breaks',
        'typed',
      ].join('\n\n'),
    );
  });

  it('makes links to the site whole in a proposal comment’s text part', () => {
    const mail = renderEmail(
      'proposal-comment',
      { name: 'Ash', title: 'Peer support', message: 'Please read **the guidance** [here](/about/proposals).', proposalPath: '/proposals/1' },
      { baseUrl: 'https://hub.example.org', siteName: 'Convene' },
    );
    expect(mail.text).toContain('Please read the guidance here (https://hub.example.org/about/proposals).');
    expect(mail.text).not.toContain('**');
  });
});
