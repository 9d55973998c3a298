/**
 * Maintenance functions (merge_adjacent_files, rewrite_data_files, flush_inlined_data,
 * expire_snapshots, cleanup_old_files, delete_orphaned_files) called over the wire: their
 * result rows, their catalog effects (on a PostgreSQL catalog, inspected while the server
 * runs), dry runs that change nothing, files removed from storage only when the catalog allows,
 * and queries at every remaining snapshot (time travel, change feeds) that answer exactly as
 * before. Lakes written by the extension (fixtures) are maintained by lakegres and still answer
 * their cases.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, copyFileSync, utimesSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startServer, type TestServer } from '../helpers/server.js';
import { scratchDatabase, type ScratchDatabase } from '../helpers/pg-catalog.js';
import { copyFixture, expectedLines, fixtureCases } from '../helpers/fixtures.js';

const UTC = { options: '-c TimeZone=UTC' };

interface Lake {
  server: TestServer;
  client: pg.Client;
  /** The PostgreSQL catalog (for inspecting catalog rows while the server runs). */
  catalog: pg.Client;
  dataDir: string;
  stop(): Promise<void>;
}

let db: ScratchDatabase;
let lakeNo = 0;

beforeAll(async () => {
  db = await scratchDatabase('lgmaint');
});

afterAll(async () => {
  await db?.drop();
});

/** A fresh lake on a PostgreSQL catalog (its own schema of the scratch database). */
async function newLake(): Promise<Lake> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lakegres-maint-'));
  const schema = `lake${++lakeNo}`;
  const admin = await db.client();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const server = await startServer({ dataDir: dir, catalog: db.url, metadataSchema: schema, dataPath: path.join(dir, 'data') });
  const client = await server.client(UTC);
  await admin.query(`SET search_path = ${schema}`);
  return {
    server,
    client,
    catalog: admin,
    dataDir: path.join(dir, 'data'),
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function rows(c: pg.Client, sql: string): Promise<unknown[][]> {
  const r = await c.query({ text: sql, rowMode: 'array' });
  // int8 and numeric arrive as text: compare them as numbers.
  const numeric = r.fields.map((f) => f.dataTypeID === 20 || f.dataTypeID === 1700);
  return (r.rows as unknown[][]).map((row) => row.map((v, i) => (numeric[i] && v !== null ? Number(v) : v)));
}

/** Result lines as the fixtures spell them (one JSON object per row). */
async function lines(c: pg.Client, sql: string): Promise<string[]> {
  const r = await c.query({ text: `SELECT to_json(q)::VARCHAR AS j FROM (${sql}) q`, rowMode: 'array' });
  return r.rows.map((row) => String(row[0]));
}

async function snapshotIds(c: pg.Client): Promise<number[]> {
  return (await rows(c, `SELECT snapshot_id FROM ducklake_snapshots('lake') ORDER BY snapshot_id`)).map((r) => Number(r[0]));
}

/** Every row of a table (with its row id and snapshot) at every given snapshot. */
async function history(c: pg.Client, table: string, snapshots: number[], cols: string): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (const s of snapshots) {
    try {
      out.set(s, await lines(c, `SELECT rowid AS rid, snapshot_id AS sid, ${cols} FROM ${table} AT (VERSION => ${s}) ORDER BY rid, sid`));
    } catch (e) {
      out.set(s, [`error: ${(e as Error).message.replace(/".*"/, '')}`]);
    }
  }
  return out;
}

/** table_changes / insertions / deletions over every range ending at the given snapshots. */
async function feeds(c: pg.Client, table: string, snapshots: number[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const a of snapshots) {
    for (const b of snapshots) {
      if (b < a) continue;
      out.set(`changes ${a}-${b}`, await lines(c, `SELECT * FROM ducklake_table_changes('lake', 'main', '${table}', ${a}, ${b}) ORDER BY ALL`));
      if (a === snapshots[0] || a === b) {
        out.set(`insertions ${a}-${b}`, await lines(c, `SELECT rowid, snapshot_id, * FROM ducklake_table_insertions('lake', 'main', '${table}', ${a}, ${b}) ORDER BY ALL`));
        out.set(`deletions ${a}-${b}`, await lines(c, `SELECT rowid, snapshot_id, * FROM ducklake_table_deletions('lake', 'main', '${table}', ${a}, ${b}) ORDER BY ALL`));
      }
    }
  }
  return out;
}

async function catalogRows(lake: Lake, sql: string): Promise<unknown[][]> {
  return rows(lake.catalog, sql);
}

function parquetFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.parquet')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** Table id of a lake table. */
async function tableId(lake: Lake, name: string): Promise<number> {
  const r = await catalogRows(lake, `SELECT table_id FROM ducklake_table WHERE table_name = '${name}' AND end_snapshot IS NULL`);
  return Number(r[0]![0]);
}

async function lastChanges(lake: Lake): Promise<string | null> {
  const r = await catalogRows(lake, `SELECT changes_made FROM ducklake_snapshot_changes ORDER BY snapshot_id DESC LIMIT 1`);
  return (r[0]?.[0] as string | null) ?? null;
}

describe('merge_adjacent_files', () => {
  let lake: Lake;
  beforeAll(async () => {
    lake = await newLake();
  });
  afterAll(async () => {
    await lake?.stop();
  });

  it('merges the small files of a table into one, keeping rows, row ids, snapshots, time travel and change feeds', async () => {
    const c = lake.client;
    await c.query(`CREATE TABLE m1 (id INTEGER, v VARCHAR)`);
    await c.query(`CALL lake.set_option('data_inlining_row_limit', 0, table_name => 'm1')`);
    for (let i = 0; i < 5; i++) await c.query(`INSERT INTO m1 SELECT i, 'v' || i FROM range(${i * 10}, ${i * 10 + 10}) t(i)`);
    // An UPDATE writes a file with explicit row ids (adjacent to its neighbours by row_id_start).
    await c.query(`UPDATE m1 SET v = 'updated' WHERE id IN (3, 13)`);
    await c.query(`INSERT INTO m1 VALUES (100, 'last')`);
    const snaps = await snapshotIds(c);
    const before = await history(c, 'm1', snaps, 'id, v');
    const feedsBefore = await feeds(c, 'm1', snaps.slice(-5));
    const filesBefore = (await rows(c, `SELECT data_file FROM ducklake_list_files('lake', 'm1')`)).length;
    expect(filesBefore).toBe(7);
    const T = await tableId(lake, 'm1');

    const r = await rows(c, `CALL ducklake_merge_adjacent_files('lake')`);
    // Files with deletes (the first two) are not merged; the five others are.
    expect(r).toEqual([['main', 'm1', 5, 1]]);
    expect(await lastChanges(lake)).toBe(`merge_adjacent:${T}`);
    expect((await rows(c, `SELECT data_file FROM ducklake_list_files('lake', 'm1')`)).length).toBe(3);
    const merged = await catalogRows(lake, `SELECT begin_snapshot, row_id_start, partial_max, record_count FROM ducklake_data_file WHERE table_id = ${T} AND data_file_id = (SELECT max(data_file_id) FROM ducklake_data_file)`);
    expect(merged).toEqual([[snaps[4]!, null, snaps[snaps.length - 1]!, 33]]);
    // Sources are gone from the catalog and scheduled for deletion (still on disk until cleanup).
    const scheduled = await catalogRows(lake, `SELECT path, path_is_relative FROM ducklake_files_scheduled_for_deletion ORDER BY data_file_id`);
    expect(scheduled.length).toBe(5);
    for (const [p, rel] of scheduled) {
      expect(rel).toBe(true);
      expect(existsSync(path.join(lake.dataDir, String(p)))).toBe(true);
    }
    // Table statistics are unchanged by a merge.
    const stats = await catalogRows(lake, `SELECT record_count, next_row_id FROM ducklake_table_stats WHERE table_id = ${T}`);
    expect(stats).toEqual([[53, 53]]);

    const after = await history(c, 'm1', snaps, 'id, v');
    for (const s of snaps) expect({ s, rows: after.get(s) }).toEqual({ s, rows: before.get(s) });
    expect(await feeds(c, 'm1', snaps.slice(-5))).toEqual(feedsBefore);
    // Nothing left to merge.
    expect(await rows(c, `CALL ducklake_merge_adjacent_files('lake', 'm1')`)).toEqual([]);
  });
});

