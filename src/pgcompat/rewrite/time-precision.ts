/**
 * Fractional-second precision, which DuckDB's time types do not take:
 *
 *   x::timestamp(0), CAST(x AS timestamptz(3)), x::time(2) → the value rounded to that many digits
 *                                                          (as PostgreSQL rounds), type without precision
 *   CURRENT_TIMESTAMP(0), LOCALTIMESTAMP(3)                → the same, rounded
 *   CURRENT_TIME(p), LOCALTIME(p)                          → without the precision
 *   CREATE TABLE t (ts timestamptz(3)), interval(6) casts  → the type without the precision
 */
import type { Token } from '../../sql/lexer.js';
import { constText, lastName, names, walk, type Node } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';

const TYPES = new Set(['timestamp', 'timestamptz', 'time', 'timetz', 'interval']);
const ROUNDED = new Set(['timestamp', 'timestamptz', 'time']);

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word' || tokens[i + 1]!.kind !== 'lparen') continue;
    if (['TIMESTAMP', 'TIMESTAMPTZ', 'TIME', 'TIMETZ', 'INTERVAL', 'CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'CURRENT_TIME', 'LOCALTIME'].includes(t.value)) return true;
  }
  return false;
}

/** `x` (SQL over __arg_x, of type `type`) rounded to `p` fractional digits. */
function rounded(type: string, p: number): string {
  const unit = 10 ** (6 - p);
  const v = `CAST(__arg_x AS ${type})`;
  return `(${v} + to_microseconds(CAST(round(epoch_us(${v}) / ${unit}.0) * ${unit} AS BIGINT) - epoch_us(${v})))`;
}

/** The type's precision when it has one DuckDB refuses ((p) on a time type), else undefined. */
function precisionOf(tn: Node | undefined): { type: string; p: number } | undefined {
  const n = names(tn?.names);
  if (!tn || n.length === 0 || n.length > 2 || (n.length === 2 && n[0] !== 'pg_catalog') || tn.arrayBounds) return undefined;
  const type = lastName(tn.names);
  let mods = tn.typmods as Node[] | undefined;
  if (!TYPES.has(type) || !mods) return undefined;
  // interval(p) is [all fields, p]; [fields] and [fields, p] are field qualifiers (interval '1'
  // day, the type-names rule's business), not a precision.
  if (type === 'interval') {
    if (mods.length !== 2 || constText(mods[0]) !== '32767') return undefined;
    mods = [mods[1]!];
  }
  if (mods.length !== 1) return undefined;
  const p = Number(constText(mods[0]));
  return Number.isInteger(p) ? { type, p } : undefined;
}

const SVF: Record<string, { op: string; type?: string }> = {
  SVFOP_CURRENT_TIMESTAMP_N: { op: 'SVFOP_CURRENT_TIMESTAMP', type: 'timestamptz' },
  SVFOP_LOCALTIMESTAMP_N: { op: 'SVFOP_LOCALTIMESTAMP', type: 'timestamp' },
  SVFOP_CURRENT_TIME_N: { op: 'SVFOP_CURRENT_TIME' },
  SVFOP_LOCALTIME_N: { op: 'SVFOP_LOCALTIME' },
};

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind === 'TypeCast') {
      const prec = precisionOf(p.typeName);
      if (!prec) return;
      delete p.typeName.typmods;
      changed = true;
      if (!ROUNDED.has(prec.type) || prec.p >= 6 || prec.p < 0) return;
      return expr(rounded(prec.type, prec.p), { x: p.arg as Node });
    }
    if (kind === 'ColumnDef') {
      if (precisionOf(p.typeName)) {
        delete p.typeName.typmods;
        changed = true;
      }
      return;
    }
    if (kind === 'SQLValueFunction') {
      const s = SVF[String(p.op)];
      if (!s) return;
      const digits = Number(p.typmod ?? 0);
      changed = true;
      const plain: Node = { SQLValueFunction: { op: s.op, typmod: -1 } };
      if (!s.type || digits >= 6) return { replace: plain, skip: true };
      return { replace: expr(rounded(s.type, digits), { x: plain }), skip: true };
    }
  });
  return changed;
}

export const timePrecision: RewriteRule = { name: 'time-precision', trigger, apply };
