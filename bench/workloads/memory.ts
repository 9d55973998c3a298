/** 8. Memory: the lakegres process vs PostgreSQL's processes, idle, with 50 idle connections, streaming. */
import type pg from 'pg';
import type { Ctx } from '../context.js';
import { cell, sleep, type Cell, type Metric, type WorkloadResult } from '../harness.js';
import { duckdbProcessBaseline, procAvailable, type ProcMem, type WireServer } from '../systems.js';
import { mb } from './common.js';

export const IDLE_CONNECTIONS = 50;

export interface IdleSample {
  before: ProcMem;
  with: ProcMem;
  after: ProcMem;
}

export type IdleSamples = Partial<Record<'lakegres' | 'postgres', IdleSample | Error>>;

/**
 * Opens IDLE_CONNECTIONS connections to a server (one SELECT 1 each, then idle). Memory is read
 * just before, with them open, and after closing them; the per-connection figure uses the mean
 * of before and after as its baseline (a heap moves with garbage collection meanwhile).
 */
async function idleConnections(server: WireServer): Promise<IdleSample> {
  const cs: pg.Client[] = [];
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
}

export async function measureIdleConnections(ctx: Pick<Ctx, 'lg' | 'pgs'>): Promise<IdleSamples> {
  const out: IdleSamples = {};
  for (const which of ['lakegres', 'postgres'] as const) {
    try {
      out[which] = await idleConnections(which === 'lakegres' ? ctx.lg : ctx.pgs);
    } catch (e) {
      out[which] = e as Error;
    }
  }
  return out;
}

export async function memoryWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [];
  if (!procAvailable) {
    return { name: 'memory', title: '14. Memory', metrics: [], notes: ['/proc is not available on this system: memory not measured.'], errors: [], seconds: 0 };
  }
  const base = await cell(async () => ({ value: 0, mem: await duckdbProcessBaseline() }) as Cell);
  const baseMem = (base as { mem?: ProcMem }).mem;
  const pgNote = (m: ProcMem) => `${m.processes} processes`;
  const fresh = ctx.idleAtStart ?? (await measureIdleConnections(ctx));
  const later = await measureIdleConnections(ctx);
  const sample = (s: IdleSamples, which: 'lakegres' | 'postgres') => {
    const x = s[which];
    return x && !(x instanceof Error) ? x : undefined;
  };
  const err = (s: IdleSamples, which: 'lakegres' | 'postgres') => {
    const x = s[which];
    return x instanceof Error ? x.message : 'n/a';
  };
  const val = (m: ProcMem | undefined, f: (m: ProcMem) => number, note?: string, error?: string): Cell => (m ? { value: mb(f(m)), note } : { error: error ?? 'n/a' });
  const perConn = (which: 'lakegres' | 'postgres', f: (m: ProcMem) => number): Cell => {
    const s = sample(fresh, which);
    return s ? { value: (mb(f(s.with)) - (mb(f(s.before)) + mb(f(s.after))) / 2) / IDLE_CONNECTIONS } : { error: err(fresh, which) };
  };
  const nowMem = { lakegres: sample(later, 'lakegres')?.before, postgres: sample(later, 'postgres')?.before };

  const metrics: Metric[] = [
    {
      name: 'idle at start, no data: RSS',
      unit: 'MB',
      better: 'lower',
      cells: {
        lakegres: val(ctx.fresh.lakegres, (m) => m.rss),
        duckdb: val(baseMem, (m) => m.rss, 'node+DuckDB', base.error),
        postgres: val(ctx.fresh.postgres, (m) => m.rss, `RSS sum, ${pgNote(ctx.fresh.postgres)}`),
      },
      noSummary: true,
    },
    {
      name: 'idle at start, no data: PSS',
      unit: 'MB',
      better: 'lower',
      cells: { lakegres: val(ctx.fresh.lakegres, (m) => m.pss), duckdb: val(baseMem, (m) => m.pss, 'node+DuckDB', base.error), postgres: val(ctx.fresh.postgres, (m) => m.pss, 'PSS sum') },
    },
    {
      name: `at start, with ${IDLE_CONNECTIONS} idle connections: PSS`,
      unit: 'MB',
      better: 'lower',
      cells: {
        lakegres: val(sample(fresh, 'lakegres')?.with, (m) => m.pss, undefined, err(fresh, 'lakegres')),
        postgres: val(sample(fresh, 'postgres')?.with, (m) => m.pss, sample(fresh, 'postgres') ? `PSS sum, ${pgNote(sample(fresh, 'postgres')!.with)}` : undefined, err(fresh, 'postgres')),
      },
    },
    {
      name: 'per idle connection: PSS growth',
      unit: 'MB',
      better: 'lower',
      cells: { lakegres: perConn('lakegres', (m) => m.pss), postgres: perConn('postgres', (m) => m.pss) },
      noRatio: true,
      noSummary: true,
    },
    {
      name: 'per idle connection: RSS growth',
      unit: 'MB',
      better: 'lower',
      cells: { lakegres: perConn('lakegres', (m) => m.rss), postgres: { ...perConn('postgres', (m) => m.rss), note: 'not comparable: shared memory counted per process' } },
      noSummary: true,
      noRatio: true,
    },
    {
      name: 'idle after the workloads ran: PSS',
      unit: 'MB',
      better: 'lower',
      cells: {
        lakegres: val(nowMem.lakegres, (m) => m.pss, undefined, err(later, 'lakegres')),
        postgres: val(nowMem.postgres, (m) => m.pss, nowMem.postgres ? `PSS sum, ${pgNote(nowMem.postgres)}` : undefined, err(later, 'postgres')),
      },
    },
    {
      name: `after the workloads, with ${IDLE_CONNECTIONS} idle connections: PSS`,
      unit: 'MB',
      better: 'lower',
      cells: {
        lakegres: val(sample(later, 'lakegres')?.with, (m) => m.pss, undefined, err(later, 'lakegres')),
        postgres: val(sample(later, 'postgres')?.with, (m) => m.pss, sample(later, 'postgres') ? `PSS sum, ${pgNote(sample(later, 'postgres')!.with)}` : undefined, err(later, 'postgres')),
      },
    },
  ];
  if (ctx.streamPeaks) metrics.push(...ctx.streamPeaks);
  else notes.push('Streaming peak not shown: the stream workload did not run (see --only).');
  notes.push(
    "lakegres is one process (Node.js + DuckDB); PostgreSQL is a postmaster plus one process per connection and background workers. RSS sums count PostgreSQL's shared memory once per process that touched it, so RSS totals are not comparable; PSS (proportional set size, /proc/<pid>/smaps_rollup) divides shared pages among the processes and is the comparable total.",
    `Per-connection growth is measured right after start (before any data; ${IDLE_CONNECTIONS} connections, each ran SELECT 1), against the mean of the readings just before opening and after closing them. Values close to 0 are within the noise of lakegres' garbage-collected heap.`,
    '"node+DuckDB" = a fresh Node.js process that only opened an in-memory DuckDB and ran SELECT 1: the floor under lakegres\' own footprint.',
    "After the workloads, lakegres' memory includes DuckDB's buffer cache and allocator retention (memory_limit defaults to 80% of RAM), PostgreSQL's includes the shared buffers touched (shared_buffers=512MB). The streaming peak compares the whole lakegres process with the one PostgreSQL backend that served the stream (its RSS includes shared buffers it read): not like for like.",
  );
  return { name: 'memory', title: '14. Memory (lakegres process vs PostgreSQL processes)', metrics, notes, errors: [], seconds: 0 };
}
