/**
 * The opt-in maintenance schedule (--maintenance): with small intervals and thresholds it
 * flushes, merges, expires and cleans while clients keep inserting, deleting and querying;
 * queries never fail and always see their data; runs are bounded, never overlap, are logged
 * (structured), and stop with the server. Invalid settings refuse to start.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { pino } from 'pino';
import { LakegresServer } from '../../src/server/server.js';
import { ConfigError, resolveConfig } from '../../src/config/options.js';
import { parseDuration, scheduleOptions } from '../../src/lake/maintenance/scheduler.js';
import { startServer } from '../helpers/server.js';

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a statement, retrying what a concurrent maintenance commit made fail with 40001 (as clients should). */
async function retrying(c: pg.Client, sql: string): Promise<pg.QueryResult> {
  for (let i = 0; ; i++) {
    try {
      return await c.query(sql);
    } catch (e) {
      if ((e as { code?: string }).code !== '40001' || i >= 20) throw e;
    }
  }
}

describe('maintenance schedule', () => {
  it('parses durations and refuses invalid settings before starting', async () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('5 minutes')).toBe(300_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('soon')).toBeUndefined();
    const base = resolveConfig({ maintenance: true }, {});
    expect(scheduleOptions(base)).toEqual({ intervalMs: 300_000, flushRows: 1000, smallFileSize: 16 * 1024 ** 2, maxFiles: 64, retentionMs: 'auto', cleanupMs: 'auto', deleteOrphans: false });
    expect(scheduleOptions({ ...base, maintenanceRetention: 'off', maintenanceCleanup: '1h' })).toMatchObject({ retentionMs: null, cleanupMs: 3_600_000 });
    expect(() => scheduleOptions({ ...base, maintenanceInterval: 'soon' })).toThrow(/--maintenance-interval/);
    expect(() => scheduleOptions({ ...base, maintenanceSmallFileSize: 'big' })).toThrow(/--maintenance-small-file-size/);
    expect(() => scheduleOptions({ ...base, maintenanceRetention: 'forever' })).toThrow(/--maintenance-retention/);
    await expect(startServer({ maintenance: true, maintenanceCleanup: 'x' })).rejects.toBeInstanceOf(ConfigError);
    // Off by default.
    const s = await startServer();
    try {
      expect(s.server.maintenance).toEqual([]);
    } finally {
      await s.stop();
    }
  });

  it('flushes, merges, expires and cleans while clients write and read, bounded, logged, stopped with the server', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lakegres-schedule-'));
    const logLines: Record<string, unknown>[] = [];
    const log = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, cb) {
          for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
          cb();
        },
      }),
    );
    const config = {
      ...resolveConfig({ port: 0, dataDir, logLevel: 'silent' }, {}),
      maintenance: true,
      maintenanceInterval: '250ms',
      maintenanceFlushRows: 5,
      maintenanceSmallFileSize: '1MB',
      maintenanceMaxFiles: 3,
      maintenanceRetention: '1s',
      maintenanceCleanup: '1s',
      maintenanceDeleteOrphans: true,
    };
    const server = await LakegresServer.start(config, log);
    const clients: pg.Client[] = [];
    const connect = async () => {
      const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: config.user, database: 'lake', options: '-c TimeZone=UTC' });
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
      return c;
    };
    try {
      expect(server.maintenance.length).toBe(1);
      const scheduler = server.maintenance[0]!;
      const setup = await connect();
      await setup.query('CREATE TABLE small (id INTEGER, v VARCHAR)');
      await setup.query('CREATE TABLE files (id INTEGER, v VARCHAR)');
      await setup.query(`CALL lake.set_option('data_inlining_row_limit', 0, table_name => 'files')`);

      // Two writers and a reader for ~3 seconds, while maintenance runs every 250ms.
      const deadline = Date.now() + 3000;
      const expected = { small: new Set<number>(), files: new Set<number>() };
      const writer = async (table: 'small' | 'files', perStatement: number) => {
        const c = await connect();
        let next = 0;
        let statements = 0;
        while (Date.now() < deadline) {
          const ids = Array.from({ length: perStatement }, () => next++);
          await retrying(c, `INSERT INTO ${table} VALUES ${ids.map((i) => `(${i}, 'v${i}')`).join(', ')}`);
          for (const i of ids) expected[table].add(i);
          if (++statements % 7 === 0) {
            const victim = ids[0]!;
            await retrying(c, `DELETE FROM ${table} WHERE id = ${victim}`);
            expected[table].delete(victim);
          }
          // Each writer reads its own committed data back, exactly.
          const r = await c.query(`SELECT count(*)::INTEGER AS n, coalesce(sum(id), 0)::BIGINT AS s FROM ${table}`);
          const want = [...expected[table]];
          expect({ table, n: r.rows[0].n, s: Number(r.rows[0].s) }).toEqual({ table, n: want.length, s: want.reduce((a, b) => a + b, 0) });
        }
      };
      const reader = async () => {
        const c = await connect();
        let queries = 0;
        while (Date.now() < deadline) {
          await c.query(`SELECT count(*), min(id), max(v) FROM small`);
          await c.query(`SELECT s.id, f.v FROM small s JOIN files f USING (id) ORDER BY s.id DESC LIMIT 5`);
          await c.query(`SELECT count(*) FROM ducklake_list_files('lake', 'files')`);
          queries += 3;
        }
        return queries;
      };
      const [, , queries] = await Promise.all([writer('small', 2), writer('files', 3), reader()]);
      expect(queries).toBeGreaterThan(10);

      // Let maintenance catch up: a run after the writers stopped, then one after the cleanup age.
      const runsAfterWork = scheduler.runs;
      const until = Date.now() + 10_000;
      while ((scheduler.runs < runsAfterWork + 2 || scheduler.totals.cleaned === 0 || scheduler.totals.expired === 0) && Date.now() < until) await sleep(100);
      await sleep(1200);
      await scheduler.runNow();
      const t = scheduler.totals;
      expect(t.flushed).toBeGreaterThan(0);
      expect(t.merged).toBeGreaterThan(0);
      expect(t.expired).toBeGreaterThan(0);
      expect(t.cleaned).toBeGreaterThan(0);
      expect(scheduler.runs).toBeGreaterThan(3);
      // Only lost commit races are skipped (never a failure), and every run is bounded.
      for (const l of logLines.filter((l) => l.msg === 'maintenance step failed')) throw new Error(`maintenance step failed: ${JSON.stringify(l)}`);
      const runs = logLines.filter((l) => l.msg === 'maintenance run');
      expect(runs.length).toBeGreaterThan(0);
      for (const r of runs) {
        expect(r).toMatchObject({ lake: 'lake', component: 'maintenance' });
        expect((r.flushed as unknown[]).length).toBeLessThanOrEqual(3);
        expect(r.ms as number).toBeLessThan(15_000);
      }
      expect(logLines.some((l) => l.msg === 'maintenance scheduled' && l.intervalMs === 250)).toBe(true);
      // A run asked for while one is going is that run.
      const a = scheduler.runNow();
      const b = scheduler.runNow();
      expect(a).toBe(b);
      await a;

      // The data is intact and compact; on disk only what the catalog references is left.
      const c = await connect();
      for (const table of ['small', 'files'] as const) {
        const want = [...expected[table]];
        const r = await c.query(`SELECT count(*)::INTEGER AS n, coalesce(sum(id), 0)::BIGINT AS s FROM ${table}`);
        expect({ table, n: r.rows[0].n, s: Number(r.rows[0].s) }).toEqual({ table, n: want.length, s: want.reduce((x, y) => x + y, 0) });
      }
      const referenced = new Set<string>();
      for (const table of ['small', 'files']) {
        for (const row of (await c.query({ text: `SELECT data_file, delete_file FROM ducklake_list_files('lake', '${table}')`, rowMode: 'array' })).rows) {
          for (const p of row) if (p) referenced.add(String(p));
        }
      }
      expect(parquetFiles(path.join(dataDir, 'data'))).toEqual([...referenced].sort());
      const snapshots = (await c.query(`SELECT count(*)::INTEGER AS n FROM ducklake_snapshots('lake')`)).rows[0].n as number;
      expect(snapshots).toBeLessThan(10);
    } finally {
      for (const c of clients) await c.end().catch(() => undefined);
      const scheduler = server.maintenance[0];
      await server.shutdown(0);
      if (scheduler) {
        const runs = scheduler.runs;
        await sleep(600);
        expect(scheduler.runs).toBe(runs);
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
