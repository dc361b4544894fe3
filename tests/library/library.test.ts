// The library through real HTTP: organisers add items (files checked by their content, not their
// name), the public search finds them with PostgreSQL full-text search and filters by topic, kind
// and year, both the event an item came from and the event where it is launched show it, and an
// existing archive is imported from a spreadsheet and its files with a preview, per-row problems
// and progress.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, libraryItems } from '../../db/schema/index.ts';
import { type FilePart, htmlBytes, pdfBytes, pngBytes, postMultipart } from '../bursaries/support.ts';
import { signedInOrganiser } from '../proposals/support.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'librarian@example.org');
});
afterAll(async () => {
  await t?.close();
});

type Part = FilePart;

/** A multipart form as a browser sends it: the text fields first, then every file chosen. */
const postForm = (client: TestClient, url: string, fields: Record<string, string>, files: Part[]) => postMultipart(client, url, fields, files);

const pdf = (filename: string, field = 'file'): Part => ({ field, filename, contentType: 'application/pdf', data: pdfBytes });

describe('the library', () => {
  it('an organiser adds a report from a round table, launched at a later conference: both pages show it, and search finds it', async () => {
    const roundTable = await makeEvent(t.db, { title: 'Round table on peer support', type: 'round_table', slug: 'round-table-peer-support' });
    const conference = await makeEvent(t.db, { title: 'Annual social perspectives conference', type: 'conference', slug: 'annual-conference-lib' });
    const fields = {
      title: 'Listening to survivors: peer support report',
      summary: 'What people said at the round table about peer-led crisis services.',
      kind: 'report',
      topics: 'Peer support, crisis care',
      year: '2026',
      eventId: roundTable.id,
      launchEventId: conference.id,
      url: '',
    };
    const added = await postForm(organiser, '/organise/library/new', fields, [pdf('peer support report.pdf')]);
    expect(added.statusCode, added.body).toBe(303);
    const itemUrl = String(added.headers.location);

    const visitor = t.client();
    const item = await visitor.get(itemUrl);
    expect(item.body).toContain('Listening to survivors: peer support report');
    // The conference is still to come: the report is to be launched there, not launched yet.
    expect(item.body).toContain('To be launched at');
    expect(item.body).not.toContain('>Launched at<');
    const file = await visitor.get(`${itemUrl}/file`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe('attachment; filename="peer support report.pdf"');

    expect((await visitor.get(`/events/${roundTable.slug}`)).body).toContain('Listening to survivors: peer support report');
    const conferencePage = await visitor.get(`/events/${conference.slug}`);
    expect(conferencePage.body).toContain('To be launched at this event');
    expect(conferencePage.body).toContain('Listening to survivors: peer support report');
    // Once the conference has begun, it was launched there.
    await t.db
      .update(events)
      .set({ startsAt: new Date(Date.now() - 86_400_000), endsAt: new Date(Date.now() - 82_800_000) })
      .where(eq(events.id, conference.id));
    expect((await visitor.get(itemUrl)).body).toContain('>Launched at<');
    expect((await t.client().get(`/events/${conference.slug}`)).body).toContain('>Launched at this event<');

    // Full-text search: a word from the title, a stemmed word, a word from the summary.
    for (const q of ['survivors', 'survivor', 'crisis services', 'listening']) {
      expect((await visitor.get(`/library?q=${encodeURIComponent(q)}`)).body, q).toContain('Listening to survivors');
    }
    expect((await visitor.get('/library?q=housing')).body).not.toContain('Listening to survivors');
    // Stray punctuation is a search, not an error.
    expect((await visitor.get(`/library?q=${encodeURIComponent('"peer & (support')}`)).statusCode).toBe(200);
    // Filters.
    expect((await visitor.get('/library?topic=peer%20support')).body).toContain('Listening to survivors');
    expect((await visitor.get('/library?kind=slides')).body).not.toContain('Listening to survivors');
    expect((await visitor.get('/library?year=2026&kind=report')).body).toContain('Listening to survivors');
    expect((await visitor.get('/library?year=2020')).body).not.toContain('Listening to survivors');
  });

  it('checks a file by its content, not its name, and keeps what was typed', async () => {
    const refused = await postForm(organiser, '/organise/library/new', { title: 'A page pretending', kind: 'report', year: '2025', topics: 'tricks' }, [
      { field: 'file', filename: 'report.pdf', contentType: 'application/pdf', data: htmlBytes },
    ]);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('The file must be a PDF, Word or PowerPoint file');
    expect(refused.body).toContain('value="A page pretending"');
    expect(await t.db.select().from(libraryItems).where(eq(libraryItems.title, 'A page pretending'))).toHaveLength(0);

    const noFile = await postForm(organiser, '/organise/library/new', { title: 'Nothing attached', kind: 'report', year: '2025' }, []);
    expect(noFile.statusCode).toBe(400);
    expect(noFile.body).toContain('Choose a file to upload, or enter a link');

    const badYear = await postForm(organiser, '/organise/library/new', { title: 'Old', kind: 'report', year: '1066', url: 'https://example.org/old' }, []);
    expect(badYear.statusCode).toBe(400);
    expect(badYear.body).toContain('Enter the year it was published');

    // A PNG named .pdf is kept as the PNG it is.
    const png = await postForm(organiser, '/organise/library/new', { title: 'A poster', kind: 'other', year: '2025' }, [
      { field: 'file', filename: 'poster.pdf', contentType: 'application/pdf', data: pngBytes },
    ]);
    expect(png.statusCode).toBe(303);
    const file = await t.client().get(`${String(png.headers.location)}/file`);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.headers['content-disposition']).toBe('attachment; filename="poster.png"');
  });

  it('an organiser edits an item: a link replaces the file', async () => {
    const added = await postForm(organiser, '/organise/library/new', { title: 'Slides on housing', kind: 'slides', year: '2024' }, [pdf('slides.pdf')]);
    const id = String(added.headers.location).split('/').pop()!;
    const changed = await postForm(
      organiser,
      `/organise/library/${id}/edit`,
      { title: 'Slides on housing and distress', kind: 'slides', year: '2024', url: 'https://example.org/slides' },
      [],
    );
    expect(changed.statusCode, changed.body).toBe(303);
    const [row] = await t.db.select().from(libraryItems).where(eq(libraryItems.id, id));
    expect(row!.title).toBe('Slides on housing and distress');
    expect(row!.content).toBeNull();
    expect((await t.client().get(`/library/${id}/file`)).statusCode).toBe(404);
  });

  it('imports an archive from a spreadsheet and its files: preview with per-row problems, then progress', async () => {
    await makeEvent(t.db, { title: 'Launch day 2025', type: 'launch_day', slug: 'launch-day-2025' });
    const csv = [
      'title,summary,kind,topics,year,event,launched at,link,file',
      'Launch day report,What happened at the launch,report,"launch, networks",2025,launch-day-2025,,,launch.pdf',
      'Network briefing,Short briefing,briefing,networks,2025,Launch day 2025,,,briefing.pdf',
      'Missing file,,report,,2025,,,,nowhere.pdf',
      'Bad kind,,leaflet,,2025,,,https://example.org/leaflet,',
      'Pretend PDF,,report,,2025,,,,fake.pdf',
      'Unknown event,,report,,2025,No such event,,https://example.org/x,',
      'An old toolkit,Toolkit for co-production,toolkit,co-production,2019,,,https://example.org/toolkit,',
    ].join('\n');
    const staged = await postForm(organiser, '/organise/library/import', {}, [
      { field: 'csv', filename: 'archive.csv', contentType: 'text/csv', data: Buffer.from(csv) },
      pdf('launch.pdf', 'files'),
      pdf('briefing.pdf', 'files'),
      { field: 'files', filename: 'fake.pdf', contentType: 'application/pdf', data: htmlBytes },
    ]);
    expect(staged.statusCode, staged.body).toBe(303);
    const progressUrl = String(staged.headers.location);
    const preview = await organiser.get(progressUrl);
    expect(preview.body).toContain('3 of 7 rows can be added; 4 have problems.');
    expect(preview.body).toContain('There is no file called “nowhere.pdf” among those uploaded');
    expect(preview.body).toContain('The kind “leaflet” is not one of');
    expect(preview.body).toContain('fake.pdf: it must be a PDF');
    expect(preview.body).toContain('There is no event called “No such event”');
    // Nothing is added before the organiser starts it.
    expect(await t.db.select().from(libraryItems).where(eq(libraryItems.title, 'Launch day report'))).toHaveLength(0);

    expect((await organiser.post(`${progressUrl}/start`)).statusCode).toBe(303);
    expect((await organiser.get(progressUrl)).body).toContain('Adding: 0 of 3 added so far');
    expect(await t.app.libraryJobs.runDue()).toBe(3);
    const done = await organiser.get(progressUrl);
    expect(done.body).toContain('Finished: 3 items added; 4 rows with problems not added.');
    const again = await organiser.post(`${progressUrl}/start`);
    expect(again.statusCode).toBe(303);

    const visitor = t.client();
    expect((await visitor.get('/events/launch-day-2025')).body).toContain('Network briefing');
    expect((await visitor.get('/library?topic=networks')).body).toContain('Launch day report');
    expect((await visitor.get('/library?q=toolkit')).body).toContain('An old toolkit');
  });

  it('refuses a spreadsheet it cannot use, on the form', async () => {
    const notCsv = await postForm(organiser, '/organise/library/import', {}, [
      { field: 'csv', filename: 'archive.csv', contentType: 'text/csv', data: Buffer.from('name,colour\nA,blue\n') },
    ]);
    expect(notCsv.statusCode).toBe(400);
    expect(notCsv.body).toContain('The spreadsheet needs a column headed “title” and “kind” and “year”');
    const none = await postForm(organiser, '/organise/library/import', {}, []);
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Choose the spreadsheet (CSV file) that lists the items');
  });

  it('gives organisers the template', async () => {
    const template = await organiser.get('/organise/library/import/template.csv');
    expect(template.statusCode).toBe(200);
    expect(template.body).toContain('title,summary,kind,topics,year,event,launched at,link,file');
  });

  it('is edited only by organisers', async () => {
    const member = await t.signedIn('reader@example.org');
    expect((await member.get('/organise/library/new')).statusCode).toBe(403);
    expect((await member.get('/organise/library/import')).statusCode).toBe(403);
  });
});
