/**
 * Read-side SQL rewriting for lake sessions. DuckDB's own parser (json_serialize_sql) locates
 * table references and table functions; the original text is then edited in place:
 *
 *  - `t AT (VERSION => n)` / `AT (TIMESTAMP => ts)`  → the table in a historical snapshot database
 *  - virtual columns (rowid, snapshot_id, filename, file_row_number) → the table's hidden view
 *  - ducklake_* table functions and the lake's shortcuts (`lake.snapshots()`) → subqueries
 *  - duckdb_tables() / duckdb_views() / duckdb_schemas() / duckdb_databases() → the same
 *    listings with lake tables shown as tables and lakegres internals hidden
 *
 * Statements that need none of this (decided from their tokens) are not parsed at all.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { PgError, SqlState } from '../../errors/pg-error.js';
import { tokenize, type Token } from '../../sql/lexer.js';
import { quoteIdent, quoteLiteral } from '../types.js';
import type { LakeRuntime } from '../service.js';
import type { SchemaState, TableEntry } from '../catalog/model.js';
import { INTERNAL_SCHEMA } from '../read/live-db.js';
import { lakeFunction, LAKE_FUNCTIONS, SHORTCUTS, type FunctionArgs } from '../functions/index.js';
import { catalogListing, LISTING_FUNCTIONS } from './listings.js';
import { readAll } from '../../engine/rows.js';

const VIRTUAL_WORDS = new Set(['ROWID', 'SNAPSHOT_ID', 'FILENAME', 'FILE_ROW_NUMBER']);

export interface RewriteContext {
  runtime: LakeRuntime;
  /** Name of the database the session reads the lake through (the live one or a pinned snapshot). */
  dbName: string;
  state: SchemaState;
  /** Snapshot the session reads (ducklake_current_snapshot). */
  currentSnapshot: number;
  /** Last snapshot this session committed (ducklake_last_committed_snapshot). */
  lastCommitted?: number;
  /** Default schema for unqualified names. */
  defaultSchema: string;
  parserConn: DuckDBConnection;
  allLakes: string[];
  /** Makes object-store files local for the statement being rewritten (remote data paths). */
  ensureLocal(uris: string[]): Promise<void>;
}

/** Cheap test: does the statement possibly need rewriting? */
export function needsLakeRewrite(tokens: Token[], lakeName: string): boolean {
  const lake = lakeName.toUpperCase();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word') continue;
    if (VIRTUAL_WORDS.has(t.value)) return true;
    if (t.value.startsWith('DUCKLAKE_')) return true;
    if (LISTING_FUNCTIONS.has(t.value.toLowerCase())) return true;
    if (t.value === 'AT' && tokens[i + 1]?.kind === 'lparen' && (tokens[i + 2]?.value === 'VERSION' || tokens[i + 2]?.value === 'TIMESTAMP')) return true;
    if (t.value === lake && tokens[i + 1]?.value === '.' && tokens[i + 2] && SHORTCUTS.has(tokens[i + 2]!.value.toLowerCase()) && tokens[i + 3]?.kind === 'lparen') return true;
  }
  return false;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

type Json = Record<string, unknown>;

