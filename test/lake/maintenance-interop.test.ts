/**
 * Maintenance and option functions checked against what the DuckLake extension (v1.5) writes and
 * returns for the same calls, on an embedded (DuckDB file) catalog: the `changes` map of
 * ducklake_snapshots/expire_snapshots, ducklake_options rows, set_option validation and stored
 * values, which options scopes the compaction functions consult, and the catalog rows of
 * merges, rewrites, flushes and expirations.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { startServer, type TestServer } from '../helpers/server.js';
import { catalogRows } from '../helpers/fixtures.js';

const UTC = { options: '-c TimeZone=UTC' };

interface Lake {
  dir: string;
  server: TestServer;
  client: pg.Client;
}

let open: Lake | undefined;

afterEach(async () => {
  if (!open) return;
  await open.server.stop().catch(() => undefined);
  rmSync(open.dir, { recursive: true, force: true });
  open = undefined;
});

async function newLake(): Promise<Lake> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lakegres-maint-interop-'));
  const server = await startServer({ dataDir: dir });
  const client = await server.client(UTC);
  open = { dir, server, client };
  return open;
}

/** Stops the server and returns the catalog rows (volatile columns masked) of the lake. */
async function catalogOf(lake: Lake): Promise<Map<string, unknown[][]>> {
  await lake.server.stop();
  const rows = await catalogRows(path.join(lake.dir, 'metadata.ducklake'));
  return new Map([...rows].map(([t, rs]) => [t, rs.map((r) => JSON.parse(r) as unknown[])]));
}

async function rows(c: pg.Client, sql: string): Promise<unknown[][]> {
  const r = await c.query({ text: sql, rowMode: 'array' });
  const numeric = r.fields.map((f) => f.dataTypeID === 20 || f.dataTypeID === 1700);
  return (r.rows as unknown[][]).map((row) => row.map((v, i) => (numeric[i] && v !== null ? Number(v) : v)));
}

async function run(c: pg.Client, statements: string[]): Promise<void> {
  for (const s of statements) await c.query(s);
}

async function error(c: pg.Client, sql: string): Promise<{ code?: string; message: string }> {
  return c.query(sql).then(
    () => ({ message: 'no error' }),
    (e: { code?: string; message: string }) => ({ code: e.code, message: e.message }),
  );
}

describe('ducklake_snapshots changes', () => {
  it('lists keys in the extension order, ids sorted once, names quoted only where DuckDB needs it', async () => {
    const { client: c } = await newLake();
    await run(c, [
      'CREATE SCHEMA s2',
      'CREATE TABLE s2.gone (a INTEGER)',
      'CREATE TABLE keep (a INTEGER)',
      'BEGIN',
      'DROP TABLE s2.gone',
      'CREATE TABLE "select" (a INTEGER)',
      'CREATE TABLE "My Tab" (a INTEGER)',
      'CREATE VIEW v AS SELECT 1 AS x',
      'INSERT INTO keep SELECT * FROM range(20)',
      'COMMIT',
    ]);
    const r = await rows(c, `SELECT snapshot_id, changes FROM ducklake_snapshots('lake') ORDER BY snapshot_id`);
    expect(r.slice(0, 4)).toEqual([
      [0, { schemas_created: ['main'] }],
      [1, { schemas_created: ['s2'] }],
      [2, { tables_created: ['s2.gone'] }],
      [3, { tables_created: ['main.keep'] }],
    ]);
    const last = r[4]![1] as Record<string, string[]>;
    // Created before dropped, inserted after: the extension's key order, not changes_made's.
    expect(Object.keys(last)).toEqual(['tables_created', 'views_created', 'tables_dropped', 'tables_inserted_into']);
    // (The extension keeps the names of one schema in a hash set: their order is not defined.)
    expect(last.tables_created!.sort()).toEqual(['main."My Tab"', 'main."select"']);
    expect(last).toMatchObject({ views_created: ['main.v'], tables_dropped: ['2'], tables_inserted_into: ['3'] });
    // expire_snapshots returns the same map for the snapshots it expires.
    const expired = await rows(c, `CALL ducklake_expire_snapshots('lake', versions => [2], dry_run => true)`);
    expect(expired.map((e) => [e[0], e[3]])).toEqual([[2, { tables_created: ['s2.gone'] }]]);
  });
});