describe('rewrite_data_files', () => {
  let lake: Lake;
  beforeAll(async () => {
    lake = await newLake();
  });
  afterAll(async () => {
    await lake?.stop();
  });

  it('rewrites files with many deletions, ends the old ones (time travel keeps working) and recomputes stats', async () => {
    const c = lake.client;
    await c.query(`CREATE TABLE r1 (id INTEGER, v VARCHAR)`);
    await c.query(`CALL lake.set_option('data_inlining_row_limit', 0, table_name => 'r1')`);
    await c.query(`INSERT INTO r1 SELECT i, 'a' || i FROM range(0, 100) t(i)`);
    await c.query(`INSERT INTO r1 SELECT i, 'b' || i FROM range(100, 200) t(i)`);
    await c.query(`DELETE FROM r1 WHERE id < 90`);
    await c.query(`DELETE FROM r1 WHERE id BETWEEN 90 AND 96`);
    await c.query(`DELETE FROM r1 WHERE id >= 100 AND id < 150`);
    const T = await tableId(lake, 'r1');
    const snaps = await snapshotIds(c);
    const before = await history(c, 'r1', snaps, 'id, v');
    const feedsBefore = await feeds(c, 'r1', snaps.slice(-4));
    const latestBefore = await lines(c, `SELECT rowid, id, v FROM r1 ORDER BY rowid`);

    // Default threshold (0.95): only the first file (97 of 100 rows deleted) qualifies.
    expect(await rows(c, `CALL ducklake_rewrite_data_files('lake')`)).toEqual([['main', 'r1', 1, 1]]);
    expect(await lastChanges(lake)).toBe(`rewrite_delete:${T}`);
    const N = (await snapshotIds(c)).at(-1)!;
    const files = await catalogRows(lake, `SELECT data_file_id, begin_snapshot, end_snapshot, row_id_start, record_count, partial_max FROM ducklake_data_file WHERE table_id = ${T} ORDER BY data_file_id`);
    expect(files.map((f) => f.slice(1))).toEqual([
      [snaps[2]!, N, 0, 100, null],
      [snaps[3]!, null, 100, 100, null],
      [N, null, null, 3, null],
    ]);
    const deletes = await catalogRows(lake, `SELECT data_file_id, end_snapshot, delete_count FROM ducklake_delete_file WHERE table_id = ${T} ORDER BY delete_file_id`);
    expect(deletes.map((d) => [d[1], d[2]])).toEqual([
      [N, 97],
      [null, 50],
    ]);
    // Deletions remain: statistics are left alone.
    expect(await catalogRows(lake, `SELECT record_count, next_row_id FROM ducklake_table_stats WHERE table_id = ${T}`)).toEqual([[200, 200]]);
    expect(await lines(c, `SELECT rowid, id, v FROM r1 ORDER BY rowid`)).toEqual(latestBefore);

    // An explicit threshold takes the second file too; then no deletion is left and the statistics are exact again.
    expect(await rows(c, `CALL ducklake_rewrite_data_files('lake', 'r1', delete_threshold => 0.5)`)).toEqual([['main', 'r1', 1, 1]]);
    expect(await catalogRows(lake, `SELECT record_count, next_row_id FROM ducklake_table_stats WHERE table_id = ${T}`)).toEqual([[53, 200]]);
    expect(await catalogRows(lake, `SELECT column_id, contains_null, min_value, max_value FROM ducklake_table_column_stats WHERE table_id = ${T} ORDER BY column_id`)).toEqual([
      [1, false, '97', '199'],
      [2, false, 'a97', 'b199'],
    ]);
    expect(await lines(c, `SELECT rowid, id, v FROM r1 ORDER BY rowid`)).toEqual(latestBefore);
    const after = await history(c, 'r1', snaps, 'id, v');
    for (const s of snaps) expect({ s, rows: after.get(s) }).toEqual({ s, rows: before.get(s) });
    expect(await feeds(c, 'r1', snaps.slice(-4))).toEqual(feedsBefore);
    // Nothing qualifies any more; the option is honoured too.
    await c.query(`CALL lake.set_option('rewrite_delete_threshold', 0)`);
    expect(await rows(c, `CALL ducklake_rewrite_data_files('lake')`)).toEqual([]);
    await expect(c.query(`CALL ducklake_rewrite_data_files('lake', delete_threshold => 2)`)).rejects.toThrow(/between 0 and 1/);
  });
});

