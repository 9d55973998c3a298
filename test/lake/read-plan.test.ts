/**
 * What DuckDB's optimizer knows about a lake table: the scan of its Parquet files carries the
 * row count from the catalog (read_parquet's `schema` option alone leaves it at 0, which makes
 * the join optimizer order joins blindly), at the latest snapshot and inside a transaction
 * that appended files of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let c: pg.Client;

beforeAll(async () => {
  server = await startServer();
  c = await server.client();
  await c.query("CALL ducklake_set_option('lake', 'data_inlining_row_limit', 0)");
  await c.query('CREATE TABLE big AS SELECT i AS id, i % 7 AS k FROM range(5000) t(i)');
  await c.query('INSERT INTO big SELECT i, 1 FROM range(2500) t(i)');
  await c.query('CREATE TABLE small AS SELECT i AS k, 0 AS v FROM range(7) t(i)');
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

interface PlanNode {
  name: string;
  extra_info?: Record<string, unknown>;
  children?: PlanNode[];
}

/** Estimated cardinalities of every Parquet scan in the plan of `sql`. */
async function scanEstimates(sql: string): Promise<number[]> {
  const r = await c.query({ text: `EXPLAIN (FORMAT JSON) ${sql}`, rowMode: 'array' });
  const plan = JSON.parse(String(r.rows[0][1])) as PlanNode[];
  const out: number[] = [];
  const walk = (n: PlanNode) => {
    const info = n.extra_info ?? {};
    if (info.Function === 'READ_PARQUET') out.push(Number(info['Estimated Cardinality']));
    for (const child of n.children ?? []) walk(child);
  };
  plan.forEach(walk);
  return out;
}

describe('lake table scans', () => {
  it('carry the row count of their files as the estimate', async () => {
    expect(await scanEstimates('SELECT * FROM big')).toEqual([7500]);
    expect((await scanEstimates('SELECT * FROM big JOIN small USING (k)')).sort((a, b) => a - b)).toEqual([7, 7500]);
  });

  it('inside a transaction, count the files it appended too', async () => {
    await c.query('BEGIN');
    try {
      await c.query('INSERT INTO small SELECT i, 1 FROM range(100) t(i)');
      const estimates = await scanEstimates('SELECT * FROM small');
      expect(estimates).toContain(100);
      expect(estimates.every((n) => n > 0)).toBe(true);
    } finally {
      await c.query('ROLLBACK');
    }
  });
});
