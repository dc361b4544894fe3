// Ids in routes: every id a route reads (path, query or form field) declares its format, so a
// malformed one is a missing page or a message on the form, and never reaches PostgreSQL (where
// it would be a 500). The app's validator makes `format: 'uuid'` as strict as PostgreSQL.
import { Type, type TSchemaOptions } from 'typebox';

export const Uuid = Type.String({ format: 'uuid' });

/** A choice of record that may be left empty (a select's "none" option): '' or an id. */
export function UuidOrEmpty(options: TSchemaOptions & { title: string; errorMessage?: string }) {
  return Type.Union([Type.Literal(''), Uuid], options);
}
