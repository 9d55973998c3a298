/**
 * Statements whose result is a handful of rows known from their text: a SELECT (or VALUES) that
 * reads no relation. `SELECT 1`, `SELECT version()`, `SELECT $1::int`, driver pings and
 * session-value queries are of this kind. Their results are materialized by DuckDB in one call
 * instead of being streamed chunk by chunk (each DuckDB call is a round trip through libuv's
 * thread pool); the row count is bounded by the statement text, so memory stays bounded.
 */
import type { Token } from './lexer.js';

/**
 * Words that make rows out of a statement without a FROM clause (`SELECT unnest(...)`), or that
 * only occur in statements reading relations.
 */
const ROW_PRODUCERS = new Set(['FROM', 'UNNEST', 'TABLE', 'GENERATE_SUBSCRIPTS', 'QUERY', 'QUERY_TABLE']);

export function hasBoundedResult(tokens: readonly Token[]): boolean {
  const first = tokens[0];
  if (!first || first.kind !== 'word' || (first.value !== 'SELECT' && first.value !== 'VALUES')) return false;
  for (const t of tokens) if (t.kind === 'word' && ROW_PRODUCERS.has(t.value)) return false;
  return true;
}
