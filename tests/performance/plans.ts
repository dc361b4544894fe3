// What the query-plan tests read of PostgreSQL's EXPLAIN (FORMAT JSON).
import type postgres from 'postgres';

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Parent Relationship'?: string;
  /** With ANALYZE only. */
  'Actual Loops'?: number;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

/** How PostgreSQL runs a statement the app sent, with its parameters; `analyze` runs it too. */
export async function planOf(sql: postgres.Sql, text: string, parameters: unknown[], options: { analyze?: boolean } = {}): Promise<PlanNode> {
  const [row] = await sql.unsafe(`explain (${options.analyze ? 'analyze, ' : ''}format json) ${text}`, parameters as never[]);
  return (row as unknown as { 'QUERY PLAN': { Plan: PlanNode }[] })['QUERY PLAN'][0]!.Plan;
}
