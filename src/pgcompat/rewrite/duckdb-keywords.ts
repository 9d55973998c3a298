/**
 * Identifiers that PostgreSQL accepts bare but DuckDB's grammar reserves: a column named `at`,
 * `by`, `map`, `show`, `describe`, `columns`, ... (`CREATE TABLE events (id int, at timestamptz)`,
 * `SELECT at FROM events`, `INSERT INTO events (at) ...`). DuckDB answers those with a syntax
 * error. In identifier positions of the PostgreSQL tree such a name is replaced by a placeholder
 * that deparses unquoted; `restoreQuotedIdentifiers` then writes it back quoted ("at"), which
 * DuckDB reads as the same, lower-case name. Words used as keywords (ORDER BY, AT TIME ZONE,
 * DuckDB's MAP {...} or COLUMNS(*)) are not identifiers and stay as they are.
 */
import type { Token } from '../../sql/lexer.js';
import { walk, type Node } from '../ast.js';
import type { RewriteRule } from './rule.js';

/**
 * Words DuckDB 1.5's grammar refuses as a bare column name while PostgreSQL 16 takes them (its
 * unreserved keywords and plain identifiers): DuckDB's reserved and type/function keywords
 * (duckdb_keywords()) that are not PostgreSQL column-name keywords (pg_get_keywords()), minus
 * those DuckDB still accepts as a column (columns, generated, map, struct, try_cast). The test
 * checks each against both systems.
 */
export const DUCKDB_ONLY_KEYWORDS: ReadonlySet<string> = new Set([
  'anti',
  'asof',
  'at',
  'by',
  'describe',
  'glob',
  'lambda',
  'pivot',
  'pivot_longer',
  'pivot_wider',
  'positional',
  'qualify',
  'semi',
  'show',
  'summarize',
  'unpack',
  'unpivot',
]);

/** Placeholders carry the word; nothing a client writes looks like this. */
const PLACEHOLDER_PREFIX = 'lakegres_quoted_ident_';
const PLACEHOLDER = /\blakegres_quoted_ident_([a-z_]+)\b/g;

/** Tokens after which a listed word is a keyword, not a name. */
const KEYWORD_BEFORE: Record<string, ReadonlySet<string>> = {
  BY: new Set(['ORDER', 'GROUP', 'PARTITION', 'CLUSTER', 'DISTRIBUTE', 'SORT']),
  GENERATED: new Set(['ALWAYS']),
};
/** Tokens that follow a listed word used as a keyword (any word followed by `(` is a function or type). */
const KEYWORD_AFTER: Record<string, ReadonlySet<string>> = {
  AT: new Set(['TIME']),
  GENERATED: new Set(['ALWAYS', 'BY']),
};

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word' || !DUCKDB_ONLY_KEYWORDS.has(t.value.toLowerCase())) continue;
    const before = tokens[i - 1]?.kind === 'word' ? tokens[i - 1]!.value : undefined;
    const next = tokens[i + 1];
    const after = next?.kind === 'word' ? next.value : next?.kind === 'lparen' ? '(' : undefined;
    if (before !== undefined && KEYWORD_BEFORE[t.value]?.has(before)) continue;
    if (after === '(' || (after !== undefined && KEYWORD_AFTER[t.value]?.has(after))) continue;
    // A statement led by the word is DuckDB syntax (SHOW, DESCRIBE, SUMMARIZE, PIVOT, ...).
    if (i === 0) continue;
    return true;
  }
  return false;
}

/** Fields of tree payloads that hold a name (a plain string, or a list of String nodes). */
const NAME_FIELDS: Record<string, readonly string[]> = {
  ColumnRef: ['fields'],
  ColumnDef: ['colname'],
  ResTarget: ['name'],
  RangeVar: ['relname', 'schemaname'],
  Alias: ['aliasname', 'colnames'],
  IndexElem: ['name'],
  RenameStmt: ['subname', 'newname'],
  AlterTableCmd: ['name'],
  CommonTableExpr: ['ctename', 'aliascolnames'],
};

function placeholderFor(name: unknown): string | undefined {
  return typeof name === 'string' && DUCKDB_ONLY_KEYWORDS.has(name) ? PLACEHOLDER_PREFIX + name : undefined;
}

/** Replaces listed names in one payload field; true when it changed something. */
function rename(payload: Node, field: string): boolean {
  const v = payload[field];
  const direct = placeholderFor(v);
  if (direct) {
    payload[field] = direct;
    return true;
  }
  if (!Array.isArray(v)) return false;
  let changed = false;
  for (const item of v) {
    const s = (item as Node)?.String;
    const p = s && placeholderFor(s.sval);
    if (p) {
      s.sval = p;
      changed = true;
    }
  }
  return changed;
}

function apply(stmt: Node): boolean {
  let changed = false;
  const visitDirect = (kind: string, payload: Node | undefined) => {
    if (!payload) return;
    for (const f of NAME_FIELDS[kind] ?? []) if (rename(payload, f)) changed = true;
  };
  walk(stmt, (kind, p) => {
    visitDirect(kind, p);
    // Payloads held directly by their parent (not as { Kind: ... } nodes).
    if (p.relation) visitDirect('RangeVar', p.relation);
    if (p.alias) visitDirect('Alias', p.alias);
  });
  return changed;
}

/** The deparsed text with the placeholders written as quoted identifiers. */
export function restoreQuotedIdentifiers(sql: string): string {
  return sql.includes(PLACEHOLDER_PREFIX) ? sql.replace(PLACEHOLDER, (_, word: string) => `"${word}"`) : sql;
}

export const duckdbKeywords: RewriteRule = { name: 'duckdb-keywords', trigger, apply };
