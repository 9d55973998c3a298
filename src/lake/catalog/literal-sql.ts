/**
 * Catalog statements with their `$n` parameters written in as literals, so that several can be
 * sent to the catalog as one script (one round trip instead of one per statement). The literal
 * forms are read alike by DuckDB and PostgreSQL (standard_conforming_strings): NULL, TRUE/FALSE,
 * integers, finite decimals and '...' strings. Values without such a form (bytes, strings holding
 * NUL, non-finite numbers) make the statement unrenderable; it then runs with bound parameters.
 */

function literal(v: unknown): string | undefined {
  if (v === null || v === undefined) return 'NULL';
  switch (typeof v) {
    case 'boolean':
      return v ? 'TRUE' : 'FALSE';
    case 'bigint':
      return v.toString();
    case 'number':
      if (!Number.isFinite(v)) return undefined;
      return Number.isInteger(v) ? v.toFixed(0) : String(v);
    case 'string':
      return v.includes('\u0000') ? undefined : "'" + v.replace(/'/g, "''") + "'";
    default:
      return undefined;
  }
}

/** `sql` with `$1`, `$2`, ... replaced by the literals of `params`; undefined when one has none. */
export function renderLiteralSql(sql: string, params: readonly unknown[]): string | undefined {
  if (params.length === 0) return sql;
  const values = params.map(literal);
  if (values.some((v) => v === undefined)) return undefined;
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      // Quoted text is copied as it is (a `$1` inside it is not a parameter).
      const end = sql.indexOf(ch, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < sql.length && /[0-9]/.test(sql[j]!)) j++;
      const n = Number(sql.slice(i + 1, j));
      if (n < 1 || n > values.length) return undefined;
      out += values[n - 1];
      i = j;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}
