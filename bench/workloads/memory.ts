/** 8. Memory: the lakegres process vs PostgreSQL's processes, idle, with 50 idle connections, streaming. */
import type pg from 'pg';
import type { Ctx } from '../context.js';
import { cell, sleep, type Cell, type Metric, type WorkloadResult } from '../harness.js';
import { duckdbProcessBaseline, procAvailable, type ProcMem } from '../systems.js';
import { mb } from './common.js';

const IDLE_CONNECTIONS = 50;

export async function memoryWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [];
  if (!procAvailable) {
    return { name: 'memory', title: '8. Memory', metrics: [], notes: ['/proc is not available on this system: memory not measured.'], errors: [], seconds: 0 };
  }
  const base = await cell(async () => ({ value: 0, mem: await duckdbProcessBaseline() }) as Cell);
  const baseMem = (base as { mem?: ProcMem }).mem;
  const pgNote = (m: ProcMem) => `${m.processes} processes`;
  // 50 idle connections each (one SELECT 1 each, then idle). Memory is read just before opening
  // them, with them open, and after closing them; the baseline of the per-connection figure is the
  // mean of before and after (lakegres' heap moves with garbage collection meanwhile).
  type Sample = { before: ProcMem; with: ProcMem; after: ProcMem };
  const open = async (which: 'lakegres' | 'postgres'): Promise<Sample> => {
    const cs: pg.Client[] = [];
    const server = which === 'lakegres' ? ctx.lg : ctx.pgs;
    await sleep(300);
    const before = server.memory();
    let withConns: ProcMem;
    try {
      for (let i = 0; i < IDLE_CONNECTIONS; i++) {
        const c = await server.client();
        await c.query('SELECT 1');
        cs.push(c);
      }
      await sleep(300);
      withConns = server.memory();
    } finally {
      await Promise.all(cs.map((c) => c.end().catch(() => undefined)));
    }
    await sleep(500);
    return { before, with: withConns, after: server.memory() };
  };
  const samples: Partial<Record<'lakegres' | 'postgres', Sample>> = {};
  const sampleErr: Partial<Record<'lakegres' | 'postgres', string>> = {};
  for (const which of ['lakegres', 'postgres'] as const) {
    try {
      samples[which] = await open(which);
    } catch (e) {
      sampleErr[which] = (e as Error).message;
    }
  }
  const now = { lakegres: samples.lakegres?.before ?? ctx.lg.memory(), postgres: samples.postgres?.before ?? ctx.pgs.memory() };
  const val = (m: ProcMem | undefined, f: (m: ProcMem) => number, note?: string, error?: string): Cell => (m ? { value: mb(f(m)), note } : { error: error ?? 'n/a' });
  const perConn = (which: 'lakegres' | 'postgres', f: (m: ProcMem) => number): Cell => {
    const s = samples[which];
    return s ? { value: (mb(f(s.with)) - (mb(f(s.before)) + mb(f(s.after))) / 2) / IDLE_CONNECTIONS } : { error: sampleErr[which] ?? 'n/a' };
  };

  const metrics: Metric[] = [
    {
      name: 'idle at start, no data: RSS',
      unit: 'MB',
      better: 'lower',
      cells: { lakegres: val(ctx.fresh.lakegres, (m) => m.rss), duckdb: val(baseMem, (m) => m.rss, 'node+DuckDB', base.error), postgres: val(ctx.fresh.postgres, (m) => m.rss, `RSS sum, ${pgNote(ctx.fresh.postgres)}`) },
      noSummary: true,
    },
    {
      name: 'idle at start, no data: PSS',
      unit: 'MB',
      better: 'lower',
      cells: { lakegres: val(ctx.fresh.lakegres, (m) => m.pss), duckdb: val(baseMem, (m) => m.pss, 'node+DuckDB', base.error), postgres: val(ctx.fresh.postgres, (m) => m.pss, 'PSS sum') },
    },
    {
      name: 'idle after the workloads ran: PSS',
      unit: 'MB',
      better: 'lower',
      cells: { lakegres: val(now.lakegres, (m) => m.pss), postgres: val(now.postgres, (m) => m.pss, `PSS sum, ${pgNote(now.postgres)}`) },
    },
    {
      name: `with ${IDLE_CONNECTIONS} idle connections: PSS`,
      unit: 'MB',
      better: 'lower',
      cells: {
        lakegres: val(samples.lakegres?.with, (m) => m.pss, undefined, sampleErr.lakegres),
        postgres: val(samples.postgres?.with, (m) => m.pss, samples.postgres ? `PSS sum, ${pgNote(samples.postgres.with)}` : undefined, sampleErr.postgres),
      },
    },
    { name: 'per idle connection: PSS growth', unit: 'MB', better: 'lower', cells: { lakegres: perConn('lakegres', (m) => m.pss), postgres: perConn('postgres', (m) => m.pss) }, noRatio: true, noSummary: true },
    { name: 'per idle connection: RSS growth', unit: 'MB', better: 'lower', cells: { lakegres: perConn('lakegres', (m) => m.rss), postgres: { ...perConn('postgres', (m) => m.rss), note: 'not comparable: shared memory counted per process' } }, noSummary: true, noRatio: true },
  ];
  if (ctx.streamPeaks) metrics.push(...ctx.streamPeaks);
  else notes.push('Streaming peak not shown: the stream workload did not run (see --only).');
  notes.push(
    'lakegres is one process (Node.js + DuckDB); PostgreSQL is a postmaster plus one process per connection and background workers. RSS sums count PostgreSQL\'s shared memory once per process that touched it, so RSS totals are not comparable; PSS (proportional set size, /proc/<pid>/smaps_rollup) divides shared pages among the processes and is the comparable total.',
    '"node+DuckDB" = a fresh Node.js process that only opened an in-memory DuckDB and ran SELECT 1: the floor under lakegres\' own footprint.',
    'After the workloads, lakegres\' RSS includes DuckDB\'s buffer cache and allocator retention (memory_limit defaults to 80% of RAM), PostgreSQL\'s includes the shared buffers touched (shared_buffers=512MB).',
  );
  return { name: 'memory', title: '8. Memory (lakegres process vs PostgreSQL processes)', metrics, notes, errors: [], seconds: 0 };
}
