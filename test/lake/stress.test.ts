/**
 * Concurrency stress: three lakegres processes on one PostgreSQL catalog and one data directory,
 * eight sessions each, doing a fixed number of mixed INSERT/UPDATE/DELETE operations and
 * transactions. Lost races surface as 40001 and are retried (bounded). Afterwards the lake must
 * hold exactly what a ledger of the successful operations says, and the catalog must be
 * consistent (consecutive snapshots, unique row ids, one visible delete file per data file, no
 * overlapping visibility).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { spawnServer, type ServerProcess } from '../helpers/cli-process.js';
import { scratchDatabase, type ScratchDatabase } from '../helpers/pg-catalog.js';

const PROCESSES = 3;
const SESSIONS_PER_PROCESS = 8;
const OPS_PER_SESSION = 10;
const MAX_ATTEMPTS = 150;

let db: ScratchDatabase;
let dir: string;
const procs: ServerProcess[] = [];

beforeAll(async () => {
  db = await scratchDatabase('lgstress');
  dir = mkdtempSync(path.join(tmpdir(), 'lakegres-stress-'));
  for (let i = 0; i < PROCESSES; i++) {
    procs.push(await spawnServer(['--data-dir', path.join(dir, `p${i}`), '--catalog', db.url, '--data-path', path.join(dir, 'data'), '--log-level', 'info', '--max-connections', '40']));
  }
}, 120_000);

afterAll(async () => {
  for (const p of procs) p.kill();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A small deterministic generator per worker (the run is reproducible). */
function rng(seed: number): () => number {
  let x = seed * 2654435761 + 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

interface Ledger {
  rows: Map<number, number>;
  nextSeq: number;
}

const connect = async (port: number) => {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'lakegres', database: 'lake' });
  c.on('error', () => undefined);
  await c.connect();
  return c;
};

