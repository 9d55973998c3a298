/**
 * `serial` / `bigserial` / `smallserial` (`serial2/4/8`) columns and `GENERATED { ALWAYS | BY
 * DEFAULT } AS IDENTITY` in CREATE TABLE and ALTER TABLE: both need a sequence, and DuckLake has
 * none (the extension refuses CREATE SEQUENCE; DuckDB has no serial type and no identity
 * columns). Instead of DuckDB's "Type with name serial does not exist" (with its "Did you mean
 * real?") or "Constraint not implemented", the statement is refused with 0A000, the column named
 * and a hint saying what to use instead. Temporary tables (DuckDB's own) can use a DuckDB
 * sequence as the default, which the hint spells out.
 *
 * Nothing is rewritten: the rule only raises.
 */
import type { Token } from '../../sql/lexer.js';
import { PgError, SqlState } from '../../errors/pg-error.js';
import { names, walk, type Node } from '../ast.js';
import type { RewriteRule } from './rule.js';

/** PostgreSQL's serial pseudo-types and the integer type each stands for. */
const SERIAL: Record<string, string> = {
  serial: 'integer',
  serial4: 'integer',
  bigserial: 'bigint',
  serial8: 'bigint',
  smallserial: 'smallint',
  serial2: 'smallint',
};

const WORDS = new Set([...Object.keys(SERIAL).map((s) => s.toUpperCase()), 'IDENTITY']);

function trigger(tokens: readonly Token[]): boolean {
  const first = tokens[0];
  if (!first || first.kind !== 'word' || (first.value !== 'CREATE' && first.value !== 'ALTER')) return false;
  for (const t of tokens) if (t.kind === 'word' && WORDS.has(t.value)) return true;
  return false;
}

interface Offence {
  column: string;
  kind: 'serial' | 'identity';
  /** The serial spelling, or ALWAYS / BY DEFAULT. */
  spelling: string;
  /** The integer type to use instead (unknown for ALTER COLUMN ... ADD GENERATED). */
  type?: string;
}

/** The serial type a column definition names (`serial`, `pg_catalog.serial8`), if any. */
function serialOf(def: Node): string | undefined {
  const n = names(def.typeName?.names);
  if (n.length === 0 || n.length > 2 || (n.length === 2 && n[0] !== 'pg_catalog')) return undefined;
  if (def.typeName.arrayBounds) return undefined;
  const t = n[n.length - 1]!;
  return SERIAL[t] ? t : undefined;
}

const INT_TYPES: Record<string, string> = { int2: 'smallint', int4: 'integer', int8: 'bigint' };

function columnOffence(def: Node): Offence | undefined {
  const column = String(def.colname ?? '');
  const serial = serialOf(def);
  if (serial) return { column, kind: 'serial', spelling: serial, type: SERIAL[serial]! };
  for (const c of (def.constraints as Node[] | undefined) ?? []) {
    if (c.Constraint?.contype === 'CONSTR_IDENTITY') {
      const n = names(def.typeName?.names);
      const t = n[n.length - 1] ?? 'integer';
      return { column, kind: 'identity', spelling: c.Constraint.generated_when === 'd' ? 'BY DEFAULT' : 'ALWAYS', type: INT_TYPES[t] ?? t };
    }
  }
  return undefined;
}

/** PRIMARY KEY on the column or in the table's constraints (refused by DuckLake as well). */
function hasPrimaryKey(create: Node, def: Node): boolean {
  const isPk = (c: Node): boolean => c.Constraint?.contype === 'CONSTR_PRIMARY';
  if (((def.constraints as Node[] | undefined) ?? []).some(isPk)) return true;
  return ((create.tableElts as Node[] | undefined) ?? []).some(isPk);
}

const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

function refuse(o: Offence, table: string, temp: boolean, primaryKey: boolean): never {
  const what = o.kind === 'serial' ? `${o.spelling} columns are` : `identity columns (GENERATED ${o.spelling} AS IDENTITY) are`;
  const detail = `Column ${quote(o.column)} of table ${quote(table)} needs a sequence to number its rows.`;
  if (temp) {
    const seq = `${table}_${o.column}_seq`.replace(/"/g, '');
    throw new PgError(SqlState.featureNotSupported, `${what} not supported for temporary tables`, {
      detail,
      hint: `Create a sequence and use it as the column's default: CREATE TEMP SEQUENCE ${quote(seq)}; then declare ${quote(o.column)} ${o.type ?? 'bigint'} DEFAULT nextval('${seq.replace(/'/g, "''")}').`,
    });
  }
  const pk = primaryKey ? ' DuckLake has no PRIMARY KEY either: leave it out.' : '';
  throw new PgError(SqlState.featureNotSupported, `${what} not supported: DuckLake has no sequences`, {
    detail,
    hint: `${o.type ? `Declare the column ${o.type} and insert its values explicitly` : 'Insert the values explicitly'}, or use uuid DEFAULT gen_random_uuid() for generated keys.${pk}`,
  });
}

function apply(stmt: Node): boolean {
  walk(stmt, (kind, p) => {
    if (kind === 'CreateStmt') {
      const table = String(p.relation?.relname ?? '');
      const temp = p.relation?.relpersistence === 't' || p.relation?.schemaname === 'pg_temp';
      for (const el of (p.tableElts as Node[] | undefined) ?? []) {
        const def = el.ColumnDef as Node | undefined;
        const o = def && columnOffence(def);
        if (o) refuse(o, table, temp, hasPrimaryKey(p, def));
      }
      return false;
    }
    if (kind === 'AlterTableStmt') {
      const table = String(p.relation?.relname ?? '');
      const temp = p.relation?.schemaname === 'pg_temp';
      for (const c of (p.cmds as Node[] | undefined) ?? []) {
        const cmd = c.AlterTableCmd as Node | undefined;
        if (!cmd) continue;
        if (cmd.subtype === 'AT_AddIdentity') {
          const con = cmd.def?.Constraint as Node | undefined;
          refuse({ column: String(cmd.name ?? ''), kind: 'identity', spelling: con?.generated_when === 'd' ? 'BY DEFAULT' : 'ALWAYS' }, table, temp, false);
        }
        const def = cmd.def?.ColumnDef as Node | undefined;
        if (cmd.subtype === 'AT_AddColumn' && def) {
          const o = columnOffence({ ...def, colname: def.colname ?? cmd.name });
          if (o) refuse(o, table, temp, ((def.constraints as Node[] | undefined) ?? []).some((x) => x.Constraint?.contype === 'CONSTR_PRIMARY'));
        }
      }
      return false;
    }
  });
  return false;
}

export const serialColumns: RewriteRule = { name: 'serial-columns', trigger, apply };
