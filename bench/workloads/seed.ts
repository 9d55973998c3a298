/**
 * 11. The seed scenario of issue 4 §7, from a real user: 100 single-row INSERTs spread over 3
 * concurrent workers through a connection pool (node-postgres pg.Pool, max 3). Total wall time,
 * pool start included, on lakegres (embedded and PostgreSQL catalogs), PostgreSQL, and DuckDB
 * in-process (3 connections).
 */
import pg from 'pg';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Ctx } from '../context.js';
import { cell, median, now, targetLine, type Cell, type Metric, type WorkloadResult } from '../harness.js';
import type { LakegresProcess } from '../systems.js';
import { checkResults, type Rows } from './common.js';

const INSERTS = 100;
const WORKERS = 3;
/** No new run starts after this much time (at least one run is made). */
const MAX_MS = 90_000;

const TABLE = 'seed_users';
const CREATE = `CREATE TABLE ${TABLE} (id integer, name text, email text, score double precision, created_at timestamptz)`;
const INSERT = `INSERT INTO ${TABLE} (id, name, email, score, created_at) VALUES ($1, $2, $3, $4, now())`;
const CHECK = `SELECT count(*), sum(id), count(DISTINCT email) FROM ${TABLE}`;
const values = (i: number) => [i, `user ${i}`, `user${i}@example.com`, i * 1.5];

/** Runs the 100 inserts on `worker()` loops pulling from one counter; returns ms. */
async function seedOnce(insert: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (next < INSERTS) await insert(next++);
    }),
  );
  return now() - t0;
}

async function onWire(config: pg.ClientConfig, runs: number, result: (r: Rows) => void): Promise<Cell> {
  const times: number[] = [];
  const start = now();
  for (let r = 0; r < runs && (r === 0 || now() - start < MAX_MS); r++) {
    const admin = new pg.Client(config);
    admin.on('error', () => undefined);
    await admin.connect();
    try {
      await admin.query(`DROP TABLE IF EXISTS ${TABLE}`);
      await admin.query(CREATE);
      // A fresh pool per run: connecting is part of what the user waits for.
      const t0 = now();
      const pool = new pg.Pool({ ...config, max: WORKERS });
      pool.on('error', () => undefined);
      try {
        await seedOnce((i) => pool.query(INSERT, values(i)));
        times.push(now() - t0);
      } finally {
        await pool.end().catch(() => undefined);
      }
      if (r === 0) result((await admin.query({ text: CHECK, rowMode: 'array' })).rows as Rows);
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  return { value: median(times), note: times.length < runs ? `${times.length} run${times.length > 1 ? 's' : ''}` : undefined };
}

async function onDuck(ctx: Ctx, runs: number, result: (r: Rows) => void): Promise<Cell> {
  const times: number[] = [];
  const start = now();
  for (let r = 0; r < runs && (r === 0 || now() - start < MAX_MS); r++) {
    await ctx.duck.conn.run(`DROP TABLE IF EXISTS ${TABLE}`);
    await ctx.duck.conn.run(CREATE);
    const t0 = now();
    const conns: DuckDBConnection[] = [];
    try {
      for (let i = 0; i < WORKERS; i++) conns.push(await ctx.duck.instance.connect());
      // Three workers, each on its own connection (what the pool gives each worker).
      let next = 0;
      await Promise.all(
        conns.map(async (conn) => {
          while (next < INSERTS) {
            const i = next++;
            const [id, name, email, score] = values(i);
            await conn.run(INSERT, [id, name, email, score] as never);
          }
        }),
      );
      times.push(now() - t0);
    } finally {
      for (const c of conns) c.closeSync();
    }
    if (r === 0) result((await ctx.duck.conn.runAndReadAll(CHECK)).getRowsJson() as Rows);
  }
  return { value: median(times), note: 'in-process' };
}

export async function seedWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [];
  const got: Partial<Record<'lakegres' | 'duckdb' | 'postgres', Rows>> = {};
  let gotPg: Rows | undefined;
  const lg = await cell(() => onWire(ctx.lg.config(), ctx.runs, (r) => (got.lakegres = r)));
  let lgPg: LakegresProcess | undefined;
  const lgPgCell = await cell(async () => {
    lgPg = await ctx.pgCatalog();
    return onWire(lgPg.config(), ctx.runs, (r) => (gotPg = r));
  });
  const pgCell = await cell(() => onWire(ctx.pgs.config(), ctx.runs, (r) => (got.postgres = r)));
  const duck = await cell(() => onDuck(ctx, ctx.runs, (r) => (got.duckdb = r)));
  checkResults('seed table after the inserts (embedded catalog)', got, notes);
  if (gotPg) checkResults('seed table after the inserts (PostgreSQL catalog)', { lakegres: gotPg, postgres: got.postgres }, notes);
  const metrics: Metric[] = [
    {
      name: `${INSERTS} single-row INSERTs, ${WORKERS} workers on pg.Pool (max ${WORKERS}): wall time, embedded catalog`,
      unit: 'ms',
      better: 'lower',
      cells: { lakegres: lg, duckdb: duck, postgres: pgCell },
      noSummary: ['duckdb'],
    },
    {
      name: `same, lakegres on a PostgreSQL catalog`,
      unit: 'ms',
      better: 'lower',
      cells: { lakegres: lgPgCell, postgres: pgCell },
    },
  ];
  const targets = [
    targetLine('issue 4: seed scenario on lakegres, embedded catalog (reference: 28 s with DuckLake, 44 s with plain DuckDB)', lg.value, 500, false, (x) => `${(x / 1000).toFixed(2)} s`),
    targetLine('issue 4: seed scenario on lakegres, PostgreSQL catalog', lgPgCell.value, 500, false, (x) => `${(x / 1000).toFixed(2)} s`),
  ];
  notes.push(
    `Per run: a fresh table (${CREATE.replace(`CREATE TABLE ${TABLE} `, '')}), then a fresh pg.Pool with max ${WORKERS} connections and ${WORKERS} async workers taking the next of ${INSERTS} ids from a shared counter and running ${INSERT} (autocommit, extended protocol). Timed from creating the pool (connections included) to the last insert's result; median of up to ${ctx.runs} runs (none started after ${MAX_MS / 1000} s).`,
    'DuckDB column: 3 in-process connections doing the same statements (a floor: no wire, no lake). The reference figures in the target line (28 s / 44 s) are the issue\'s report from a user\'s machine, not measured here.',
  );
  if (lgPgCell.error) notes.push(`lakegres on a PostgreSQL catalog: ${lgPgCell.error}`);
  return { name: 'seed', title: `11. Seed scenario: ${INSERTS} single-row INSERTs over ${WORKERS} workers through a connection pool`, metrics, notes, errors: [], seconds: 0, targets };
}
