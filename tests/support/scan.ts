// Searches every row of every table for a piece of text, to prove that erased data is gone from
// every copy (a table added later is searched too).
import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/database.ts';

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** Each row (as JSON text) that contains `needle`, case-insensitively, with its table. */
export async function rowsMentioning(db: Db, needle: string): Promise<{ table: string; row: string }[]> {
  const tables = rowsOf<{ name: string }>(
    await db.execute(sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`),
  );
  const found: { table: string; row: string }[] = [];
  const pattern = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  for (const { name } of tables) {
    const rows = rowsOf<{ row: string }>(
      await db.execute(sql`select row_to_json(t)::text as row from ${sql.identifier(name)} t where row_to_json(t)::text ilike ${pattern}`),
    );
    for (const { row } of rows) found.push({ table: name, row });
  }
  return found;
}
