// `npm run bench:booking-cpu`: the CPU one booking costs Convene's own process, measured
// at the service (confirmBookingRequest, as the bench's bookings case posts) without HTTP or the
// email sender, on a fresh database of the server in TEST_DATABASE_URL or DATABASE_URL. On a busy
// machine the rate says little; CPU per booking (process.cpuUsage) is what to compare.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { connectPostgres } from '../../server/db/database.ts';
import { confirmBookingRequest } from '../../server/registration/service.ts';
import { makeEvent, makeTicketType, requestBookings } from '../registration/fixtures.ts';

const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
if (!serverUrl) throw new Error('Set TEST_DATABASE_URL or DATABASE_URL');
const count = Number(process.env.BOOKINGS ?? 1500);
const concurrency = Number(process.env.BOOKING_CONCURRENCY ?? 8);
const name = `convene_booking_cpu_${randomBytes(4).toString('hex')}`;
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
// Statements sent while the measured bookings run: PostgreSQL's share of a booking follows them.
let statements = 0;
let counting = false;
const handle = connectPostgres(url.href, { max: 16, onQuery: () => void (counting && statements++) });
try {
  await handle.migrate();
  const { db } = handle;
  const event = await makeEvent(db, { capacity: 1000 });
  const type = await makeTicketType(db, event.id);
  const tokens = await requestBookings(
    db,
    event.id,
    type.id,
    Array.from({ length: count }, (_, i) => `cpu${i}@example.org`),
  );
  const context = { baseUrl: 'http://convene.test', paidMode: 'invoice' as const };
  const confirm = (token: string) => confirmBookingRequest(db, token, context);
  const warm = Math.min(200, Math.floor(count / 5));
  for (let i = 0; i < warm; i++) await confirm(tokens[i]!);
  const cpu = process.cpuUsage();
  const started = performance.now();
  counting = true;
  let next = warm;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await confirm(tokens[next++]!);
    }),
  );
  const used = process.cpuUsage(cpu);
  counting = false;
  const measured = count - warm;
  const ms = (used.user + used.system) / 1000 / measured;
  console.log(
    `${measured} bookings after ${warm} to warm up: ${ms.toFixed(2)} ms of Convene CPU each (user ${(used.user / 1000 / measured).toFixed(2)}), ${(statements / measured).toFixed(1)} statements each, ${Math.round(measured / ((performance.now() - started) / 1000))}/s`,
  );
} finally {
  await handle.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}
