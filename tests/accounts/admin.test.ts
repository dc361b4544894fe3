import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, outboxMessages, people, roleGrants } from '../../db/schema/index.ts';
import { ensureAdmins } from '../../server/accounts/people.ts';
import { MAX_LINKS_PER_IP } from '../../server/accounts/sign-in.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let admin: TestClient;

async function personId(email: string): Promise<string> {
  const [row] = await t.db.select({ id: people.id }).from(people).where(eq(people.email, email));
  return row!.id;
}

beforeAll(async () => {
  t = await startTestApp();
  await ensureAdmins(t.db, ['chair@example.org']);
  admin = await t.signedIn('chair@example.org');
});
afterAll(async () => {
  await t.close();
});

describe('managing roles', () => {
  it('lets an admin make someone an organiser, tells them, records it, and takes it away again', async () => {
    const member = await t.signedIn('steering@example.org');
    expect((await member.get('/admin/people')).statusCode).toBe(403);
    const id = await personId('steering@example.org');

    const list = await admin.get('/admin/people?q=steering');
    expect(list.body).toContain('steering@example.org');
    expect(list.body).not.toContain('chair@example.org');

    expect((await admin.post(`/admin/people/${id}/roles`, { role: 'organiser', change: 'grant' })).statusCode).toBe(303);
    const [mail] = await t.db
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.toAddress, 'steering@example.org'), eq(outboxMessages.template, 'role-granted')));
    expect(mail?.subject).toContain('organiser');
    const audit = await t.db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.subjectId, id), eq(auditEntries.action, 'account.role.granted')));
    expect(audit).toHaveLength(1);
    // The member's existing session sees the new role at once.
    expect((await member.get('/admin')).statusCode).toBe(403);
    expect((await member.get('/')).body).toContain('Your account');

    expect((await admin.post(`/admin/people/${id}/roles`, { role: 'organiser', change: 'remove' })).statusCode).toBe(303);
    const grants = await t.db.select().from(roleGrants).where(eq(roleGrants.personId, id));
    expect(grants).toEqual([]);
  });

  it('never removes the last admin', async () => {
    const id = await personId('chair@example.org');
    const response = await admin.post(`/admin/people/${id}/roles`, { role: 'admin', change: 'remove' });
    expect(response.statusCode).toBe(303);
    expect(response.headers['x-error-code']).toBe('last_admin');
    expect((await admin.get('/admin/people')).body).toContain('There must always be at least one admin');
    expect((await admin.get('/admin')).statusCode).toBe(200);
  });

  it('refuses a role that does not exist', async () => {
    const id = await personId('chair@example.org');
    const response = await admin.post(`/admin/people/${id}/roles`, { role: 'superuser', change: 'grant' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('There is a problem');
  });

  it('shows the audit log to admins only', async () => {
    const page = await admin.get('/admin/audit');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('account.role.granted');
    // Each entry reads as a sentence, not only as a code.
    expect(page.body).toMatch(/gave someone a role\./);
    const organiser = await t.signedIn('someone@example.org');
    expect((await organiser.get('/admin/audit')).statusCode).toBe(403);
    expect((await t.client().get('/admin/audit')).statusCode).toBe(303);
  });
});

describe('sign-in limits per IP address', () => {
  it('refuses more links from one address than the limit, whatever the email', async () => {
    const visitor = t.client();
    let refused = 0;
    for (let i = 0; i < MAX_LINKS_PER_IP + 1; i++) {
      const response = await visitor.post('/sign-in', { email: `spray${i}@example.org` });
      if (response.statusCode === 429) {
        refused++;
        expect(response.body).toContain('several sign-in links');
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});
