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
