/**
 * Long text and bytea values of many rows (column-writer.ts copies values that lie close
 * together in memory out of DuckDB in one call): every value of a multi-chunk result, inline
 * (up to 12 bytes) and out-of-line, NULLs in between, multi-byte characters and values over a
 * megabyte, compared with PostgreSQL in text and binary, and bytea compared with the bytes
 * they must be.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { referenceClient, startServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let lg: pg.Client;
let ref: pg.Client;

beforeAll(async () => {
  srv = await startServer();
  lg = await srv.client();
  ref = await referenceClient();
});
afterAll(async () => {
  await ref?.end();
  await srv?.stop();
});

/** Rows as one comparable array (values as text or as bytes in hex). */
async function rows(c: pg.Client, text: string, binary: boolean): Promise<string[]> {
  const r = await c.query({ text, rowMode: 'array', binary } as pg.QueryConfig);
  return r.rows.map((row: unknown[]) => row.map((v) => (v === null ? 'NULL' : Buffer.isBuffer(v) ? 'x' + v.toString('hex') : String(v))).join('|'));
}

const TEXTS = `SELECT i, CASE WHEN i % 7 = 3 THEN NULL ELSE repeat(chr((65 + i % 26)::int), i % 40) || 'ü😀' || i::text || repeat('-', (i * 37) % 300) END AS s
  FROM generate_series(0, 9999) AS t(i) ORDER BY i`;

describe('long strings of many rows', () => {
  it('are sent exactly as PostgreSQL sends them, in text and binary', async () => {
    for (const binary of [false, true]) {
      const got = await rows(lg, TEXTS, binary);
      expect(got.length).toBe(10000);
      expect(got).toEqual(await rows(ref, TEXTS, binary));
    }
  });

  it('keeps values over a megabyte next to small ones intact', async () => {
    const sql = `SELECT i, CASE WHEN i = 2 THEN repeat('abcdefghij', 150000) || 'end' ELSE repeat('z', 13 + i) END AS s FROM generate_series(0, 5) AS t(i) ORDER BY i`;
    for (const binary of [false, true]) expect(await rows(lg, sql, binary)).toEqual(await rows(ref, sql, binary));
  });

  it('sends bytea values of many rows byte for byte', async () => {
    const r = await lg.query({ text: `SELECT i, CASE WHEN i % 5 = 1 THEN NULL ELSE repeat(chr((48 + i % 10)::int), i % 50)::bytea END AS b FROM generate_series(0, 2999) AS t(i) ORDER BY i`, rowMode: 'array', binary: true } as pg.QueryConfig);
    expect(r.rows.length).toBe(3000);
    for (const [i, b] of r.rows as [number, Buffer | null][]) {
      if (Number(i) % 5 === 1) expect(b).toBeNull();
      else expect(b?.toString('latin1')).toBe(String.fromCharCode(48 + (Number(i) % 10)).repeat(Number(i) % 50));
    }
  });
});
