/**
 * PostgreSQL type names in casts and column definitions, as DuckDB reads them:
 *
 *  - `pg_catalog.`-qualified names lose the schema (`x::pg_catalog.int4`, `pg_catalog.text`);
 *  - types DuckDB does not have become the DuckDB type that holds their values: name, "char",
 *    tid, aclitem, pg_node_tree, pg_lsn, inet, cidr, macaddr, xml, tsvector, ... → text;
 *    jsonb → json; xid, xid8, cid, regoper, regconfig, ... → int8; int2vector → int2[],
 *    oidvector → oid[]; varbit → bit;
 *  - precision that DuckDB's time types do not take is dropped (timestamptz(3), time(0), interval(6));
 *  - field qualifiers of interval literals, which the deparser would drop with the type modifier
 *    (`INTERVAL '1' MONTH` would come out as `'1'::interval`, one second), move into the text:
 *    `'1 months'::interval`, `'1-2' YEAR TO MONTH` → `'1 years 2 months'`, `'3:30' MINUTE TO SECOND`
 *    → `'3 minutes 30 seconds'`; other texts carry their own units and stay.
 *
 * It also runs whenever another rewrite writes the statement out, so that the text never carries
 * names the deparser prints the PostgreSQL way (`pg_catalog.bpchar`, `pg_catalog.char` for "char").
 */
import type { Token } from '../../sql/lexer.js';
import { aConst, constText, lastName, names, str, stringConst, walk, type Node } from '../ast.js';
import type { RewriteRule } from './rule.js';

const MAPPED: Record<string, { name: string; array?: boolean }> = {
  name: { name: 'varchar' },
  char: { name: 'varchar' },
  tid: { name: 'text' },
  aclitem: { name: 'text' },
  pg_node_tree: { name: 'text' },
  pg_lsn: { name: 'text' },
  pg_snapshot: { name: 'text' },
  txid_snapshot: { name: 'text' },
  pg_ndistinct: { name: 'text' },
  pg_dependencies: { name: 'text' },
  pg_mcv_list: { name: 'text' },
  inet: { name: 'text' },
  cidr: { name: 'text' },
  macaddr: { name: 'text' },
  macaddr8: { name: 'text' },
  xml: { name: 'text' },
  tsvector: { name: 'text' },
  tsquery: { name: 'text' },
  citext: { name: 'text' },
  anyarray: { name: 'text' },
  jsonb: { name: 'json' },
  xid: { name: 'int8' },
  xid8: { name: 'int8' },
  cid: { name: 'int8' },
  regoper: { name: 'int8' },
  regoperator: { name: 'int8' },
  regconfig: { name: 'int8' },
  regdictionary: { name: 'int8' },
  regcollation: { name: 'int8' },
  int2vector: { name: 'int2', array: true },
  oidvector: { name: 'oid', array: true },
  varbit: { name: 'bit' },
};
/** DuckDB refuses type modifiers on these. */
const NO_TYPMOD = new Set(['time', 'timetz', 'timestamptz', 'interval']);
const WORDS = new Set(Object.keys(MAPPED).map((n) => n.toUpperCase()));

function trigger(tokens: readonly Token[]): boolean {
  // Column definitions: CREATE TABLE t (doc jsonb, ip inet), ALTER TABLE t ADD COLUMN x jsonb.
  const ddl = tokens[0]?.kind === 'word' && (tokens[0].value === 'CREATE' || tokens[0].value === 'ALTER');
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    const prev = tokens[i - 1]!;
    const castContext = (prev.kind === 'op' && (prev.value === '::' || prev.value === '.')) || (prev.kind === 'word' && prev.value === 'AS') || (ddl && (prev.kind === 'word' || prev.kind === 'qident'));
    if (!castContext) continue;
    if (t.kind === 'word' && WORDS.has(t.value)) return true;
    if (t.kind === 'qident' && t.value === 'char') return true;
    if (prev.value === '.' && tokens[i - 2]?.value === 'PG_CATALOG' && tokens[i + 1]?.kind !== 'lparen') return true;
  }
  return false;
}

