// The Hub's name is never lent to spam: a proposal invites at most five co-proposers; each is an
// invitation that nothing comes of until the invitee accepts it through a private link; what a
// member typed stays out of the subjects of emails to other people; and each account has a
// daily budget of emails to others, counted in the database.
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailBudgetDays, outboxMessages, people, proposalInvitations, proposalProposers, proposals } from '../../db/schema/index.ts';
import { hashSecret } from '../../server/secrets.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { acceptInvitation, completeProposal, idFrom, mailTo, personId, signedInOrganiser } from './support.ts';

let t: TestApp;
let author: TestClient;
beforeAll(async () => {
  t = await startTestApp({ env: { MAIL_BUDGET_PER_DAY: '12' } });
  author = await t.signedIn('inviter@example.org');
  await signedInOrganiser(t, 'steering@example.org');
});
afterAll(async () => {
  await t.close();
});

const addresses = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}@example.org`).join('\n');

async function proposalsTitled(title: string) {
  return t.db.select({ id: proposals.id }).from(proposals).where(eq(proposals.title, title));
}

async function personExists(email: string) {
  return (await t.db.select({ id: people.id }).from(people).where(eq(people.email, email))).length > 0;
}

describe('co-proposers', () => {
  it('are at most five: more is refused beside the field, with what was typed kept and nothing saved', async () => {
    const typed = addresses('six-', 6);
    const res = await author.post('/proposals', { ...completeProposal, title: 'Six friends', coProposerEmails: typed });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('href="#coProposerEmails"');
    expect(res.body).toContain('A proposal can have up to 5 co-proposers');
    expect(res.body).toContain('six-5@example.org');
    expect(await proposalsTitled('Six friends')).toHaveLength(0);
    expect(await mailTo(t.db, 'six-0@example.org', 'proposal-co-proposer')).toHaveLength(0);

    // Invitations not yet answered count too.
    const made = await author.post('/proposals', { ...completeProposal, title: 'Three then three', coProposerEmails: addresses('three-', 3) });
    const id = idFrom(made.headers.location, '/proposals');
    const more = await author.post(`/proposals/${id}/edit`, { ...completeProposal, title: 'Three then three', coProposerEmails: addresses('more-', 3) });
    expect(more.statusCode).toBe(400);
    expect(more.body).toContain('so you can invite 2 more');
    expect(more.body).toContain('Invited, not yet answered: three-0@example.org');
    expect(await t.db.select().from(proposalInvitations).where(eq(proposalInvitations.proposalId, id))).toHaveLength(3);
  });

  it('are invitations: no account or membership exists until the invitee accepts through the private link', async () => {
    const made = await author.post('/proposals', { ...completeProposal, title: 'Invite first', coProposerEmails: 'invitee@example.org' });
    const id = idFrom(made.headers.location, '/proposals');
    expect(await personExists('invitee@example.org')).toBe(false);
    expect(await t.db.select().from(proposalProposers).where(eq(proposalProposers.proposalId, id))).toHaveLength(1);
    // The author sees who is invited and has not answered yet.
    expect((await author.get(`/proposals/${id}`)).body).toContain('Invited to propose it with you, not yet answered: invitee@example.org.');

    const [mail] = await mailTo(t.db, 'invitee@example.org', 'proposal-co-proposer');
    const path = String(mail!.data.invitationPath);
    const token = path.split('/').pop()!;
    // At least 128 bits, and only its hash is stored.
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const [row] = await t.db.select().from(proposalInvitations).where(eq(proposalInvitations.proposalId, id));
    expect(row!.tokenHash).toBe(hashSecret(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row!.expiresAt.getTime()).toBeGreaterThan(Date.now());

    // Opening the link changes nothing; accepting does. Not signed in: the link proves the address.
    const visitor = t.client();
    const page = await visitor.get(path);
    expect(page.statusCode).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain('Invite first');
    expect(await personExists('invitee@example.org')).toBe(false);
    const accepted = await visitor.post(`${path}/accept`);
    expect(accepted.headers.location).toBe(`/sign-in?next=${encodeURIComponent(`/proposals/${id}`)}`);
    expect(
      await t.db
        .select()
        .from(proposalProposers)
        .where(eq(proposalProposers.personId, await personId(t.db, 'invitee@example.org'))),
    ).toHaveLength(1);
    // The link is used up.
    expect((await visitor.get(path)).statusCode).toBe(404);
    expect((await visitor.post(`${path}/accept`)).statusCode).toBe(404);
    const invitee = await t.signedIn('invitee@example.org');
    expect((await invitee.get(`/proposals/${id}`)).statusCode).toBe(200);
    // The history says the invitee accepted, not that they added someone.
    const seen = (await author.get(`/proposals/${id}`)).body;
    expect(seen).toContain('invitee@example.org</strong> accepted the invitation to propose this event');
    expect(seen).not.toContain('added a co-proposer');
    expect(seen).not.toContain('not yet answered');
  });

  it('cannot be accepted by someone signed in with another address, after expiry, or after declining', async () => {
    const made = await author.post('/proposals', { ...completeProposal, title: 'Refusals', coProposerEmails: 'wanted@example.org\nexpired@example.org' });
    const id = idFrom(made.headers.location, '/proposals');
    const pathTo = async (email: string) => String((await mailTo(t.db, email, 'proposal-co-proposer'))[0]!.data.invitationPath);

    const someoneElse = await t.signedIn('forwarded-to@example.org');
    expect((await someoneElse.get(await pathTo('wanted@example.org'))).body).toContain('You are signed in as forwarded-to@example.org');
    expect((await someoneElse.post(`${await pathTo('wanted@example.org')}/accept`)).statusCode).toBe(403);
    expect(await t.db.select().from(proposalProposers).where(eq(proposalProposers.proposalId, id))).toHaveLength(1);

    await t.db
      .update(proposalInvitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(proposalInvitations.email, 'expired@example.org'));
    expect((await t.client().get(await pathTo('expired@example.org'))).statusCode).toBe(404);
    expect((await t.client().post(`${await pathTo('expired@example.org')}/accept`)).statusCode).toBe(404);

    const declined = await t.client().post(`${await pathTo('wanted@example.org')}/decline`);
    expect(declined.statusCode).toBe(303);
    expect((await t.client().post(`${await pathTo('wanted@example.org')}/accept`)).statusCode).toBe(404);
    expect(await personExists('wanted@example.org')).toBe(false);
    expect(await t.db.select().from(proposalProposers).where(eq(proposalProposers.proposalId, id))).toHaveLength(1);
  });
});

describe('emails to other people', () => {
  it('carry nothing a member typed in their subjects; the body shows it, escaped', async () => {
    const spammer = await t.signedIn('named@example.org');
    await t.db.update(people).set({ displayName: 'WIN A PRIZE <b>now</b>' }).where(eq(people.email, 'named@example.org'));
    const title = 'Cheap pills at spam.example';
    const made = await spammer.post('/proposals', { ...completeProposal, title, coProposerEmails: 'subject-test@example.org' });
    const id = idFrom(made.headers.location, '/proposals');
    await acceptInvitation(t, 'subject-test@example.org');
    expect((await spammer.post(`/proposals/${id}/submit`)).statusCode).toBe(303);

    const sent = await t.db.select().from(outboxMessages).where(like(outboxMessages.template, 'proposal-%'));
    const mine = sent.filter((m) => JSON.stringify(m.data).includes(title));
    expect(new Set(mine.map((m) => m.template))).toEqual(new Set(['proposal-co-proposer', 'proposal-received', 'proposal-to-review']));
    for (const m of mine) {
      expect(m.subject).not.toContain('spam.example');
      expect(m.subject).not.toContain('WIN A PRIZE');
    }
    // Delivered, the body names the proposal and the inviter, escaped.
    for (;;) if ((await t.app.mail.deliverDue()).sent === 0) break;
    const [invitation] = await t.db
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.toAddress, 'subject-test@example.org'), eq(outboxMessages.template, 'proposal-co-proposer')));
    expect(invitation!.status).toBe('sent');
  });
});

describe('the daily email budget', () => {
  it('refuses an action that would send more than the day’s budget to others, saving nothing, and says why', async () => {
    const member = await t.signedIn('budget@example.org');
    const me = await personId(t.db, 'budget@example.org');
    // The budget is 12 a day here: five invitations, then five more, then two more is too many.
    for (const n of [1, 2]) {
      const res = await member.post('/proposals', { ...completeProposal, title: `Budget ${n}`, coProposerEmails: addresses(`budget${n}-`, 5) });
      expect(res.statusCode).toBe(303);
    }
    const over = await member.post('/proposals', { ...completeProposal, title: 'Budget 3', coProposerEmails: addresses('budget3-', 3) });
    expect(over.statusCode).toBe(429);
    expect(over.body).toContain('more emails to other people than one account may send in a day (12)');
    expect(over.body).toContain('budget3-2@example.org');
    expect(await proposalsTitled('Budget 3')).toHaveLength(0);
    expect(await mailTo(t.db, 'budget3-0@example.org', 'proposal-co-proposer')).toHaveLength(0);
    const [counted] = await t.db.select().from(mailBudgetDays).where(eq(mailBudgetDays.personId, me));
    expect(counted!.sent).toBe(10);

    // Sending a proposal to the steering group and its co-proposers counts too.
    const [first] = await proposalsTitled('Budget 1');
    for (let i = 0; i < 5; i++) await acceptInvitation(t, `budget1-${i}@example.org`);
    const submitted = await member.post(`/proposals/${first!.id}/submit`);
    expect(submitted.statusCode).toBe(303);
    expect((await member.get(`/proposals/${first!.id}`)).body).toContain('than one account may send in a day');
    const [row] = await t.db.select({ status: proposals.status }).from(proposals).where(eq(proposals.id, first!.id));
    expect(row!.status).toBe('draft');
    expect(await mailTo(t.db, 'steering@example.org', 'proposal-to-review')).toHaveLength(1);
  });
});
