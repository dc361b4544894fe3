// Private links to manage a booking without an account. Each email mints its own token (only its
// hash is stored), so a job can send a working link long after the booking was made.
import { eq } from 'drizzle-orm';
import { registrationLinks } from '../../db/schema/index.ts';
import { hashSecret, newSecret } from '../accounts/sessions.ts';
import type { Db } from '../db/database.ts';

export async function mintManagePath(tx: Db, registrationId: string): Promise<string> {
  const token = newSecret();
  await tx.insert(registrationLinks).values({ tokenHash: hashSecret(token), registrationId });
  return `/bookings/${token}`;
}

export async function registrationIdForToken(db: Db, token: string): Promise<string | null> {
  const [row] = await db
    .select({ registrationId: registrationLinks.registrationId })
    .from(registrationLinks)
    .where(eq(registrationLinks.tokenHash, hashSecret(token)));
  return row?.registrationId ?? null;
}
