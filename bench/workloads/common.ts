/** Helpers shared by the workloads: running one SQL text on each system, comparing results. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Ctx } from '../context.js';
import { ensureControl } from '../context.js';
import { cell, latency, type Cell, type Metric, type RunOpts, type System } from '../harness.js';
import { rawTypes } from '../systems.js';

export type Rows = unknown[][];

export async function wireRows(c: pg.Client, sql: string, values?: unknown[]): Promise<Rows> {
  const r = await c.query({ text: sql, values, rowMode: 'array', types: rawTypes });
  return r.rows as Rows;
}

export async function duckRows(conn: DuckDBConnection, sql: string, values?: unknown[]): Promise<Rows> {
  // Integral JS numbers bind as BIGINT (as a number they would bind as DOUBLE).
  const bound = values?.map((v) => (typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v));
  const r = await conn.runAndReadAll(sql, bound as never);
  return r.getRowsJson() as Rows;
}

function norm(v: unknown): string | number {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const s = String(v);
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(s)) return Number(s);
  return s;
}

/** Compares two results loosely (numbers with a relative tolerance, everything else as text). */
export function sameRows(a: Rows, b: Rows): string | undefined {
  if (a.length !== b.length) return `${a.length} rows vs ${b.length} rows`;
  for (let i = 0; i < a.length; i++) {
    const ra = a[i]!;
    const rb = b[i]!;
    if (ra.length !== rb.length) return `row ${i}: ${ra.length} columns vs ${rb.length}`;
    for (let j = 0; j < ra.length; j++) {
      const x = norm(ra[j]);
      const y = norm(rb[j]);
      if (typeof x === 'number' && typeof y === 'number') {
        if (Math.abs(x - y) > 1e-6 * Math.max(1, Math.abs(x), Math.abs(y))) return `row ${i} column ${j}: ${x} vs ${y}`;
      } else if (x !== y) return `row ${i} column ${j}: ${JSON.stringify(ra[j])} vs ${JSON.stringify(rb[j])}`;
    }
  }
  return undefined;
}

/** Notes a result difference between lakegres and the others (a possible lakegres bug). */
export function checkResults(label: string, results: Partial<Record<System, Rows>>, notes: string[]): void {
  const lg = results.lakegres;
  if (!lg) return;
  for (const other of ['duckdb', 'postgres'] as const) {
    const r = results[other];
    if (!r) continue;
    const diff = sameRows(lg, r);
    if (diff) notes.push(`RESULT MISMATCH in "${label}": lakegres vs ${other}: ${diff}`);
  }
}

export interface QuerySpec {
  name: string;
  /** SQL for the wire servers (and DuckDB unless `duckSql`). */
  sql: string;
  duckSql?: string;
  /** Parameters per run (extended protocol on the wire, bound values in DuckDB). */
  params?: (i: number) => unknown[];
  /** Also run by DuckDB on the lake's Parquet files (via this connection). */
  parquet?: DuckDBConnection;
}

/**
 * Median latency of one query on the three systems; the first execution's rows are compared.
 */
export async function queryMetric(ctx: Ctx, q: QuerySpec, opts: RunOpts, notes: string[]): Promise<Metric> {
  const results: Partial<Record<System, Rows>> = {};
  const params = q.params;
  const onWire = (which: 'lakegres' | 'postgres') =>
    cell(async () => {
      const c = await ensureControl(ctx, which);
      results[which] = await wireRows(c, q.sql, params?.(-1));
      return latency((i) => wireRows(c, q.sql, params?.(i)), opts);
    });
  const onDuck = (conn: DuckDBConnection, key?: System) =>
    cell(async () => {
      const sql = q.duckSql ?? q.sql;
      const rows = await duckRows(conn, sql, params?.(-1));
      if (key) results[key] = rows;
      return latency((i) => duckRows(conn, sql, params?.(i)), opts);
    });
  const cells: Metric['cells'] = {};
  cells.lakegres = await onWire('lakegres');
  cells.duckdb = await onDuck(ctx.duck.conn, 'duckdb');
  cells.postgres = await onWire('postgres');
  const m: Metric = { name: q.name, unit: 'ms', better: 'lower', cells };
  if (q.parquet) m.parquet = await onDuck(q.parquet);
  checkResults(q.name, results, notes);
  return m;
}

/** The live Parquet data files of a lake table (delete files left out). */
export function lakeFiles(ctx: Ctx, table: string): string[] {
  const dir = path.join(ctx.lg.dataDir, 'data', 'main', table);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.parquet') && !f.endsWith('-delete.parquet'))
    .map((f) => path.join(dir, f));
}

/**
 * A second DuckDB connection whose search_path is a schema of views over the lake's Parquet
 * files of `tables` (only meaningful for tables that never had rows deleted or updated).
 */
export async function parquetConnection(ctx: Ctx, tables: string[]): Promise<DuckDBConnection> {
  const conn = await ctx.duck.instance.connect();
  await conn.run('CREATE SCHEMA IF NOT EXISTS lakepq');
  for (const t of tables) {
    let files: string[] = [];
    try {
      files = lakeFiles(ctx, t);
    } catch {
      // no directory: the table's rows are inlined in the catalog
    }
    // Tables small enough to be inlined into the catalog have no Parquet file: DuckDB's own copy stands in.
    const source = files.length ? `read_parquet([${files.map((f) => `'${f}'`).join(', ')}])` : `${ctx.duck.catalog}.main.${t}`;
    await conn.run(`CREATE OR REPLACE VIEW lakepq.${t} AS SELECT * FROM ${source}`);
  }
  await conn.run("SET search_path = 'lakepq'");
  return conn;
}

export function mb(bytes: number): number {
  return bytes / (1024 * 1024);
}

export function errorCells(msg: string): Metric['cells'] {
  return { lakegres: { error: msg } };
}

export function loadErrorNotes(errors: Partial<Record<System, string>>, notes: string[]): void {
  for (const [s, e] of Object.entries(errors)) if (e) notes.push(`load failed on ${s}: ${e}`);
}

export type { Cell };
