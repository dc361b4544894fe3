// Reading the outbox in tests. Private links are sealed in it (server/mail/sealing.ts); test apps
// use a known key so that a test can follow a link from a queued email, as its recipient would.
import { desc, eq } from 'drizzle-orm';
import { outboxMessages } from '../../db/schema/index.ts';
import type { Db } from '../../server/db/database.ts';
import { openSecrets } from '../../server/mail/sealing.ts';

/** Every test app seals private links in the outbox with this key (see testConfig). */
export const TEST_OUTBOX_KEY = '7e3c1f0a9b2d4e6f8a1c3e5f7092b4d6e8f0a2c4e6f8091b3d5f7a9c1e3f5a7c';

/** An outbox row's data with its sealed private links opened, as the sender sees it. */
export function emailData(row: { id: string; data: Record<string, unknown>; sealed: string | null }): Record<string, unknown> {
  return row.sealed ? { ...row.data, ...openSecrets(row.id, row.sealed, Buffer.from(TEST_OUTBOX_KEY, 'hex')) } : row.data;
}

/** The newest sign-in link emailed to an address, as a path. */
export async function latestSignInPath(db: Db, email: string): Promise<string> {
  const [row] = await db
    .select({ id: outboxMessages.id, data: outboxMessages.data, sealed: outboxMessages.sealed })
    .from(outboxMessages)
    .where(eq(outboxMessages.toAddress, email.toLowerCase()))
    .orderBy(desc(outboxMessages.createdAt))
    .limit(1);
  const signInPath = row ? emailData(row).signInPath : undefined;
  if (typeof signInPath !== 'string') throw new Error(`No sign-in email for ${email}`);
  return signInPath;
}