describe('ducklake_options and set_option', () => {
  it('lists options by name (global, schema, table scopes in that order) with the extension descriptions', async () => {
    const { client: c } = await newLake();
    await run(c, [
      'CREATE SCHEMA s2',
      'CREATE TABLE s2.t2 (a INTEGER)',
      'CREATE TABLE t1 (a INTEGER)',
      `CALL lake.set_option('auto_compact', false, schema => 's2')`,
      `CALL lake.set_option('data_inlining_row_limit', 0, table_name => 't1')`,
      `CALL lake.set_option('data_inlining_row_limit', 5)`,
      `CALL lake.set_option('rewrite_delete_threshold', 0.5, table_name => 't2', schema => 's2')`,
      `CALL lake.set_option('require_commit_message', false)`,
    ]);
    const r = await rows(c, `SELECT option_name, value, scope, scope_entry FROM ducklake_options('lake')`);
    expect(r.filter((x) => !['created_by', 'data_path', 'encrypted', 'version'].includes(String(x[0])))).toEqual([
      ['auto_compact', 'false', 'SCHEMA', 's2'],
      ['data_inlining_row_limit', '5', 'GLOBAL', null],
      ['data_inlining_row_limit', '0', 'TABLE', 'main.t1'],
      ['require_commit_message', 'false', 'GLOBAL', null],
      ['rewrite_delete_threshold', '0.500000', 'TABLE', 's2.t2'],
    ]);
    const d = new Map((await rows(c, `SELECT option_name, description FROM ducklake_options('lake')`)).map((x) => [x[0], x[1]]));
    expect(d.get('require_commit_message')).toBe('If an explicit commit message is required for a snapshot commit.');
    expect(d.get('rewrite_delete_threshold')).toMatch(/before a rewrite is warranted\. From 0 - 1\.$/);
    expect(d.get('auto_compact')).toMatch(/^Pre-defined schema used as a default value for the following compaction functions/);
    // An option of a table that no longer exists keeps its row; its scope entry is NULL.
    await c.query('DROP TABLE s2.t2');
    expect(await rows(c, `SELECT scope, scope_entry FROM ducklake_options('lake') WHERE option_name = 'rewrite_delete_threshold'`)).toEqual([['TABLE', null]]);
  });

  it('refuses to enable inlining where a column name is reserved for inlined tables, per scope', async () => {
    const { client: c } = await newLake();
    await run(c, ['CREATE TABLE r (id INTEGER, "Row_Id" INTEGER)', 'CREATE TABLE ok (id INTEGER)']);
    const e = await error(c, `CALL lake.set_option('data_inlining_row_limit', 5)`);
    expect(e.message).toMatch(/^Cannot enable data inlining for table "r"\. Column "Row_Id" conflicts with a reserved DuckLake internal column name/);
    // Disabling is always allowed; a table that keeps inlining off is not checked by wider scopes.
    await c.query(`CALL lake.set_option('data_inlining_row_limit', 0, table_name => 'r')`);
    await c.query(`CALL lake.set_option('data_inlining_row_limit', 5)`);
    await c.query(`CALL lake.set_option('data_inlining_row_limit', 5, schema => 'main')`);
    await c.query(`CALL lake.set_option('data_inlining_row_limit', 5, table_name => 'ok')`);
    expect((await error(c, `CALL lake.set_option('data_inlining_row_limit', 3, table_name => 'r')`)).message).toMatch(/^Cannot enable data inlining for table "r"/);
    const stored = await rows(c, `SELECT value, scope, scope_entry FROM ducklake_options('lake') WHERE option_name = 'data_inlining_row_limit'`);
    expect(stored).toEqual([
      ['5', 'GLOBAL', null],
      ['5', 'SCHEMA', 'main'],
      ['0', 'TABLE', 'main.r'],
      ['5', 'TABLE', 'main.ok'],
    ]);
  });

  it('stores sizes and booleans as DuckDB casts them and refuses a size without a unit', async () => {
    const { client: c } = await newLake();
    await c.query(`CALL lake.set_option('per_thread_output', 'y')`);
    expect((await error(c, `CALL lake.set_option('sort_on_insert', 'on')`)).message).toMatch(/is not a boolean/);
    expect(await rows(c, `SELECT value FROM ducklake_options('lake') WHERE option_name IN ('per_thread_output', 'sort_on_insert')`)).toEqual([['true']]);
    expect((await error(c, `CALL lake.set_option('target_file_size', '1000')`)).message).toMatch(/^Unknown unit for memory: ''/);
    await c.query(`CALL lake.set_option('target_file_size', '1.5 megabytes')`);
    await c.query(`CALL lake.set_option('parquet_row_group_size_bytes', '2KiB')`);
    const r = await rows(c, `SELECT option_name, value FROM ducklake_options('lake') WHERE option_name IN ('target_file_size', 'parquet_row_group_size_bytes')`);
    expect(r).toEqual([
      ['parquet_row_group_size_bytes', '2048'],
      ['target_file_size', '1500000'],
    ]);
  });
});

