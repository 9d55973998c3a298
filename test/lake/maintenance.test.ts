/**
 * Maintenance functions (merge_adjacent_files, rewrite_data_files, flush_inlined_data,
 * expire_snapshots, cleanup_old_files, delete_orphaned_files) called over the wire: their
 * result rows, their catalog effects (on a PostgreSQL catalog, inspected while the server
 * runs), dry runs that change nothing, files removed from storage only when the catalog allows,
 * and queries at every remaining snapshot (time travel, change feeds) that answer exactly as
 * before. Lakes written by the extension (fixtures) are maintained by lakegres and still answer
 * their cases.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, copyFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startServer, type TestServer } from '../helpers/server.js';
import { scratchDatabase, type ScratchDatabase } from '../helpers/pg-catalog.js';
import { catalogRows as catalogRowsOf, copyFixture, expectedLines, fixtureCases } from '../helpers/fixtures.js';
import { S3_KEY, setEnv, startS3, type TestS3 } from '../helpers/s3.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';

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
    const merged = await catalogRows(
      lake,
      `SELECT begin_snapshot, row_id_start, partial_max, record_count FROM ducklake_data_file WHERE table_id = ${T} AND data_file_id = (SELECT max(data_file_id) FROM ducklake_data_file)`,
    );
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

  it('leaves row ids implicit when the merged ranges follow each other (as the extension does)', async () => {
    const c = lake.client;
    await c.query(`CREATE TABLE m2 (id INTEGER)`);
    await c.query(`INSERT INTO m2 VALUES (1), (2)`);
    expect(await rows(c, `CALL ducklake_flush_inlined_data('lake', table_name => 'm2')`)).toEqual([['main', 'm2', 2]]);
    await c.query(`CALL lake.set_option('data_inlining_row_limit', 0, table_name => 'm2')`);
    await c.query(`INSERT INTO m2 SELECT * FROM range(10, 15)`);
    const snaps = await snapshotIds(c);
    const before = await history(c, 'm2', snaps, 'id');
    expect(await rows(c, `CALL ducklake_merge_adjacent_files('lake', 'm2', max_file_size => 100000)`)).toEqual([['main', 'm2', 2, 1]]);
    const T = await tableId(lake, 'm2');
    expect(await catalogRows(lake, `SELECT begin_snapshot, row_id_start, partial_max, record_count FROM ducklake_data_file WHERE table_id = ${T}`)).toEqual([
      [snaps[snaps.length - 3]!, 0, snaps[snaps.length - 1]!, 7],
    ]);
    const after = await history(c, 'm2', snaps, 'id');
    for (const s of snaps) expect({ s, rows: after.get(s) }).toEqual({ s, rows: before.get(s) });
    // min_file_size / max_file_size bound the candidates.
    await c.query(`INSERT INTO m2 VALUES (20)`);
    await c.query(`INSERT INTO m2 VALUES (21)`);
    expect(await rows(c, `CALL ducklake_merge_adjacent_files('lake', 'm2', max_file_size => 10)`)).toEqual([]);
    expect(await rows(c, `CALL ducklake_merge_adjacent_files('lake', 'm2', min_file_size => 100000000, max_file_size => 200000000)`)).toEqual([]);
    await expect(c.query(`CALL ducklake_merge_adjacent_files('lake', 'm2', min_file_size => 10, max_file_size => 10)`)).rejects.toThrow(/less than max_file_size/);
    expect((await rows(c, `CALL lake.merge_adjacent_files('m2', schema => 'main')`)).map((r) => r.slice(0, 2))).toEqual([['main', 'm2']]);
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
    const files = await catalogRows(
      lake,
      `SELECT data_file_id, begin_snapshot, end_snapshot, row_id_start, record_count, partial_max FROM ducklake_data_file WHERE table_id = ${T} ORDER BY data_file_id`,
    );
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
    const flushed = await catalogRows(
      lake,
      `SELECT begin_snapshot, row_id_start, partial_max, record_count FROM ducklake_data_file WHERE table_id = ${T} AND partial_max IS NOT NULL ORDER BY data_file_id`,
    );
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

describe('partitioned tables', () => {
  let lake: Lake;
  beforeAll(async () => {
    lake = await newLake();
  });
  afterAll(async () => {
    await lake?.stop();
  });

  it('flushes into and merges within partitions (hive directories, partition values)', async () => {
    const c = lake.client;
    await c.query(`CREATE TABLE p1 (id INTEGER, k VARCHAR, d DATE)`);
    await c.query(`ALTER TABLE p1 SET PARTITIONED BY (k)`);
    await c.query(`INSERT INTO p1 VALUES (1, 'a', DATE '2024-01-01'), (2, 'b', DATE '2024-02-01')`);
    await c.query(`INSERT INTO p1 VALUES (3, 'a', NULL), (4, NULL, DATE '2024-03-01')`);
    await c.query(`DELETE FROM p1 WHERE id = 3`);
    for (let i = 0; i < 3; i++)
      await c.query(`INSERT INTO p1 SELECT i, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END, DATE '2024-01-01' + CAST(i AS INTEGER) FROM range(${100 + i * 20}, ${120 + i * 20}) t(i)`);
    const T = await tableId(lake, 'p1');
    const snaps = await snapshotIds(c);
    const before = await history(c, 'p1', snaps, 'id, k, d');
    expect(await rows(c, `CALL ducklake_flush_inlined_data('lake')`)).toEqual([['main', 'p1', 4]]);
    const flushed = await catalogRows(
      lake,
      `SELECT f.path, v.partition_value FROM ducklake_data_file f JOIN ducklake_file_partition_value v USING (data_file_id) WHERE f.table_id = ${T} AND f.partial_max IS NOT NULL ORDER BY v.partition_value NULLS LAST`,
    );
    expect(flushed.map((r) => [String(r[0]).replace(/ducklake-.*$/, ''), r[1]])).toEqual([
      ['k=a/', 'a'],
      ['k=b/', 'b'],
      ['k=__HIVE_DEFAULT_PARTITION__/', null],
    ]);
    const merged = await rows(c, `CALL ducklake_merge_adjacent_files('lake', 'p1')`);
    // Per partition: b's flushed file and its three inserted ones; in a, the flushed file has a deletion (not merged).
    expect(merged.map((r) => r[2]).sort()).toEqual([3, 4]);
    const files = await catalogRows(
      lake,
      `SELECT f.path, f.record_count, v.partition_value FROM ducklake_data_file f JOIN ducklake_file_partition_value v USING (data_file_id) WHERE f.table_id = ${T} ORDER BY v.partition_value NULLS LAST, f.record_count`,
    );
    expect(files.map((r) => [String(r[0]).replace(/ducklake-.*$/, ''), r[1], r[2]])).toEqual([
      ['k=a/', 2, 'a'],
      ['k=a/', 30, 'a'],
      ['k=b/', 31, 'b'],
      ['k=__HIVE_DEFAULT_PARTITION__/', 1, null],
    ]);
    const after = await history(c, 'p1', snaps, 'id, k, d');
    for (const s of snaps) expect({ s, rows: after.get(s) }).toEqual({ s, rows: before.get(s) });
    expect(await lines(c, `SELECT k, count(*) AS n FROM p1 GROUP BY k ORDER BY k NULLS LAST`)).toEqual(['{"k":"a","n":31}', '{"k":"b","n":31}', '{"k":null,"n":1}']);
  });
});

describe('expire_snapshots, cleanup_old_files, delete_orphaned_files', () => {
  let lake: Lake;
  beforeAll(async () => {
    lake = await newLake();
  });
  afterAll(async () => {
    await lake?.stop();
  });

  it('expires snapshots as the extension does, schedules what only they saw, and cleans up only what the catalog allows', async () => {
    const c = lake.client;
    await c.query(`CALL lake.set_option('data_inlining_row_limit', 0)`);
    await c.query(`CREATE TABLE e1 (id INTEGER, v VARCHAR)`); // 1
    await c.query(`INSERT INTO e1 SELECT i, 'x' || i FROM range(0, 20) t(i)`); // 2
    await c.query(`INSERT INTO e1 SELECT i, 'y' || i FROM range(20, 40) t(i)`); // 3
    await c.query(`DELETE FROM e1 WHERE id < 20`); // 4: the first file ends
    await c.query(`DELETE FROM e1 WHERE id BETWEEN 20 AND 24`); // 5: delete file
    await c.query(`DELETE FROM e1 WHERE id BETWEEN 25 AND 26`); // 6: superseding delete file
    await c.query(`CALL lake.set_option('data_inlining_row_limit', 10)`);
    await c.query(`CREATE TABLE e2 (a INTEGER)`); // 7
    await c.query(`INSERT INTO e2 VALUES (1), (2)`); // 8 (inlined)
    await c.query(`INSERT INTO e2 SELECT * FROM range(100)`); // 9 (a file)
    await c.query(`CREATE VIEW ev AS SELECT * FROM e1`); // 10
    await c.query(`DROP TABLE e2`); // 11
    await c.query(`DROP VIEW ev`); // 12
    await c.query(`INSERT INTO e1 VALUES (100, 'z')`); // 13
    const snaps = await snapshotIds(c);
    expect(snaps).toEqual([...Array(14).keys()]);
    const e2 = Number((await catalogRows(lake, `SELECT table_id FROM ducklake_table WHERE table_name = 'e2'`))[0]![0]);
    const before = await history(c, 'e1', snaps, 'id, v');
    const scheduledBefore = Number((await catalogRows(lake, `SELECT count(*) FROM ducklake_files_scheduled_for_deletion`))[0]![0]);
    expect(scheduledBefore).toBe(1); // the superseded delete file

    // No criterion and no expire_older_than option: nothing happens.
    expect(await rows(c, `CALL ducklake_expire_snapshots('lake')`)).toEqual([]);
    // A dry run lists and changes nothing.
    const dry = await rows(c, `CALL ducklake_expire_snapshots('lake', versions => [1, 2, 3], dry_run => true)`);
    expect(dry.map((r) => r[0])).toEqual([1, 2, 3]);
    expect(dry[1]![3]).toEqual({ tables_inserted_into: ['1'] });
    expect(await snapshotIds(c)).toEqual(snaps);
    await expect(c.query(`CALL ducklake_expire_snapshots('lake', versions => [1], older_than => now())`)).rejects.toThrow(/cannot specify both/);

    // Expire 1..4: the first data file (ended at 4) is no longer seen by any snapshot.
    const expired = await rows(c, `CALL ducklake_expire_snapshots('lake', versions => [1, 2, 3, 4])`);
    expect(expired.map((r) => r[0])).toEqual([1, 2, 3, 4]);
    expect(await snapshotIds(c)).toEqual([0, ...snaps.slice(5)]);
    await expect(c.query(`SELECT * FROM e1 AT (VERSION => 2)`)).rejects.toThrow(/No snapshot found at version 2/);
    const after = await history(c, 'e1', snaps.slice(5), 'id, v');
    for (const s of snaps.slice(5)) expect({ s, rows: after.get(s) }).toEqual({ s, rows: before.get(s) });
    const sched = await catalogRows(lake, `SELECT data_file_id, path FROM ducklake_files_scheduled_for_deletion ORDER BY data_file_id`);
    expect(sched.length).toBe(2);
    expect(String(sched[0]![1])).toMatch(/^main\/e1\/ducklake-.*\.parquet$/);

    // Expire everything up to the newest: the dropped table and view are purged from the catalog.
    const all = await rows(c, `CALL ducklake_expire_snapshots('lake', older_than => now())`);
    expect(all.map((r) => r[0])).toEqual([0, ...snaps.slice(5, -1)]);
    expect(await snapshotIds(c)).toEqual([13]);
    expect(await catalogRows(lake, `SELECT count(*) FROM ducklake_table WHERE table_id = ${e2}`)).toEqual([[0]]);
    expect(await catalogRows(lake, `SELECT count(*) FROM ducklake_column WHERE table_id = ${e2}`)).toEqual([[0]]);
    expect(await catalogRows(lake, `SELECT count(*) FROM ducklake_table_stats WHERE table_id = ${e2}`)).toEqual([[0]]);
    expect(await catalogRows(lake, `SELECT count(*) FROM ducklake_inlined_data_tables WHERE table_id = ${e2}`)).toEqual([[0]]);
    expect(await catalogRows(lake, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'ducklake_inlined_data_${e2}_%'`)).toEqual([[0]]);
    expect(await catalogRows(lake, `SELECT count(*) FROM ducklake_view`)).toEqual([[0]]);
    expect(await catalogRows(lake, `SELECT count(*) FROM ducklake_data_file WHERE table_id = ${e2}`)).toEqual([[0]]);
    const scheduled = await catalogRows(lake, `SELECT path FROM ducklake_files_scheduled_for_deletion ORDER BY data_file_id`);
    expect(scheduled.some((p) => String(p[0]).startsWith('main/e2/'))).toBe(true);
    expect(await lines(c, `SELECT count(*) AS n, sum(id) AS s FROM e1`)).toEqual(['{"n":14,"s":529}']);

    // cleanup_old_files: the default age (2 days) leaves recent files alone; dry runs delete nothing.
    expect(await rows(c, `CALL ducklake_cleanup_old_files('lake')`)).toEqual([]);
    const listed = (await rows(c, `CALL ducklake_cleanup_old_files('lake', cleanup_all => true, dry_run => true)`)).map((r) => String(r[0]));
    expect(listed.length).toBe(scheduled.length);
    for (const p of listed) expect(existsSync(p)).toBe(true);
    await expect(c.query(`CALL ducklake_cleanup_old_files('lake', cleanup_all => true, older_than => now())`)).rejects.toThrow(/either cleanup_all OR older_than/);
    const live = (await rows(c, `SELECT data_file, delete_file FROM ducklake_list_files('lake', 'e1')`))
      .flat()
      .filter((p) => p !== null)
      .map(String);
    const removed = (await rows(c, `CALL ducklake_cleanup_old_files('lake', older_than => now() + INTERVAL 1 DAY)`)).map((r) => String(r[0]));
    expect(removed.sort()).toEqual(listed.sort());
    for (const p of removed) expect(existsSync(p)).toBe(false);
    for (const p of live) expect(existsSync(p)).toBe(true);
    expect(await catalogRows(lake, `SELECT count(*) FROM ducklake_files_scheduled_for_deletion`)).toEqual([[0]]);
    expect(await lines(c, `SELECT count(*) AS n, sum(id) AS s FROM e1`)).toEqual(['{"n":14,"s":529}']);

    // delete_orphaned_files: unregistered *.parquet files older than the cutoff, nothing the catalog names.
    const dir = path.join(lake.dataDir, 'main', 'e1');
    const old = path.join(dir, 'ducklake-orphan-old.parquet');
    const fresh = path.join(dir, 'ducklake-orphan-fresh.parquet');
    const other = path.join(dir, 'notes.txt');
    copyFileSync(live[0]!, old);
    copyFileSync(live[0]!, fresh);
    copyFileSync(live[0]!, other);
    const threeDaysAgo = new Date(Date.now() - 3 * 86400_000);
    utimesSync(old, threeDaysAgo, threeDaysAgo);
    utimesSync(other, threeDaysAgo, threeDaysAgo);
    expect((await rows(c, `CALL ducklake_delete_orphaned_files('lake', dry_run => true)`)).map((r) => r[0])).toEqual([old]);
    expect(existsSync(old)).toBe(true);
    expect((await rows(c, `CALL ducklake_delete_orphaned_files('lake')`)).map((r) => r[0])).toEqual([old]);
    expect(existsSync(old)).toBe(false);
    expect((await rows(c, `CALL lake.delete_orphaned_files(cleanup_all => true)`)).map((r) => r[0])).toEqual([fresh]);
    expect(existsSync(fresh)).toBe(false);
    expect(existsSync(other)).toBe(true);
    for (const p of live) expect(existsSync(p)).toBe(true);
    expect(parquetFiles(lake.dataDir).sort()).toEqual([...live].sort());
    expect(await lines(c, `SELECT count(*) AS n, sum(id) AS s FROM e1`)).toEqual(['{"n":14,"s":529}']);
  });

  it('takes expire_older_than and delete_older_than as defaults', async () => {
    const c = lake.client;
    await c.query(`CREATE TABLE e3 (id INTEGER)`);
    await c.query(`INSERT INTO e3 VALUES (1)`);
    await c.query(`INSERT INTO e3 VALUES (2)`);
    await c.query(`CALL lake.set_option('expire_older_than', '1 millisecond')`);
    await new Promise((r) => setTimeout(r, 20));
    const n = (await snapshotIds(c)).length;
    expect((await rows(c, `CALL lake.expire_snapshots()`)).length).toBe(n - 1);
    expect((await snapshotIds(c)).length).toBe(1);
    await c.query(`CREATE TABLE e4 (id INTEGER)`);
    await c.query(`CALL lake.set_option('data_inlining_row_limit', 0, table_name => 'e4')`);
    await c.query(`INSERT INTO e4 VALUES (1)`);
    await c.query(`INSERT INTO e4 VALUES (2)`);
    expect(await rows(c, `CALL ducklake_merge_adjacent_files('lake', 'e4')`)).toEqual([['main', 'e4', 2, 1]]);
    await c.query(`CALL lake.set_option('delete_older_than', '')`);
    await expect(c.query(`CALL ducklake_cleanup_old_files('lake')`)).rejects.toThrow(/either cleanup_all OR older_than/);
    const scheduled = Number((await catalogRows(lake, `SELECT count(*) FROM ducklake_files_scheduled_for_deletion`))[0]![0]);
    expect(scheduled).toBeGreaterThan(0);
    await c.query(`CALL lake.set_option('delete_older_than', '1 millisecond')`);
    const removed = (await rows(c, `CALL ducklake_cleanup_old_files('lake')`)).map((r) => String(r[0]));
    expect(removed.length).toBe(scheduled);
    for (const p of removed) expect(existsSync(p)).toBe(false);
    expect(await lines(c, `SELECT id FROM e3 UNION ALL SELECT id FROM e4 ORDER BY id`)).toEqual(['{"id":1}', '{"id":1}', '{"id":2}', '{"id":2}']);
  });
});

describe('maintenance and transactions', () => {
  let lake: Lake;
  beforeAll(async () => {
    lake = await newLake();
  });
  afterAll(async () => {
    await lake?.stop();
  });

  it('conflicts with concurrent deletes as the extension defines (40001), refuses transaction blocks, and dry runs inside them', async () => {
    const c = lake.client;
    const other = await lake.server.client(UTC);
    await c.query(`CREATE TABLE k1 (id INTEGER)`);
    await c.query(`CALL lake.set_option('data_inlining_row_limit', 0, table_name => 'k1')`);
    for (let i = 0; i < 3; i++) await c.query(`INSERT INTO k1 SELECT * FROM range(${i * 10}, ${i * 10 + 10})`);
    await other.query('BEGIN');
    await other.query('DELETE FROM k1 WHERE id = 5');
    expect(await rows(c, `CALL ducklake_merge_adjacent_files('lake', 'k1')`)).toEqual([['main', 'k1', 3, 1]]);
    await expect(other.query('COMMIT')).rejects.toMatchObject({ code: '40001' });
    expect(await lines(c, `SELECT count(*) AS n FROM k1`)).toEqual(['{"n":30}']);

    await c.query(`CREATE TABLE k2 (id INTEGER)`);
    await c.query(`INSERT INTO k2 VALUES (1), (2), (3)`);
    await other.query('BEGIN');
    await other.query('DELETE FROM k2 WHERE id = 1');
    expect(await rows(c, `CALL ducklake_flush_inlined_data('lake', table_name => 'k2')`)).toEqual([['main', 'k2', 3]]);
    await expect(other.query('COMMIT')).rejects.toMatchObject({ code: '40001' });
    expect(await lines(c, `SELECT id FROM k2 ORDER BY id`)).toEqual(['{"id":1}', '{"id":2}', '{"id":3}']);
    // Inserts do not conflict with a flush.
    await c.query(`INSERT INTO k2 VALUES (5)`);
    await other.query('BEGIN');
    await other.query('INSERT INTO k2 VALUES (4)');
    expect(await rows(c, `CALL ducklake_flush_inlined_data('lake', table_name => 'k2')`)).toEqual([['main', 'k2', 1]]);
    await other.query('COMMIT');
    expect(await lines(c, `SELECT id FROM k2 ORDER BY id`)).toEqual(['{"id":1}', '{"id":2}', '{"id":3}', '{"id":4}', '{"id":5}']);

    await c.query('BEGIN');
    await expect(c.query(`CALL ducklake_merge_adjacent_files('lake')`)).rejects.toMatchObject({ code: '25001' });
    await c.query('ROLLBACK');
    await c.query('BEGIN');
    expect((await rows(c, `CALL ducklake_expire_snapshots('lake', versions => [1], dry_run => true)`)).map((r) => r[0])).toEqual([1]);
    await c.query('COMMIT');
    await expect(c.query(`CALL ducklake_merge_adjacent_files('lake', 'nope')`)).rejects.toThrow(/nope/);
    await expect(c.query(`CALL ducklake_merge_adjacent_files('lake', bogus => 1)`)).rejects.toThrow(/bogus/);
    await expect(c.query(`CALL ducklake_merge_adjacent_files('lake', max_compacted_files => 0)`)).rejects.toThrow(/greater than zero/);
  });
});

describe('lakes written by the extension, maintained by lakegres', () => {
  /** Cases whose answers legitimately change with maintenance (snapshot and file listings). */
  const stable = (sql: string) => !/ducklake_snapshots|ducklake_list_files/.test(sql);
  for (const fixture of ['basic', 'deletes_updates', 'inlined', 'maintenance', 'nested', 'partitioned', 'schema_evolution', 'time_travel', 'types']) {
    it(`${fixture}: flush, merge, rewrite, cleanup (and expire where no case reads old snapshots) keep every case's answer`, async () => {
      const dir = copyFixture(fixture);
      let server = await startServer({ dataDir: dir });
      try {
        const c = await server.client(UTC);
        const check = async (when: string) => {
          for (const k of fixtureCases(fixture)) {
            if (!stable(k.sql)) continue;
            expect({ when, case: k.name, rows: await lines(c, k.sql) }).toEqual({ when, case: k.name, rows: expectedLines(fixture, k) });
          }
        };
        if (fixture === 'types') {
          // DuckDB's Parquet writer has no negative intervals: the extension cannot flush this table either.
          await expect(c.query(`CALL ducklake_flush_inlined_data('lake')`)).rejects.toThrow(/negative intervals/);
        } else await rows(c, `CALL ducklake_flush_inlined_data('lake')`);
        await check('after flush');
        await rows(c, `CALL ducklake_merge_adjacent_files('lake')`);
        await check('after merge');
        await rows(c, `CALL ducklake_rewrite_data_files('lake', delete_threshold => 0.01)`);
        await check('after rewrite');
        const readsHistory = fixtureCases(fixture).some((k) => /AT \(|table_changes|ducklake_snapshots/.test(k.sql));
        if (!readsHistory) await rows(c, `CALL ducklake_expire_snapshots('lake', older_than => now())`);
        await rows(c, `CALL ducklake_cleanup_old_files('lake', cleanup_all => true)`);
        expect(await rows(c, `CALL ducklake_delete_orphaned_files('lake', cleanup_all => true)`)).toEqual([]);
        await check('after cleanup');
        await server.stop();
        server = await startServer({ dataDir: dir });
        const c2 = await server.client(UTC);
        for (const k of fixtureCases(fixture)) {
          if (!stable(k.sql)) continue;
          expect({ case: k.name, rows: await lines(c2, k.sql) }).toEqual({ case: k.name, rows: expectedLines(fixture, k) });
        }
      } finally {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('maintenance of a lake on S3', () => {
  let s3: TestS3;
  let restoreEnv: () => void;
  beforeAll(async () => {
    restoreEnv = setEnv({ AWS_ACCESS_KEY_ID: S3_KEY, AWS_SECRET_ACCESS_KEY: S3_KEY, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    s3 = await startS3('lake');
  });
  afterAll(async () => {
    await s3?.destroy();
    restoreEnv?.();
  });

  it('merges, flushes, rewrites and removes objects through the object store', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lakegres-maint-s3-'));
    const server = await startServer({ dataDir: dir, dataPath: `s3://${s3.bucket}/m/`, s3Endpoint: s3.endpoint, s3CacheDir: path.join(dir, 'cache') });
    const keys = async () => (await s3.list('m/')).map((o) => `s3://${s3.bucket}/${o.Key!}`).sort();
    try {
      const c = await server.client(UTC);
      await c.query(`CREATE TABLE s1 (id INTEGER, v VARCHAR)`);
      await c.query(`CALL lake.set_option('data_inlining_row_limit', 0, table_name => 's1')`);
      for (let i = 0; i < 3; i++) await c.query(`INSERT INTO s1 SELECT i, 'v' || i FROM range(${i * 50}, ${i * 50 + 50}) t(i)`);
      await c.query(`CREATE TABLE s2 (id INTEGER)`);
      await c.query(`INSERT INTO s2 VALUES (1), (2), (3)`);
      await c.query(`DELETE FROM s2 WHERE id = 2`);
      const snaps = await snapshotIds(c);
      const before = await history(c, 's1', snaps, 'id, v');
      const before2 = await history(c, 's2', snaps, 'id');
      expect(await rows(c, `CALL ducklake_merge_adjacent_files('lake')`)).toEqual([['main', 's1', 3, 1]]);
      await c.query(`DELETE FROM s1 WHERE id >= 20`);
      expect(await rows(c, `CALL ducklake_flush_inlined_data('lake')`)).toEqual([['main', 's2', 3]]);
      expect(await rows(c, `CALL ducklake_rewrite_data_files('lake', delete_threshold => 0.5)`)).toEqual([['main', 's1', 1, 1]]);
      const after = await history(c, 's1', snaps, 'id, v');
      const after2 = await history(c, 's2', snaps, 'id');
      for (const s of snaps) expect({ s, rows: after.get(s), rows2: after2.get(s) }).toEqual({ s, rows: before.get(s), rows2: before2.get(s) });
      expect(await lines(c, `SELECT count(*) AS n, sum(id) AS s FROM s1`)).toEqual(['{"n":20,"s":190}']);
      // Removed from S3 only what the catalog scheduled; what it references stays.
      const removed = (await rows(c, `CALL ducklake_cleanup_old_files('lake', cleanup_all => true)`)).map((r) => String(r[0]));
      expect(removed.length).toBe(3);
      const remaining = await keys();
      for (const p of removed) expect(remaining).not.toContain(p);
      const orphan = `m/main/s1/ducklake-00000000-0000-7000-8000-000000000000.parquet`;
      await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: orphan, Body: 'not really parquet' }));
      expect((await rows(c, `CALL ducklake_delete_orphaned_files('lake', cleanup_all => true)`)).map((r) => r[0])).toEqual([`s3://${s3.bucket}/${orphan}`]);
      const referenced = new Set<string>();
      for (const t of ['s1', 's2']) for (const r of await rows(c, `SELECT data_file, delete_file FROM ducklake_list_files('lake', '${t}')`)) for (const p of r) if (p) referenced.add(String(p));
      // Files of time travel (the rewritten file's old version) are still referenced by the catalog.
      const all = await keys();
      for (const p of referenced) expect(all).toContain(p);
      expect(await lines(c, `SELECT count(*) AS n, sum(id) AS s FROM s1`)).toEqual(['{"n":20,"s":190}']);
      expect(await lines(c, `SELECT id FROM s2 ORDER BY id`)).toEqual(['{"id":1}', '{"id":3}']);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('maintenance on a DuckDB catalog', () => {
  it('expires a dropped table with inlined data and deletions, flushes, merges and cleans up; the catalog is consistent after a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lakegres-maint-duck-'));
    let server = await startServer({ dataDir: dir });
    try {
      const c = await server.client(UTC);
      await c.query(`CREATE TABLE d1 (id INTEGER, v VARCHAR)`);
      await c.query(`INSERT INTO d1 VALUES (1, 'a'), (2, 'b')`);
      await c.query(`INSERT INTO d1 SELECT i, 'x' FROM range(10, 40) t(i)`);
      await c.query(`DELETE FROM d1 WHERE id IN (1, 11)`);
      await c.query(`CREATE TABLE d2 (id INTEGER)`);
      await c.query(`INSERT INTO d2 SELECT * FROM range(50)`);
      await c.query(`INSERT INTO d2 SELECT * FROM range(50, 100)`);
      await c.query(`INSERT INTO d2 VALUES (1000)`);
      await c.query(`DELETE FROM d2 WHERE id IN (3, 1000)`);
      await c.query(`ALTER TABLE d2 ADD COLUMN w INTEGER`);
      await c.query(`DROP TABLE d2`);
      expect(await rows(c, `CALL ducklake_flush_inlined_data('lake')`)).toEqual([['main', 'd1', 2]]);
      expect(await rows(c, `CALL ducklake_expire_snapshots('lake', older_than => now())`)).toHaveLength(12);
      expect(await rows(c, `CALL ducklake_cleanup_old_files('lake', cleanup_all => true)`)).toHaveLength(2);
      expect(await lines(c, `SELECT id, v FROM d1 WHERE id < 13 ORDER BY id`)).toEqual(['{"id":2,"v":"b"}', '{"id":10,"v":"x"}', '{"id":12,"v":"x"}']);
      await server.stop();
      const catalog = await catalogRowsOf(path.join(dir, 'metadata.ducklake'));
      expect(catalog.get('ducklake_table')!.length).toBe(1);
      expect([...catalog.keys()].filter((t) => t.startsWith('ducklake_inlined_'))).toEqual(['ducklake_inlined_data_1_1', 'ducklake_inlined_data_tables', 'ducklake_inlined_delete_1']);
      expect(catalog.get('ducklake_inlined_data_1_1')).toEqual([]);
      expect(catalog.get('ducklake_inlined_delete_1')).toEqual([]);
      expect(catalog.get('ducklake_files_scheduled_for_deletion')).toEqual([]);
      expect(catalog.get('ducklake_column')!.every((r) => JSON.parse(r)[3] === '1')).toBe(true);
      expect(catalog.get('ducklake_snapshot')!.length).toBe(1);
      server = await startServer({ dataDir: dir });
      const c2 = await server.client(UTC);
      expect(await lines(c2, `SELECT count(*) AS n, sum(id) AS s FROM d1`)).toEqual(['{"n":30,"s":726}']);
      expect(parquetFiles(path.join(dir, 'data')).length).toBe(4); // d1's file + its delete file, the flushed file + its delete file
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