export async function rewriteLakeSql(sql: string, ctx: RewriteContext): Promise<string> {
  const parsed = await serialize(ctx.parserConn, sql);
  if (!parsed) return sql;
  const tokens = tokenize(sql);
  const byteToChar = byteToCharMap(sql);
  const wantsVirtual = tokens.some((t) => t.kind === 'word' && VIRTUAL_WORDS.has(t.value));
  const cteNames = collectCteNames(parsed);
  const edits: Edit[] = [];
  const visit = async (node: unknown): Promise<void> => {
    if (Array.isArray(node)) {
      for (const n of node) await visit(n);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const o = node as Json;
    if (o.type === 'BASE_TABLE' && typeof o.query_location === 'number' && !(cteNames.has(String(o.table_name).toLowerCase()) && !o.schema_name && !o.catalog_name)) {
      const edit = await baseTableEdit(o, sql, tokens, byteToChar, ctx, wantsVirtual);
      if (edit) edits.push(edit);
    } else if (o.type === 'TABLE_FUNCTION' && o.function && typeof o.query_location === 'number') {
      const edit = await tableFunctionEdit(o, sql, tokens, byteToChar, ctx);
      if (edit) edits.push(edit);
    }
    for (const v of Object.values(o)) if (v && typeof v === 'object') await visit(v);
  };
  await visit(parsed);
  if (edits.length === 0) return sql;
  edits.sort((a, b) => b.start - a.start);
  let out = sql;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function collectCteNames(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) collectCteNames(n, out);
  else if (node && typeof node === 'object') {
    const o = node as Json;
    const map = (o.cte_map as Json | undefined)?.map;
    if (Array.isArray(map)) for (const e of map as Json[]) if (typeof e.key === 'string') out.add(e.key.toLowerCase());
    for (const v of Object.values(o)) if (v && typeof v === 'object') collectCteNames(v, out);
  }
  return out;
}

async function serialize(conn: DuckDBConnection, sql: string): Promise<Json | undefined> {
  const r = await readAll(conn, `SELECT json_serialize_sql(${quoteLiteral(sql)})`);
  const json = JSON.parse(String(r.getRows()[0]?.[0] ?? '{}')) as Json;
  if (json.error) return undefined;
  return json;
}

function byteToCharMap(sql: string): (b: number) => number {
  // Fast path for ASCII text.
  if (!/[^\x00-\x7f]/.test(sql)) return (b) => b;
  const offsets: number[] = [];
  let bytes = 0;
  for (let i = 0; i < sql.length; i++) {
    offsets[bytes] = i;
    const code = sql.codePointAt(i)!;
    const len = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (code >= 0x10000) i++;
    bytes += len;
  }
  offsets[bytes] = sql.length;
  return (b) => offsets[b] ?? b;
}

function tokenAt(tokens: Token[], charPos: number): number {
  return tokens.findIndex((t) => t.start === charPos);
}

/** End index (exclusive, in tokens) of a dotted name starting at token i. */
function nameEnd(tokens: Token[], i: number): number {
  let j = i + 1;
  while (tokens[j]?.kind === 'op' && tokens[j]!.value === '.' && (tokens[j + 1]?.kind === 'word' || tokens[j + 1]?.kind === 'qident')) j += 2;
  return j;
}

function matchParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.kind === 'lparen') depth++;
    else if (tokens[i]!.kind === 'rparen' && --depth === 0) return i;
  }
  throw new PgError(SqlState.syntaxError, 'unbalanced parentheses');
}

function findTable(state: SchemaState, schema: string | undefined, name: string, defaultSchema: string): TableEntry | undefined {
  const wanted = (schema ?? defaultSchema).toLowerCase();
  const lname = name.toLowerCase();
  for (const t of state.tables.values()) {
    const s = state.schemas.get(t.schemaId);
    if (s && s.name.toLowerCase() === wanted && t.name.toLowerCase() === lname) return t;
  }
  return undefined;
}