describe('three lakegres processes x eight sessions on one PostgreSQL catalog', () => {
  it('commit every operation exactly once and leave a consistent catalog', async () => {
    const setup = await connect(procs[0]!.port);
    await setup.query('create table stress (worker int, seq int, v int)');
    await setup.query('insert into stress select -1, i, 0 from range(0, 500) t(i)');
    const codes = new Map<string, number>();
    const started = Date.now();

    const worker = async (id: number, port: number): Promise<Ledger> => {
      const c = await connect(port);
      const next = rng(id + 1);
      const ledger: Ledger = { rows: new Map(), nextSeq: 0 };
      try {
        for (let op = 0; op < OPS_PER_SESSION; op++) {
          const kind = Math.floor(next() * 5);
          const n = next() < 0.15 ? 60 + Math.floor(next() * 200) : 1 + Math.floor(next() * 8);
          const r = Math.floor(next() * 3);
          for (let attempt = 1; ; attempt++) {
            // The effect of this operation on a copy of the ledger; kept only when it commits.
            const rows = new Map(ledger.rows);
            let seq = ledger.nextSeq;
            const insert = async () => {
              await c.query(`insert into stress select ${id}, ${seq} + i, 1 from range(0, ${n}) t(i)`);
              for (let i = 0; i < n; i++) rows.set(seq + i, 1);
              seq += n;
            };
            const update = async () => {
              await c.query(`update stress set v = v + 1 where worker = ${id} and seq % 3 = ${r}`);
              for (const [k, v] of rows) if (k % 3 === r) rows.set(k, v + 1);
            };
            const remove = async () => {
              await c.query(`delete from stress where worker = ${id} and seq % 5 = ${r}`);
              for (const k of [...rows.keys()]) if (k % 5 === r) rows.delete(k);
            };
            try {
              if (kind <= 1) await insert();
              else if (kind === 2) await update();
              else if (kind === 3) await remove();
              else {
                await c.query('begin');
                await insert();
                await update();
                if (r === 0) await remove();
                await c.query('commit');
              }
              ledger.rows = rows;
              ledger.nextSeq = seq;
              break;
            } catch (e) {
              const code = (e as { code?: string }).code ?? 'none';
              codes.set(code, (codes.get(code) ?? 0) + 1);
              await c.query('rollback').catch(() => undefined);
              if (code !== '40001' || attempt >= MAX_ATTEMPTS) throw new Error(`worker ${id} op ${op}: ${code} ${(e as Error).message} (attempt ${attempt})`);
              // Back off (bounded, with jitter): every lost race means another session committed.
              await new Promise((res) => setTimeout(res, Math.min(400, 5 * 2 ** Math.min(attempt, 7)) * (0.5 + next())));
            }
          }
        }
      } finally {
        await c.end();
      }
      return ledger;
    };

    const ledgers = await Promise.all(
      Array.from({ length: PROCESSES * SESSIONS_PER_PROCESS }, (_, i) => worker(i, procs[i % PROCESSES]!.port)),
    );
    const elapsed = Date.now() - started;
    // Only lost races surface, and as 40001.
    expect([...codes.keys()].filter((k) => k !== '40001')).toEqual([]);

    // Every process sees the same, exact contents.
    for (const p of procs) {
      const c = await connect(p.port);
      const got = (await c.query('select worker, count(*)::int AS n, coalesce(sum(v), 0)::int AS s, string_agg(seq::varchar, \',\' order by seq) AS seqs from stress group by worker')).rows;
      const byWorker = new Map(got.map((r) => [r.worker as number, r]));
      expect(byWorker.get(-1)).toMatchObject({ n: 500, s: 0 });
      for (const [id, l] of ledgers.entries()) {
        const want = [...l.rows.entries()].sort((x, y) => x[0] - y[0]);
        const row = byWorker.get(id);
        expect({ id, n: row?.n ?? 0, s: row?.s ?? 0, seqs: row?.seqs ?? null }).toEqual({
          id,
          n: want.length,
          s: want.reduce((a, [, v]) => a + v, 0),
          seqs: want.length ? want.map(([k]) => k).join(',') : null,
        });
      }
      const ids = (await c.query('select count(*)::int AS n, count(distinct rowid)::int AS d, max(rowid)::int8 AS m from stress')).rows[0];
      expect(ids.n).toBe(ids.d);
      await c.end();
    }

    // The catalog itself.
    const cat = await db.client();
    const q = async (sql: string) => (await cat.query(sql)).rows;
    const snaps = (await q('select count(*)::int AS n, min(snapshot_id)::int AS lo, max(snapshot_id)::int AS hi from ducklake_snapshot'))[0];
    expect(snaps).toEqual({ n: snaps.hi + 1, lo: 0, hi: snaps.hi });
    expect((await q('select count(*)::int AS n from ducklake_snapshot s left join ducklake_snapshot_changes c using (snapshot_id) where c.snapshot_id is null'))[0].n).toBe(0);
    expect((await q('select count(*)::int AS n from ducklake_data_file where end_snapshot is not null and end_snapshot <= begin_snapshot'))[0].n).toBe(0);
    expect((await q('select count(*)::int AS n from (select data_file_id from ducklake_delete_file where end_snapshot is null group by data_file_id having count(*) > 1) x'))[0].n).toBe(0);
    const stats = (await q(`select t.next_row_id::int8 AS next, t.record_count::int8 AS rc from ducklake_table_stats t join ducklake_table using (table_id) where table_name = 'stress' and end_snapshot is null`))[0];
    const c0 = await connect(procs[0]!.port);
    const maxRowId = Number((await c0.query('select max(rowid) AS m from stress')).rows[0].m);
    await c0.end();
    expect(Number(stats.next)).toBeGreaterThan(maxRowId);
    const inlined = await q(`select table_name from ducklake_inlined_data_tables`);
    for (const t of inlined) {
      expect((await q(`select count(*)::int AS n from "${t.table_name}" where end_snapshot is not null and end_snapshot <= begin_snapshot`))[0].n).toBe(0);
      expect((await q(`select count(*)::int AS n from (select row_id from "${t.table_name}" where end_snapshot is null group by row_id having count(*) > 1) x`))[0].n).toBe(0);
    }
    await setup.end();
    console.log(`stress: ${snaps.hi} snapshots in ${elapsed} ms, retried conflicts: ${codes.get('40001') ?? 0}`);
  }, 240_000);
});