/** Normalises one TypeName payload; true when it changed. */
export function normaliseTypeName(tn: Node): boolean {
  if (!tn || !Array.isArray(tn.names)) return false;
  const n = names(tn.names);
  if (n.length > 2 || (n.length === 2 && n[0] !== 'pg_catalog')) return false;
  const base = n[n.length - 1]!;
  let changed = false;
  const mapped = MAPPED[base];
  if (mapped) {
    tn.names = [str(mapped.name)];
    delete tn.typmods;
    if (mapped.array && !tn.arrayBounds) tn.arrayBounds = [{ Integer: { ival: -1 } }];
    return true;
  }
  if (n.length === 2) {
    // The deparser prints some qualified names as PostgreSQL spells them (pg_catalog.bpchar):
    // keep the qualification only where it turns into SQL-standard syntax DuckDB reads.
    const standard = ['int2', 'int4', 'int8', 'float4', 'float8', 'bool', 'numeric', 'varchar', 'timestamp', 'timestamptz', 'time', 'timetz', 'interval'].includes(base);
    const bpcharWithLength = base === 'bpchar' && tn.typmods;
    if (!standard && !bpcharWithLength) {
      tn.names = [str(base)];
      changed = true;
    }
  }
  if (NO_TYPMOD.has(base) && tn.typmods) {
    delete tn.typmods;
    changed = true;
  }
  return changed;
}

/** PostgreSQL's interval field bits (typmod of `INTERVAL ... <fields>`), lowest field first. */
const INTERVAL_FIELDS: [number, string][] = [
  [1 << 12, 'seconds'],
  [1 << 11, 'minutes'],
  [1 << 10, 'hours'],
  [1 << 3, 'days'],
  [1 << 1, 'months'],
  [1 << 2, 'years'],
];
const YEAR_TO_MONTH = (1 << 2) | (1 << 1);
const MINUTE_TO_SECOND = (1 << 11) | (1 << 12);
const INTERVAL_FULL_RANGE = 0x7fff;

/** The text of an interval literal with field qualifiers, as a text that says its units (undefined: keep it). */
function qualifiedIntervalText(text: string, fields: number): string | undefined {
  const t = text.trim();
  // A bare number counts in the rightmost (lowest) field, as in PostgreSQL.
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) {
    const unit = INTERVAL_FIELDS.find(([bit]) => fields & bit)?.[1];
    return unit ? `${t} ${unit}` : undefined;
  }
  let m: RegExpExecArray | null;
  if (fields === YEAR_TO_MONTH && (m = /^([+-]?)(\d+)-(\d+)$/.exec(t))) return `${m[1]}${m[2]} years ${m[1]}${m[3]} months`;
  if (fields === MINUTE_TO_SECOND && (m = /^([+-]?)(\d+):(\d+(\.\d+)?)$/.exec(t))) return `${m[1]}${m[2]} minutes ${m[1]}${m[3]} seconds`;
  return undefined;
}

/** `INTERVAL '1' MONTH` (a cast of text to interval with a field typmod): the units go into the text. */
function qualifyIntervalLiteral(cast: Node): boolean {
  const tn = cast.typeName as Node | undefined;
  const mods = tn?.typmods as Node[] | undefined;
  if (!tn || !mods?.length || lastName(tn.names) !== 'interval') return false;
  const fields = Number(constText(mods[0]));
  if (!Number.isInteger(fields) || fields === INTERVAL_FULL_RANGE) return false;
  const text = stringConst(cast.arg as Node | undefined);
  if (text === undefined) return false;
  const qualified = qualifiedIntervalText(text, fields);
  if (qualified === undefined) return false;
  cast.arg = aConst(qualified);
  return true;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind === 'TypeCast' && qualifyIntervalLiteral(p)) changed = true;
    if (kind === 'TypeName') {
      if (normaliseTypeName(p)) changed = true;
      return;
    }
    if (p.typeName && typeof p.typeName === 'object' && normaliseTypeName(p.typeName)) changed = true;
  });
  return changed;
}

export const typeNames: RewriteRule = { name: 'type-names', trigger, apply };