async function baseTableEdit(o: Json, sql: string, tokens: Token[], toChar: (b: number) => number, ctx: RewriteContext, wantsVirtual: boolean): Promise<Edit | undefined> {
  const catalog = (o.catalog_name as string | undefined) || undefined;
  const schema = (o.schema_name as string | undefined) || undefined;
  const table = String(o.table_name);
  const at = o.at_clause as Json | undefined;
  // References to other catalogs (temp, system, other lakes without AT) stay as they are.
  if (catalog && catalog.toLowerCase() !== ctx.runtime.name.toLowerCase()) return undefined;
  if (!at && !wantsVirtual) return undefined;
  const startTok = tokenAt(tokens, toChar(o.query_location as number));
  if (startTok < 0) return undefined;
  const endTok = nameEnd(tokens, startTok);
  let state = ctx.state;
  let dbName = ctx.dbName;
  let removeFrom: number | undefined;
  let removeTo: number | undefined;
  if (at) {
    const snapshotId = await resolveAt(at, ctx);
    const hist = await ctx.runtime.atSnapshot(snapshotId);
    state = hist.state!;
    dbName = hist.dbName;
    // Locate the AT ( ... ) clause after the name and optional alias.
    let k = endTok;
    while (k < tokens.length && !(tokens[k]!.value === 'AT' && tokens[k + 1]?.kind === 'lparen')) k++;
    if (k < tokens.length) {
      removeFrom = tokens[k]!.start;
      removeTo = tokens[matchParen(tokens, k + 1)]!.end;
    }
  }
  const entry = findTable(state, schema, table, ctx.defaultSchema);
  if (!entry) {
    if (at) throw new PgError(SqlState.undefinedTable, `relation "${table}" does not exist at the requested snapshot`);
    return undefined;
  }
  const aliasGiven = typeof o.alias === 'string' && o.alias !== '';
  const target = wantsVirtual
    ? `${quoteIdent(dbName)}.${INTERNAL_SCHEMA}.${quoteIdent('t' + entry.id)}`
    : `${quoteIdent(dbName)}.${quoteIdent(state.schemas.get(entry.schemaId)!.name)}.${quoteIdent(entry.name)}`;
  const replacement = aliasGiven ? target : `${target} AS ${quoteIdent(entry.name)}`;
  const start = tokens[startTok]!.start;
  const end = tokens[endTok - 1]!.end;
  if (removeFrom !== undefined && removeTo !== undefined) {
    // One edit covering name .. end of AT clause, keeping the alias text between.
    const between = sql.slice(end, removeFrom);
    return { start, end: removeTo, text: replacement + between.replace(/\s+$/, '') };
  }
  return { start, end, text: replacement };
}

async function resolveAt(at: Json, ctx: RewriteContext): Promise<number> {
  const unit = String(at.unit).toUpperCase();
  const expr = at.expr as Json;
  const value = await evaluateConstant(expr, ctx);
  if (unit === 'VERSION') {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new PgError(SqlState.invalidParameterValue, `invalid snapshot version ${value}`);
    return n;
  }
  const snap = await ctx.runtime.lake.reader.snapshotAtTime(ctx.runtime.lake.store, String(value));
  return snap.id;
}

/** Evaluates a constant expression from the parse tree (deserialised and run by DuckDB). */
async function evaluateConstant(expr: Json, ctx: RewriteContext): Promise<string> {
  const wrapper = { error: false, statements: [{ node: { type: 'SELECT_NODE', modifiers: [], cte_map: { map: [] }, select_list: [expr], from_table: { type: 'EMPTY', alias: '', sample: null, query_location: 0 }, where_clause: null, group_expressions: [], group_sets: [], aggregate_handling: 'STANDARD_HANDLING', having: null, sample: null, qualify: null } }] };
  try {
    const r = await readAll(ctx.parserConn, `SELECT CAST((${await deserialize(ctx.parserConn, wrapper)}) AS VARCHAR)`);
    return String(r.getRows()[0]?.[0]);
  } catch (e) {
    throw new PgError(SqlState.invalidParameterValue, `could not evaluate the AT clause: ${(e as Error).message}`);
  }
}

async function deserialize(conn: DuckDBConnection, json: unknown): Promise<string> {
  // Unknown locations are 2^64-1, which JSON.parse rounded: give them back as the integer DuckDB wrote.
  const serialized = JSON.stringify(json).replace(/"query_location":\d{17,}/g, '"query_location":18446744073709551615');
  const r = await readAll(conn, `SELECT json_deserialize_sql(${quoteLiteral(serialized)}::JSON)`);
  const text = String(r.getRows()[0]?.[0] ?? '');
  return text.replace(/^SELECT\s+/i, '').replace(/;\s*$/, '');
}

