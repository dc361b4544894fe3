// Attack: server/http/errors.ts no longer turns an error that carries a client status (<500) into
// a 503 when it (or its cause) has an ECONNRESET-like code. With the database really unreachable,
// every kind of request must still get the calm 503, never a 4xx that blames the visitor, a
// redirect to sign in, or a 500.
import net from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people, registrations } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { connectPostgres } from '../../server/db/database.ts';
import { mintManagePath } from '../../server/registration/links.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, usingRealPostgres, type TestDatabase } from '../support/database.ts';

let backing: TestDatabase;
let proxy: net.Server;
const sockets = new Set<net.Socket>();
let t: TestApp;
let handle: ReturnType<typeof connectPostgres>;

beforeAll(async () => {
  if (!usingRealPostgres) return;
  backing = await createTestDatabase();
  const target = new URL(backing.url!);
  proxy = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const via = new URL(backing.url!);
  via.port = String((proxy.address() as net.AddressInfo).port);
  handle = connectPostgres(via.href, { max: 4 });
  t = await startTestApp({ database: { ...handle, url: via.href }, logsErrorsBecause: 'the database is cut off on purpose' });
}, 120_000);
afterAll(async () => {
  if (!usingRealPostgres) return;
  await t?.close().catch(() => {});
  await handle?.close().catch(() => {});
  await backing?.close();
});

describe.runIf(usingRealPostgres)('the database cut off', () => {
  it('gives every request a 503, whoever asks and whatever it sends', async () => {
    const organiser = await t.signedIn('down-organiser@example.org');
    const [me] = await t.db.select().from(people).where(eq(people.email, 'down-organiser@example.org'));
    await grantRole(t.db, null, me!.id, 'organiser');
    const member = await t.signedIn('down-member@example.org');
    const event = await makeEvent(t.db, { title: 'Outage seminar' });
    const type = await makeTicketType(t.db, event.id);
    const [booking] = await t.db
      .insert(registrations)
      .values({ eventId: event.id, ticketTypeId: type.id, status: 'confirmed', name: 'Down Booker', email: 'down-booker@example.org' })
      .returning();
    const managePath = await mintManagePath(t.db, booking!.id);
    const anonymous = t.client();
    await anonymous.get(`/events/${event.slug}/book`);
    await member.get(`/events/${event.slug}/book`);

    // Cut: every open connection reset, every new one refused.
    await new Promise<void>((resolve) => {
      proxy.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

    const seen: string[] = [];
    const check = async (who: string, send: () => Promise<{ statusCode: number; body: string }>) => {
      const res = await send();
      seen.push(`${who}: ${res.statusCode}`);
    };
    await check('anonymous GET manage link', () => anonymous.get(managePath));
    await check('anonymous GET manage link expired-style token', () => anonymous.get('/bookings/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
    await check('anonymous POST booking', () => anonymous.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'X', email: 'x@example.org' }));
    await check('member POST booking', () => member.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'X', email: 'down-member@example.org' }));
    await check('member GET your bookings', () => member.get('/account/bookings'));
    await check('member GET plan', () => member.get(`/plan/${event.id}`));
    await check('organiser GET attendees', () => organiser.get(`/organise/events/${event.slug}/attendees?q=x&page=2`));
    await check('organiser GET attendees.csv', () => organiser.get(`/organise/events/${event.slug}/attendees.csv`));
    await check('anonymous GET event page', () => anonymous.get(`/events/${event.slug}`));
    await check('anonymous GET certificate', () => anonymous.get(`${managePath}/certificate`));
    expect(
      seen.filter((s) => !s.endsWith(': 503')),
      seen.join('\n'),
    ).toEqual([]);
  }, 60_000);
});
