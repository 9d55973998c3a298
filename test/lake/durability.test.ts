/**
 * Durability: a lakegres process killed with SIGKILL while clients write loses no acknowledged
 * commit and shows no half-written one after a restart, with the embedded catalog and with a
 * PostgreSQL catalog; a clean restart keeps everything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { spawnServer, type ServerProcess } from '../helpers/cli-process.js';
import { scratchDatabase, type ScratchDatabase } from '../helpers/pg-catalog.js';

const dirs: string[] = [];
const procs: ServerProcess[] = [];
const dbs: ScratchDatabase[] = [];

afterAll(async () => {
  for (const p of procs) p.kill();
  for (const d of dbs) await d.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const connect = async (port: number) => {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'lakegres', database: 'lake' });
  c.on('error', () => undefined);
  await c.connect();
  return c;
};

async function start(args: string[]): Promise<ServerProcess> {
  const p = await spawnServer([...args, '--log-level', 'info']);
  procs.push(p);
  return p;
}

/**
 * Writers insert batches (some inlined, some Parquet) and record what was acknowledged; the
 * process is killed mid-stream. Returns the acknowledged batches and those in flight at the kill.
 */
async function writeUntilKilled(proc: ServerProcess): Promise<{ acked: Set<number>; inFlight: Set<number> }> {
  const setup = await connect(proc.port);
  await setup.query('create table dur (batch int, i int)');
  await setup.end();
  const acked = new Set<number>();
  const inFlight = new Set<number>();
  const writers = Array.from({ length: 3 }, async (_, w) => {
    const c = await connect(proc.port);
    for (let k = 0; k < 200; k++) {
      const batch = w * 1000 + k;
      const rows = k % 4 === 0 ? 500 : 3;
      inFlight.add(batch);
      try {
        await c.query(`insert into dur select ${batch}, i from range(0, ${rows}) t(i)`);
        acked.add(batch);
        inFlight.delete(batch);
      } catch {
        return; // the server is gone
      }
    }
  });
  // Kill once some batches are in.
  const deadline = Date.now() + 20_000;
  while (acked.size < 25 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  proc.child.kill('SIGKILL');
  await Promise.all(writers);
  return { acked, inFlight };
}

async function checkAfterRestart(proc: ServerProcess, acked: Set<number>, inFlight: Set<number>, marker = -1): Promise<void> {
  const c = await connect(proc.port);
  const rows = (await c.query('select batch, count(*)::int AS n from dur group by batch')).rows as { batch: number; n: number }[];
  const present = new Map(rows.map((r) => [r.batch, r.n]));
  for (const b of acked) expect({ batch: b, present: present.has(b) }).toEqual({ batch: b, present: true });
  for (const [b, n] of present) {
    if (b < 0) continue; // markers written by earlier checks
    // Nothing that was never sent, and every batch whole (no half-written commit).
    expect(acked.has(b) || inFlight.has(b)).toBe(true);
    expect({ batch: b, n }).toEqual({ batch: b, n: (b % 1000) % 4 === 0 ? 500 : 3 });
  }
  // The lake keeps working: a write and a read after the restart.
  await c.query(`insert into dur values (${marker}, 0)`);
  expect(Number((await c.query(`select count(*) AS n from dur where batch = ${marker}`)).rows[0].n)).toBe(1);
  await c.end();
}

describe('kill -9 while writing', () => {
  it('loses no acknowledged commit and shows no partial one (embedded catalog)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lakegres-dur-'));
    dirs.push(dir);
    const first = await start(['--data-dir', dir]);
    const { acked, inFlight } = await writeUntilKilled(first);
    expect(acked.size).toBeGreaterThanOrEqual(25);
    expect((await first.exited(10_000)).signal).toBe('SIGKILL');
    const second = await start(['--data-dir', dir]);
    await checkAfterRestart(second, acked, inFlight);
    second.child.kill('SIGTERM');
    expect(await second.exited(20_000)).toEqual({ code: 0, signal: null });
    // A clean restart keeps everything too.
    const third = await start(['--data-dir', dir]);
    await checkAfterRestart(third, acked, inFlight, -2);
  }, 120_000);

  it('loses no acknowledged commit and shows no partial one (PostgreSQL catalog)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lakegres-dur-pg-'));
    dirs.push(dir);
    const db = await scratchDatabase('lgdur');
    dbs.push(db);
    const args = ['--data-dir', dir, '--catalog', db.url, '--data-path', path.join(dir, 'lakedata')];
    const first = await start(args);
    const { acked, inFlight } = await writeUntilKilled(first);
    expect(acked.size).toBeGreaterThanOrEqual(25);
    await first.exited(10_000);
    const second = await start(args);
    await checkAfterRestart(second, acked, inFlight);
  }, 120_000);
});