async function tableFunctionEdit(o: Json, sql: string, tokens: Token[], toChar: (b: number) => number, ctx: RewriteContext): Promise<Edit | undefined> {
  const fn = o.function as Json;
  const name = String(fn.function_name).toLowerCase();
  const schema = String(fn.schema ?? '').toLowerCase();
  const isShortcut = schema !== '' && ctx.allLakes.some((l) => l.toLowerCase() === schema) && SHORTCUTS.has(name);
  const isLake = LAKE_FUNCTIONS.has(name);
  const isListing = !schema && LISTING_FUNCTIONS.has(name);
  if (!isShortcut && !isLake && !isListing) return undefined;
  const startTok = tokenAt(tokens, toChar(o.query_location as number));
  if (startTok < 0) return undefined;
  let j = startTok;
  while (j < tokens.length && tokens[j]!.kind !== 'lparen') j++;
  const close = matchParen(tokens, j);
  const args = await functionArgs(fn, ctx);
  let subquery: string;
  if (isListing) subquery = catalogListing(name, ctx);
  else {
    const lakeName = isShortcut ? schema : String(args.positional.shift() ?? '');
    subquery = await lakeFunction(isShortcut ? SHORTCUTS.get(name)! : name, lakeName, args, ctx);
  }
  const aliasGiven = typeof o.alias === 'string' && o.alias !== '';
  return { start: tokens[startTok]!.start, end: tokens[close]!.end, text: `(${subquery})${aliasGiven ? '' : ` AS ${quoteIdent(name)}`}` };
  void sql;
}

/** Constant arguments of a table function call (positional, and name => value). */
async function functionArgs(fn: Json, ctx: RewriteContext): Promise<FunctionArgs> {
  const positional: unknown[] = [];
  const named = new Map<string, unknown>();
  for (const child of (fn.children as Json[]) ?? []) {
    const alias = typeof child.alias === 'string' && child.alias ? child.alias : undefined;
    let value: unknown;
    // (DECIMAL constants are serialized scaled, e.g. 0.5 as 5: DuckDB spells them out instead)
    if (child.class === 'CONSTANT' && ((child.value as Json)?.type as Json | undefined)?.id !== 'DECIMAL') value = constantValue(child);
    else if (child.class === 'COMPARISON' && (child.left as Json)?.class === 'COLUMN_REF') {
      // name => value is parsed as a comparison in older DuckDB versions
      const colName = ((child.left as Json).column_names as string[])[0]!;
      named.set(colName.toLowerCase(), await evaluateConstant(child.right as Json, ctx));
      continue;
    } else value = await evaluateConstant(alias ? { ...child, alias: '' } : child, ctx); // (name => expr: the alias is not part of the value)
    if (alias) named.set(alias.toLowerCase(), value);
    else positional.push(value);
  }
  return { positional, named };
}

function constantValue(c: Json): unknown {
  const v = c.value as Json;
  if (v.is_null) return null;
  return v.value;
}

/**
 * The function and arguments of `CALL <name>(...)` (`body` is what follows CALL): the name's
 * qualifier (a lake name for `lake.set_option(...)`), the function name and constant arguments.
 */
export async function parseCall(body: string, conn: DuckDBConnection): Promise<{ qualifier: string; name: string; args: FunctionArgs } | undefined> {
  const parsed = await serialize(conn, `SELECT * FROM ${body}`);
  let fn: Json | undefined;
  const visit = (node: unknown): void => {
    if (fn || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const o = node as Json;
    if (o.type === 'TABLE_FUNCTION' && o.function) {
      fn = o.function as Json;
      return;
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(parsed);
  if (!fn) return undefined;
  const ctx = { parserConn: conn } as RewriteContext;
  return { qualifier: String(fn.schema ?? ''), name: String(fn.function_name).toLowerCase(), args: await functionArgs(fn, ctx) };
}
