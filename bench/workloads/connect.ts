/** 1. Connection setup: TCP connect + startup + (trust) authentication + first query. */
import pg from 'pg';
import type { Ctx } from '../context.js';
import { cell, median, now, type WorkloadResult } from '../harness.js';

const RUNS = 25;
const MAX_MS = 5_000;

async function wireConnect(cfg: pg.ClientConfig): Promise<{ first: number; ready: number }> {
  const firsts: number[] = [];
  const readies: number[] = [];
  const loop = async (timed: boolean) => {
    const c = new pg.Client(cfg);
    c.on('error', () => undefined);
    const t0 = now();
    await c.connect();
    const t1 = now();
    await c.query('SELECT 1');
    const t2 = now();
    await c.end();
    if (timed) {
      readies.push(t1 - t0);
      firsts.push(t2 - t0);
    }
  };
  for (let i = 0; i < 3; i++) await loop(false);
  const start = now();
  for (let i = 0; i < RUNS && now() - start < MAX_MS; i++) await loop(true);
  return { first: median(firsts), ready: median(readies) };
}

export async function connectWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [
    'Both servers use trust authentication on 127.0.0.1; node-postgres client; connection closed after each sample (close not timed).',
    'DuckDB column: instance.connect() + SELECT 1 on an already open in-process database (no network, no authentication): a floor, not a like-for-like comparison.',
  ];
  const lg = await cell(() => wireConnect(ctx.lg.config()).then((r) => ({ value: r.first, ready: r.ready }) as never));
  const pgr = await cell(() => wireConnect(ctx.pgs.config()).then((r) => ({ value: r.first, ready: r.ready }) as never));
  const duck = await cell(async () => {
    const times: number[] = [];
    const start = now();
    for (let i = 0; i < RUNS + 3 && now() - start < MAX_MS; i++) {
      const t0 = now();
      const conn = await ctx.duck.instance.connect();
      await conn.run('SELECT 1');
      const t = now() - t0;
      conn.closeSync();
      if (i >= 3) times.push(t);
    }
    return median(times);
  }, 'in-process');
  const ready = (c: unknown) => {
    const r = (c as { ready?: number }).ready;
    return r === undefined ? { error: (c as { error?: string }).error ?? 'n/a' } : { value: r };
  };
  return {
    name: 'connect',
    title: '1. Connection setup (connect + auth + first query, sequential, median)',
    metrics: [
      { name: 'connect + auth + SELECT 1', unit: 'ms', better: 'lower', cells: { lakegres: strip(lg), duckdb: duck, postgres: strip(pgr) }, noSummary: ['duckdb'] },
      { name: 'connect + auth until ReadyForQuery', unit: 'ms', better: 'lower', cells: { lakegres: ready(lg), postgres: ready(pgr) } },
    ],
    notes,
    errors: [],
    seconds: 0,
  };
}

function strip(c: { value?: number; error?: string }) {
  return c.error ? { error: c.error } : { value: c.value };
}
