/**
 * CALL of the lake functions that change the lake: ducklake_set_option, ducklake_set_commit_message
 * and the maintenance functions (in maintenance/), each also in the `CALL <lake>.name(...)` form.
 * Their result rows are returned as a SQL relation the session sends like a query's.
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { LakeSession, PreparedLakeWrite } from '../lake-session.js';
import type { LakeTx } from './tx.js';
import { parseCall } from '../sql/rewrite.js';
import { writeCallInFrom } from '../sql/lake-statements.js';
import { tokenize } from '../../sql/lexer.js';
import { quoteIdent } from '../types.js';
import type { FunctionArgs } from '../functions/index.js';
import { valuesRelation, type SqlValue } from '../functions/sql-values.js';
import { runMaintenance, maintenanceColumns, MAINTENANCE_FUNCTIONS } from '../maintenance/index.js';

interface CallCtx {
  inBlock: boolean;
  defaultSchema: string;
}

export interface CallResult {
  columns: [string, string][];
  rows: SqlValue[][];
}

const COMPRESSION = ['uncompressed', 'snappy', 'gzip', 'zstd', 'brotli', 'lz4', 'lz4_raw'];

export async function prepareCall(s: LakeSession, body: string, ctx: CallCtx): Promise<PreparedLakeWrite> {
  const query = queryAroundCall(s, body);
  if (query) body = query.call;
  const call = await parseCall(body, s.conn);
  if (!call) throw new PgError(SqlState.syntaxError, `syntax error in CALL ${body.slice(0, 40)}`);
  const args = call.args;
  let name = call.name;
  if (call.qualifier) {
    // lake.set_option(...) names the lake by its qualifier.
    if (call.qualifier.toLowerCase() !== s.name.toLowerCase() && call.qualifier.toLowerCase() !== s.workspace.dbName.toLowerCase()) {
      throw new PgError(SqlState.invalidCatalogName, `Catalog "${call.qualifier}" does not exist or is not a DuckLake catalog`, { hint: `This session's lake is "${s.name}".` });
    }
    if (!name.startsWith('ducklake_')) name = `ducklake_${name}`;
  } else {
    const lake = String(args.positional.shift() ?? '');
    if (lake.toLowerCase() !== s.name.toLowerCase()) {
      throw new PgError(SqlState.invalidCatalogName, `Catalog "${lake}" does not exist or is not a DuckLake catalog`, { hint: `This session's lake is "${s.name}".` });
    }
  }
  const shape = callColumns(name);
  let result: CallResult | undefined;
  // In a query, the call's rows stand where the call was (the query's own tag: SELECT n).
  const wrap = (relation: string) => (query ? `${query.before}(${relation})${query.alias}${query.after}` : relation);
  return {
    sql: null,
    finish: async () => {
      result = await runCall(s, name, args, ctx);
      return query ? {} : { tag: 'CALL' };
    },
    abort: async () => undefined,
    // Describe knows the columns before the call runs; the rows exist once it ran.
    get returning() {
      return { sql: wrap(valuesRelation(shape, result?.rows ?? [])), describe: wrap(valuesRelation(shape, [])) };
    },
  };
}

/** Words after a table function that start the next clause rather than name an alias. */
const CLAUSE_WORDS = new Set(['WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'JOIN', 'LEFT', 'RIGHT', 'INNER', 'FULL', 'CROSS', 'NATURAL', 'POSITIONAL', 'ASOF', 'ANTI', 'SEMI', 'UNION', 'EXCEPT', 'INTERSECT', 'QUALIFY', 'WINDOW', 'USING', 'ON', 'SELECT', 'FETCH', 'FOR']);

/**
 * A query with the call of a lake-changing function in FROM (`SELECT count(*) FROM
 * ducklake_cleanup_old_files('lake', ...)`): the call's text and the query around it.
 */
function queryAroundCall(s: LakeSession, body: string): { call: string; before: string; after: string; alias: string } | undefined {
  const t = tokenize(body);
  if (!['SELECT', 'FROM', 'WITH'].includes(t[0]?.kind === 'word' ? t[0].value : '')) return undefined;
  const fn = writeCallInFrom(t, body, new Set([s.name.toLowerCase(), s.workspace.dbName.toLowerCase()]));
  if (!fn) throw new PgError(SqlState.syntaxError, 'lakegres could not find the lake function call in this query');
  const start = t[fn.first]!.start;
  const end = t[fn.close]!.end;
  const next = t[fn.close + 1];
  const aliased = !!next && (next.kind === 'qident' || (next.kind === 'word' && !CLAUSE_WORDS.has(next.value)));
  return { call: body.slice(start, end), before: body.slice(0, start), after: body.slice(end), alias: aliased ? '' : ` AS ${quoteIdent(fn.name)}` };
}

function callColumns(name: string): [string, string][] {
  if (MAINTENANCE_FUNCTIONS.has(name)) return maintenanceColumns(name);
  return [['Success', 'BOOLEAN']];
}

async function runCall(s: LakeSession, name: string, args: FunctionArgs, ctx: CallCtx): Promise<CallResult> {
  switch (name) {
    case 'ducklake_set_option':
      return setOption(s, args, ctx);
    case 'ducklake_set_commit_message': {
      const [author, message] = args.positional;
      const tx = await s.writeTx(ctx.inBlock);
      tx.commitInfo = { author: author === null || author === undefined ? null : String(author), message: message === null || message === undefined ? null : String(message), extraInfo: (args.named.get('extra_info') as string | undefined) ?? null };
      await s.finishWrite(tx, ctx.inBlock);
      return { columns: [['Success', 'BOOLEAN']], rows: [] };
    }
    case 'ducklake_add_data_files':
      throw new PgError(SqlState.featureNotSupported, 'ducklake_add_data_files is not supported by lakegres', { hint: 'Load the files with INSERT INTO ... SELECT * FROM read_parquet(...) (needs --allow-file-access).' });
    default:
      if (MAINTENANCE_FUNCTIONS.has(name)) return runMaintenance(s, name, args, ctx);
      throw new PgError(SqlState.undefinedFunction, `function ${name} does not exist`);
  }
}

async function setOption(s: LakeSession, args: FunctionArgs, ctx: CallCtx): Promise<CallResult> {
  const [rawKey, rawValue] = args.positional;
  if (rawKey === undefined || rawValue === undefined) throw new PgError(SqlState.syntaxError, 'set_option needs an option name and a value');
  const key = String(rawKey).toLowerCase();
  const value = optionValue(key, rawValue);
  const schemaName = args.named.get('schema') as string | null | undefined;
  const tableName = args.named.get('table_name') as string | null | undefined;
  let scope: 'table' | 'schema' | null = null;
  let scopeId: number | null = null;
  if (tableName) {
    const t = s.requireTable({ schema: schemaName ?? undefined, name: tableName, start: 0, end: 0 }, ctx.defaultSchema);
    if (t.id < 0) throw new PgError(SqlState.featureNotSupported, 'Settings cannot be set for transaction-local tables');
    scope = 'table';
    scopeId = t.id;
  } else if (schemaName) {
    const sc = s.schemaByName(schemaName);
    if (!sc) throw new PgError(SqlState.undefinedSchema, `schema "${schemaName}" does not exist`);
    if (sc.id < 0) throw new PgError(SqlState.featureNotSupported, 'Settings cannot be set for transaction-local schemas');
    scope = 'schema';
    scopeId = sc.id;
  }
  const tx = await s.writeTx(ctx.inBlock);
  // (Nothing is recorded in the transaction before the check.)
  if (key === 'data_inlining_row_limit' && value !== '0') await checkInliningColumns(s, tx, scope, scopeId);
  tx.options.push({ key, value, scope, scopeId });
  await s.finishWrite(tx, ctx.inBlock);
  return { columns: [['Success', 'BOOLEAN']], rows: [] };
}

/** Column names that inlined-data tables use for themselves (case-insensitive). */
const INLINING_RESERVED = ['row_id', 'begin_snapshot', 'end_snapshot', '_ducklake_internal_snapshot_id', '_ducklake_internal_row_id'];

/**
 * Enabling inlining is refused, as the extension refuses it, for a table in the option's scope
 * that has a column an inlined-data table reserves; tables whose own (or, for the global scope,
 * their schema's) data_inlining_row_limit is 0 keep inlining off and are not checked.
 */
async function checkInliningColumns(s: LakeSession, tx: LakeTx, scope: 'table' | 'schema' | null, scopeId: number | null): Promise<void> {
  const state = tx.state;
  const lake = s.runtime.lake;
  const committed = await lake.store.query(`SELECT value, scope, scope_id FROM ${lake.store.schemaSql}.ducklake_metadata WHERE key = 'data_inlining_row_limit' AND scope IS NOT NULL`);
  const scoped = [
    ...tx.options.filter((o) => o.key === 'data_inlining_row_limit' && o.scope !== null).map((o) => ({ value: o.value, scope: o.scope, scopeId: o.scopeId })).reverse(),
    ...committed.map((r) => ({ value: String(r.value), scope: r.scope as string, scopeId: Number(r.scope_id) })),
  ];
  const override = (kind: 'table' | 'schema', id: number) => scoped.find((o) => o.scope === kind && o.scopeId === id)?.value;
  const tables = [...state.tables.values()].sort((a, b) => a.id - b.id);
  for (const t of tables) {
    if (scope === 'table' && t.id !== scopeId) continue;
    if (scope === 'schema' && t.schemaId !== scopeId) continue;
    if (scope !== 'table') {
      const own = override('table', t.id) ?? (scope === null ? override('schema', t.schemaId) : undefined);
      if (own !== undefined && Number(own) === 0) continue;
    }
    const bad = t.columns.find((c) => INLINING_RESERVED.includes(c.name.toLowerCase()));
    if (bad) {
      throw new PgError(
        '42000',
        `Cannot enable data inlining for table "${t.name}". Column "${bad.name}" conflicts with a reserved DuckLake internal column name used for inlining. To enable inlining for this table, rename or drop column "${bad.name}".`,
      );
    }
  }
}

/** The stored text of an option value, validated as the extension validates it. */
function optionValue(key: string, raw: unknown): string {
  const text = raw === null ? '' : String(raw);
  const bool = () => {
    // DuckDB's VARCHAR -> BOOLEAN cast.
    const v = text.toLowerCase();
    if (['true', 't', '1', 'y', 'yes'].includes(v)) return 'true';
    if (['false', 'f', '0', 'n', 'no'].includes(v)) return 'false';
    throw new PgError(SqlState.invalidParameterValue, `invalid value for ${key}: "${text}" is not a boolean`);
  };
  const unsigned = () => {
    if (!/^\d+$/.test(text.trim())) throw new PgError(SqlState.invalidParameterValue, `invalid value for ${key}: "${text}" is not a non-negative integer`);
    return String(BigInt(text.trim()));
  };
  switch (key) {
    case 'parquet_compression': {
      const codec = text.toLowerCase();
      if (!COMPRESSION.includes(codec)) throw new PgError(SqlState.featureNotSupported, `Unsupported codec "${text}" for parquet, supported options are ${COMPRESSION.join(', ')}`);
      return codec;
    }
    case 'parquet_version': {
      const v = unsigned();
      if (v !== '1' && v !== '2') throw new PgError(SqlState.featureNotSupported, 'Only Parquet version 1 and 2 are supported');
      return `V${v}`;
    }
    case 'parquet_compression_level':
      return unsigned();
    case 'parquet_row_group_size': {
      const v = unsigned();
      if (v === '0') throw new PgError(SqlState.featureNotSupported, 'Row group size cannot be 0');
      return v;
    }
    case 'parquet_row_group_size_bytes': {
      const v = byteSize(text, key);
      if (v === '0') throw new PgError(SqlState.featureNotSupported, 'Row group size bytes cannot be 0');
      return v;
    }
    case 'target_file_size':
      return byteSize(text, key);
    case 'data_inlining_row_limit':
      return unsigned();
    case 'require_commit_message':
    case 'hive_file_pattern':
    case 'per_thread_output':
    case 'write_deletion_vectors':
    case 'sort_on_insert':
    case 'auto_compact':
      if (raw === null) throw new PgError(SqlState.invalidParameterValue, `The ${key} option can't be null.`);
      return bool();
    case 'rewrite_delete_threshold': {
      const n = Number(text);
      if (!Number.isFinite(n) || n < 0 || n > 1) throw new PgError(SqlState.invalidParameterValue, 'The rewrite_delete_threshold must be between 0 and 1');
      return n.toFixed(6);
    }
    case 'delete_older_than':
    case 'expire_older_than':
      if (text !== '' && !/^\s*(@\s*)?([+-]?\d+(\.\d+)?\s*[a-z]+\s*)+(ago)?\s*$|^\s*\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*$/i.test(text)) {
        throw new PgError(SqlState.invalidParameterValue, `${key} is not a valid interval value.`);
      }
      return text;
    default:
      throw new PgError(SqlState.featureNotSupported, `Unsupported option ${key}`);
  }
}

/**
 * DuckDB's memory-limit syntax ('512MB', '1GiB', '1000 bytes', '1.5 megabytes') → bytes. As in
 * DuckDB, a number needs a unit: a bare '1000' is refused (the extension refuses it too).
 */
function byteSize(text: string, key: string): string {
  const m = /^\s*(\d+(?:\.\d*)?(?:e\d+)?)\s*([a-z]*)(?:\s.*)?$/i.exec(text);
  const dec: Record<string, number> = { b: 1, byte: 1, bytes: 1, k: 1e3, kb: 1e3, kilobyte: 1e3, kilobytes: 1e3, m: 1e6, mb: 1e6, megabyte: 1e6, megabytes: 1e6, g: 1e9, gb: 1e9, gigabyte: 1e9, gigabytes: 1e9, t: 1e12, tb: 1e12, terabyte: 1e12, terabytes: 1e12 };
  const bin: Record<string, number> = { kib: 1024, kibibyte: 1024, kibibytes: 1024, mib: 1024 ** 2, mebibyte: 1024 ** 2, mebibytes: 1024 ** 2, gib: 1024 ** 3, gibibyte: 1024 ** 3, gibibytes: 1024 ** 3, tib: 1024 ** 4, tebibyte: 1024 ** 4, tebibytes: 1024 ** 4 };
  const unit = m?.[2]!.toLowerCase() ?? '';
  const mult = dec[unit] ?? bin[unit];
  if (!m || mult === undefined) {
    throw new PgError(SqlState.syntaxError, `Unknown unit for memory: '${unit}' (expected: KB, MB, GB, TB for 1000^i units or KiB, MiB, GiB, TiB for 1024^i units)`, { hint: `${key} takes a size with a unit, e.g. '512MB'.` });
  }
  return String(Math.floor(Number(m[1]) * mult));
}
