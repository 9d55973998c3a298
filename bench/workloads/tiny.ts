/**
 * 2. Tiny queries: round trips of SELECT 1 (simple protocol) and SELECT $1::int (extended
 * protocol, unnamed and named), 1 and 8 clients: queries per second and p50/p99 latency.
 */
import type pg from 'pg';
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import type { Ctx } from '../context.js';
import { cell, targetLine, throughputWithLatency, type Cell, type Metric, type RateAndLatency, type WorkloadResult } from '../harness.js';
import type { WireServer } from '../systems.js';

const WINDOW = { ms: 500, maxOps: 50_000, runs: 3, warmupMs: 150 };

type Mode = 'simple' | 'extended' | 'prepared';

function wireOp(c: pg.Client, mode: Mode, w: number): (i: number) => Promise<unknown> {
  switch (mode) {
    case 'simple':
      return () => c.query('SELECT 1');
    case 'extended':
      return (i) => c.query({ text: 'SELECT $1::int', values: [i & 0xffff] });
    case 'prepared':
      return (i) => c.query({ name: `bench_sel_${w}`, text: 'SELECT $1::int', values: [i & 0xffff] });
  }
}

/** Queries per second and latencies, and the server's CPU time per query (µs) over the whole measurement. */
async function wireRate(server: WireServer, mode: Mode, clients: number): Promise<RateAndLatency & { cpuUs: number }> {
  const cs: pg.Client[] = [];
  try {
    for (let i = 0; i < clients; i++) cs.push(await server.client());
    let ops = 0;
    const cpu0 = server.cpu();
    const r = await throughputWithLatency(
      cs.map((c, w) => {
        const op = wireOp(c, mode, w);
        return (i: number) => {
          ops++;
          return op(i);
        };
      }),
      WINDOW,
    );
    return { ...r, cpuUs: ((server.cpu() - cpu0) * 1e6) / ops };
  } finally {
    await Promise.all(cs.map((c) => c.end().catch(() => undefined)));
  }
}

async function duckRate(ctx: Ctx, mode: Mode, clients: number): Promise<RateAndLatency> {
  const conns: DuckDBConnection[] = [];
  const stmts: DuckDBPreparedStatement[] = [];
  try {
    for (let i = 0; i < clients; i++) {
      const conn = await ctx.duck.instance.connect();
      conns.push(conn);
      stmts.push(await conn.prepare('SELECT $1::int'));
    }
    return await throughputWithLatency(
      conns.map((conn, w) => {
        if (mode === 'simple') return () => conn.run('SELECT 1');
        if (mode === 'extended') return (i: number) => conn.run('SELECT $1::int', [i & 0xffff]);
        const st = stmts[w]!;
        return (i: number) => {
          st.bindInteger(1, i & 0xffff);
          return st.run();
        };
      }),
      WINDOW,
    );
  } finally {
    for (const c of conns) c.closeSync();
  }
}

export async function tinyWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const configs: { name: string; mode: Mode; clients: number }[] = [
    { name: 'SELECT 1, simple protocol, 1 client', mode: 'simple', clients: 1 },
    { name: 'SELECT 1, simple protocol, 8 clients', mode: 'simple', clients: 8 },
    { name: 'SELECT $1::int, extended (unnamed), 1 client', mode: 'extended', clients: 1 },
    { name: 'SELECT $1::int, extended (unnamed), 8 clients', mode: 'extended', clients: 8 },
    { name: 'SELECT $1::int, named prepared, 1 client', mode: 'prepared', clients: 1 },
    { name: 'SELECT $1::int, named prepared, 8 clients', mode: 'prepared', clients: 8 },
  ];
  const metrics: Metric[] = [];
  const latencyRows: Metric[] = [];
  const cpuRows: Metric[] = [];
  const targets: string[] = [];
  type Measured = Cell & { r?: RateAndLatency };
  const part = (c: Measured, f: (r: RateAndLatency) => number): Cell => (c.r ? { value: f(c.r), note: c.note } : { error: c.error ?? 'n/a' });
  for (const c of configs) {
    const cpu: Partial<Record<'lakegres' | 'postgres', Cell>> = {};
    const onWire = (which: 'lakegres' | 'postgres') =>
      cell(async () => {
        const r = await wireRate(which === 'lakegres' ? ctx.lg : ctx.pgs, c.mode, c.clients);
        cpu[which] = Number.isFinite(r.cpuUs) ? { value: r.cpuUs } : { error: 'no /proc' };
        return { value: r.rate, r } as Measured;
      });
    const lg: Measured = await onWire('lakegres');
    const duck: Measured = await cell(async () => {
      const r = await duckRate(ctx, c.mode, c.clients);
      return { value: r.rate, r } as Measured;
    }, 'in-process');
    const pgc: Measured = await onWire('postgres');
    const rate = (x: Measured) => part(x, (r) => r.rate);
    metrics.push({ name: c.name, unit: 'queries/s', better: 'higher', cells: { lakegres: rate(lg), duckdb: rate(duck), postgres: rate(pgc) }, noSummary: ['duckdb'] });
    for (const [p, f] of [
      ['p50', (r: RateAndLatency) => r.p50],
      ['p99', (r: RateAndLatency) => r.p99],
    ] as const) {
      latencyRows.push({ name: `${c.name}: ${p} latency`, unit: 'ms', better: 'lower', cells: { lakegres: part(lg, f), duckdb: part(duck, f), postgres: part(pgc, f) }, noSummary: ['duckdb'] });
    }
    if (c.clients === 1) cpuRows.push({ name: `server CPU per query: ${c.name.replace(', 1 client', '')}`, unit: 'µs', better: 'lower', cells: cpu });
    if (c.mode !== 'prepared') {
      targets.push(targetLine(`issue 2: ${c.name}, p50 latency lakegres/PostgreSQL`, lg.r && pgc.r ? lg.r.p50 / pgc.r.p50 : undefined, 1.5, false));
    }
  }
  metrics.push(...latencyRows, ...cpuRows);
  return {
    name: 'tiny',
    title: `2. Tiny queries (round trips per second: median of ${WINDOW.runs} windows of ${WINDOW.ms / 1000} s; latency percentiles over every query of those windows)`,
    metrics,
    notes: [
      'Client loops (node-postgres) run in the benchmark process on the same 2 cores as the servers; 8 clients = 8 connections issuing queries back to back.',
      'Latency = time from sending a query to its result in the client, for every query of the timed windows (p50, p99 by nearest rank); with 8 clients it includes waiting for the CPU the 8 loops and the server share.',
      'Server CPU per query = user+system CPU time of the server processes (/proc) during the measurement divided by the queries made: less sensitive to other load on the machine than the rates.',
      'DuckDB column: the same statement on in-process DuckDB connections (conn.run / prepared statement; "extended (unnamed)" = run with a bound value, prepared each time): shows the engine floor, no wire; left out of the summary.',
    ],
    errors: [],
    seconds: 0,
    targets,
  };
}