describe('option scopes of the compaction functions', () => {
  it('a named table without schema => ignores schema-scoped auto_compact and rewrite_delete_threshold', async () => {
    const { client: c } = await newLake();
    await run(c, [
      `CALL lake.set_option('data_inlining_row_limit', 0)`,
      'CREATE TABLE t (id INTEGER)',
      'INSERT INTO t SELECT * FROM range(0, 10)',
      'INSERT INTO t SELECT * FROM range(10, 20)',
      'INSERT INTO t SELECT * FROM range(20, 30)',
      'DELETE FROM t WHERE id < 4',
      `CALL lake.set_option('auto_compact', false, schema => 'main')`,
      `CALL lake.set_option('rewrite_delete_threshold', 0.1, schema => 'main')`,
    ]);
    // Schema scope in force: the whole lake and the schema-qualified call leave t alone.
    expect(await rows(c, `CALL ducklake_merge_adjacent_files('lake')`)).toEqual([]);
    expect(await rows(c, `CALL ducklake_merge_adjacent_files('lake', 't', schema => 'main')`)).toEqual([]);
    expect(await rows(c, `CALL ducklake_rewrite_data_files('lake')`)).toEqual([]);
    // Named without schema: only table scope and global count (default threshold 0.95: nothing to rewrite).
    expect(await rows(c, `CALL ducklake_rewrite_data_files('lake', 't')`)).toEqual([]);
    expect(await rows(c, `CALL ducklake_merge_adjacent_files('lake', 't')`)).toEqual([['main', 't', 2, 1]]);
    await c.query(`CALL lake.set_option('rewrite_delete_threshold', 0.1)`);
    expect(await rows(c, `CALL ducklake_rewrite_data_files('lake', 't')`)).toEqual([['main', 't', 1, 1]]);
  });
});

