/**
 * RowDescription names and origins for a statement's result: PostgreSQL's column names
 * (column-names.ts) and table OID / attribute numbers (column-origins.ts), aligned with the
 * columns DuckDB returned. `*` stands for as many columns as the result has left over; where
 * the alignment cannot be determined (several `*` over relations of unknown width, a count
 * that does not match) DuckDB's names are kept. Statements PostgreSQL cannot parse (DuckDB's
 * dialect) keep DuckDB's names.
 */
import { parsePostgres, Lru } from './parse-cache.js';
import { withoutTimeTravel } from './time-travel-clauses.js';
import { statementTargets, type Target } from './column-names.js';
import { statementOrigins, type OriginContext } from './column-origins.js';
import type { Node } from './ast.js';
import { parameterTypes, resultTypes } from './catalog/result-types.js';

export interface ResultColumn {
  name: string;
  tableOid: number;
  attnum: number;
  /** PostgreSQL's type of the column where DuckDB's type cannot tell it (catalog/result-types.ts). */
  typeOid?: number;
  /** Its type modifier (with typeOid). */
  typeMod?: number;
}

export type { OriginContext };

const targetsCache = new Lru<string, { stmt: Node | null; targets: Target[] | undefined }>(2000, 2_000_000);
/** Statements longer than this keep DuckDB's names (parsing them would cost more than it tells). */
const MAX_TEXT = 1024 * 1024;

function targetsOf(text: string): { stmt: Node | null; targets: Target[] | undefined } {
  let e = targetsCache.get(text);
  if (!e) {
    const stmt = parsePostgres(withoutTimeTravel(text));
    e = { stmt, targets: stmt ? statementTargets(stmt) : undefined };
    if (text.length <= 64 * 1024) targetsCache.set(text, e, text.length);
  }
  return e;
}

const NO_TABLES: OriginContext = { table: () => undefined };

/**
 * The statement's result types (catalog/result-types.ts). They only refine RowDescription: a
 * tree shape the analysis does not expect leaves DuckDB's types rather than failing the query.
 */
function typesOf(stmt: Node, ctx: OriginContext | undefined): ReturnType<typeof resultTypes> {
  try {
    return resultTypes(stmt, ctx ?? NO_TABLES);
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL types the client's statement gives its parameters (`$1::oid[]`, `c.oid = $1`), for
 * ParameterDescription where DuckDB's parameter type cannot tell them.
 */
export function pgParameterTypes(text: string, ctx?: OriginContext): Map<number, number> | undefined {
  if (text.length > MAX_TEXT) return undefined;
  const { stmt } = targetsOf(text);
  if (!stmt) return undefined;
  try {
    return parameterTypes(stmt, ctx ?? NO_TABLES);
  } catch {
    return undefined; // as typesOf: DuckDB's parameter types stay
  }
}

/** Timing for the report (milliseconds, totals). */
export const resultColumnStats = { calls: 0, ms: 0 };

/**
 * The columns PostgreSQL would describe for `text` (the client's statement) given the names
 * DuckDB returned; undefined when DuckDB's names should stay.
 */
export function pgResultColumns(text: string, duckNames: readonly string[], ctx?: OriginContext): ResultColumn[] | undefined {
  if (text.length > MAX_TEXT) return undefined;
  const t0 = performance.now();
  try {
    const { stmt, targets } = targetsOf(text);
    if (!stmt || !targets) return undefined;
    const n = duckNames.length;
    const groups = ctx ? statementOrigins(stmt, ctx) : undefined;
    // Widths of the entries: 1 per column, the expansion of each `*` where it is known.
    const widths: (number | undefined)[] = targets.map((t, i) => (t.kind === 'column' ? 1 : groups?.[i]?.length));
    const unknown = widths.filter((w) => w === undefined).length;
    const known = widths.reduce<number>((a, w) => a + (w ?? 0), 0);
    if (unknown === 1) {
      const rest = n - known;
      if (rest < 0) return undefined;
      widths[widths.indexOf(undefined)] = rest;
    } else if (unknown === 0 && known !== n) return undefined;
    const out: ResultColumn[] = [];
    let pos = 0;
    for (let i = 0; i < targets.length && pos < n; i++) {
      const t = targets[i]!;
      const w = widths[i];
      if (w === undefined) break; // several `*` of unknown width: the rest keep DuckDB's names
      const cols = groups?.[i];
      for (let k = 0; k < w && pos < n; k++, pos++) {
        const origin = cols && cols.length === w ? cols[k]!.origin : null;
        out.push({ name: t.kind === 'column' ? t.name : duckNames[pos]!, tableOid: origin?.tableOid ?? 0, attnum: origin?.attnum ?? 0 });
      }
    }
    for (; pos < n; pos++) out.push({ name: duckNames[pos]!, tableOid: 0, attnum: 0 });
    const types = typesOf(stmt, ctx);
    if (types && types.length === n)
      types.forEach((t, i) => {
        if (t) Object.assign(out[i]!, { typeOid: t.oid, typeMod: t.typmod });
      });
    return out;
  } finally {
    resultColumnStats.calls++;
    resultColumnStats.ms += performance.now() - t0;
  }
}