describe('flush_inlined_data', () => {
  let lake: Lake;
  beforeAll(async () => {
    lake = await newLake();
  });
  afterAll(async () => {
    await lake?.stop();
  });

  it('moves inlined rows and inlined deletions to Parquet, keeping row ids, time travel and change feeds', async () => {
    const c = lake.client;
    await c.query(`CREATE TABLE f1 (id INTEGER, v VARCHAR, d DATE)`);
    await c.query(`INSERT INTO f1 VALUES (1, 'a', DATE '2020-01-01'), (2, 'b', NULL)`);
    await c.query(`INSERT INTO f1 VALUES (3, 'c', DATE '2020-01-03')`);
    await c.query(`DELETE FROM f1 WHERE id = 2`);
    await c.query(`UPDATE f1 SET v = 'cc' WHERE id = 3`);
    await c.query(`INSERT INTO f1 SELECT i, 'p' || i, NULL FROM range(10, 60) t(i)`);
    await c.query(`DELETE FROM f1 WHERE id BETWEEN 30 AND 41`);
    await c.query(`DELETE FROM f1 WHERE id IN (11, 12)`);
    await c.query(`ALTER TABLE f1 ADD COLUMN extra INTEGER DEFAULT 7`);
    await c.query(`INSERT INTO f1 VALUES (70, 'new', NULL, 8)`);
    await c.query(`DELETE FROM f1 WHERE id = 13`);
    const T = await tableId(lake, 'f1');
    const inlinedBefore = (await catalogRows(lake, `SELECT table_name FROM ducklake_inlined_data_tables WHERE table_id = ${T} ORDER BY schema_version`)).map((r) => String(r[0]));
    expect(inlinedBefore.length).toBe(2);
    expect(await catalogRows(lake, `SELECT count(*) FROM ducklake_inlined_delete_${T}`)).toEqual([[3]]);
    const snaps = await snapshotIds(c);
    const before = await history(c, 'f1', snaps, 'id, v, d');
    const feedsBefore = await feeds(c, 'f1', snaps.slice(1));
    const stats = await catalogRows(lake, `SELECT record_count, next_row_id FROM ducklake_table_stats WHERE table_id = ${T}`);

    // 4 rows of the first inlined table (one deleted, one old version of an updated row) and 1 of the second.
    expect(await rows(c, `CALL ducklake_flush_inlined_data('lake')`)).toEqual([['main', 'f1', 5]]);
    expect(await lastChanges(lake)).toBe(`deleted_from_table:${T},inline_flush:${T}`);
    // The inlined rows and deletions are gone; the superseded empty inlined table was dropped.
    expect(await catalogRows(lake, `SELECT count(*) FROM ducklake_inlined_delete_${T}`)).toEqual([[0]]);
    expect((await catalogRows(lake, `SELECT table_name FROM ducklake_inlined_data_tables WHERE table_id = ${T}`)).map((r) => r[0])).toEqual([inlinedBefore[1]]);
    expect(await catalogRows(lake, `SELECT count(*) FROM ${inlinedBefore[1]}`)).toEqual([[0]]);
    expect(await catalogRows(lake, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '${inlinedBefore[0]}'`)).toEqual([[0]]);
    // Flushed files: partial, with their rows' first row id and snapshots; record counts unchanged in the stats.
    const flushed = await catalogRows(lake, `SELECT begin_snapshot, row_id_start, partial_max, record_count FROM ducklake_data_file WHERE table_id = ${T} AND partial_max IS NOT NULL ORDER BY data_file_id`);
    expect(flushed).toEqual([
      [snaps[2]!, 0, snaps[5]!, 4],
      [snaps[10]!, 53, snaps[10]!, 1],
    ]);
    expect(await catalogRows(lake, `SELECT record_count, next_row_id FROM ducklake_table_stats WHERE table_id = ${T}`)).toEqual(stats);
    // Deletions are tagged delete files: one attached to the first flushed file, one superseding the Parquet file's.
    const dels = await catalogRows(lake, `SELECT begin_snapshot, delete_count, partial_max FROM ducklake_delete_file WHERE table_id = ${T} ORDER BY delete_file_id`);
    expect(dels).toEqual([
      [snaps[7]!, 15, snaps[11]!],
      [snaps[4]!, 2, null],
    ]);

    const after = await history(c, 'f1', snaps, 'id, v, d');
    for (const s of snaps) expect({ s, rows: after.get(s) }).toEqual({ s, rows: before.get(s) });
    expect(await feeds(c, 'f1', snaps.slice(1))).toEqual(feedsBefore);
    // Nothing left: no snapshot.
    const n = (await snapshotIds(c)).length;
    expect(await rows(c, `CALL ducklake_flush_inlined_data('lake', table_name => 'f1')`)).toEqual([]);
    expect((await snapshotIds(c)).length).toBe(n);
    // New small inserts go to the remaining inlined table again and flush by schema.
    await c.query(`INSERT INTO f1 VALUES (80, 'later', NULL, 1)`);
    expect(await rows(c, `CALL lake.flush_inlined_data(schema_name => 'main')`)).toEqual([['main', 'f1', 1]]);
    expect(await lines(c, `SELECT id, v, extra FROM f1 WHERE id >= 70 ORDER BY id`)).toEqual(['{"id":70,"v":"new","extra":8}', '{"id":80,"v":"later","extra":1}']);
  });
});