describe('maintenance functions in FROM', () => {
  it('runs them as the extension does in a query, which then reads their rows', async () => {
    const { client: c } = await newLake();
    await run(c, [`CALL lake.set_option('data_inlining_row_limit', 0)`, 'CREATE TABLE t (x INTEGER)', 'INSERT INTO t VALUES (1), (2)', 'INSERT INTO t VALUES (3)']);
    const merged = await c.query(`SELECT table_name, files_processed, files_created FROM ducklake_merge_adjacent_files('lake', 't')`);
    expect(merged.command).toBe('SELECT');
    expect(merged.rows).toEqual([{ table_name: 't', files_processed: '2', files_created: '1' }]);
    expect(await rows(c, `SELECT count(*) AS n FROM ducklake_cleanup_old_files('lake', cleanup_all => true, dry_run => true) AS f WHERE f.path LIKE '%.parquet'`)).toEqual([[2]]);
    expect(await rows(c, `SELECT snapshot_id FROM ducklake_expire_snapshots('lake', versions => [2, 3]) ORDER BY snapshot_id`)).toEqual([[2], [3]]);
    expect(await rows(c, `FROM lake.merge_adjacent_files()`)).toEqual([]);
    expect(await rows(c, `SELECT count(*) FROM ducklake_cleanup_old_files('lake', cleanup_all => true)`)).toEqual([[2]]);
    expect(await rows(c, `SELECT sum(x) FROM t`)).toEqual([[6]]);
    expect(await rows(c, `SELECT snapshot_id FROM ducklake_snapshots('lake') ORDER BY 1`)).toEqual([[0], [1], [4]]);
  });
});

describe('merge_adjacent_files of files without rows', () => {
  it('merges them into no file, as the extension does with the empty files per_thread_output leaves', async () => {
    const lake = await newLake();
    await lake.client.query('CREATE TABLE t (x INTEGER)');
    await lake.server.stop();
    // Two empty data files registered as the extension registers them (snapshots 2 and 3).
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(path.join(lake.dir, 'metadata.ducklake'));
    const con = await db.connect();
    mkdirSync(path.join(lake.dir, 'data', 'main', 't'), { recursive: true });
    try {
      for (const [i, snap] of [
        [0, 2],
        [1, 3],
      ] as const) {
        const file = path.join(lake.dir, 'data', 'main', 't', `ducklake-empty-${i}.parquet`);
        const stats = (await con.runAndReadAll(`COPY (SELECT 1::INTEGER AS x WHERE false) TO '${file}' (FORMAT parquet, FIELD_IDS {x: 1}, RETURN_STATS true)`)).getRowObjects()[0]!;
        await con.run(`INSERT INTO ducklake_snapshot VALUES (${snap}, now(), 1, 2, ${i + 1})`);
        await con.run(`INSERT INTO ducklake_snapshot_changes VALUES (${snap}, 'inserted_into_table:1', NULL, NULL, NULL)`);
        await con.run(`INSERT INTO ducklake_data_file VALUES (${i}, 1, ${snap}, NULL, NULL, 'ducklake-empty-${i}.parquet', true, 'parquet', 0, ${Number(stats.file_size_bytes)}, ${Number(stats.footer_size_bytes)}, 0, NULL, NULL, NULL, NULL)`);
      }
    } finally {
      con.closeSync();
      db.closeSync();
    }
    lake.server = await startServer({ dataDir: lake.dir });
    lake.client = await lake.server.client(UTC);
    expect(await rows(lake.client, `CALL ducklake_merge_adjacent_files('lake')`)).toEqual([['main', 't', 2, 0]]);
    expect(await rows(lake.client, `SELECT count(*) FROM t`)).toEqual([[0]]);
    const catalog = await catalogOf(lake);
    expect(catalog.get('ducklake_data_file')).toEqual([]);
    expect(catalog.get('ducklake_files_scheduled_for_deletion')!.map((r) => r[0])).toEqual(['0', '1']);
    expect(catalog.get('ducklake_snapshot')!.at(-1)!.slice(0, 1).concat(catalog.get('ducklake_snapshot')!.at(-1)!.slice(2))).toEqual(['4', '1', '2', '2']);
    expect(catalog.get('ducklake_snapshot_changes')!.at(-1)).toEqual(['4', 'merge_adjacent:1', null, null, null]);
  });
});
