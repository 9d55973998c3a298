import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { standIns } from './duck.js';
import { DUCKDB_ONLY_KEYWORDS } from '../../src/pgcompat/rewrite/duckdb-keywords.js';

const env = standIns({ reference: true });

describe('rewrite: duckdb-keywords', () => {
  it('quotes names that DuckDB reserves and PostgreSQL does not, wherever they name something', () => {
    expect(out('CREATE TABLE events (id int, at timestamptz, payload json)')).toBe('CREATE TABLE events (id int, "at" timestamptz, payload json)');
    expect(out('SELECT at, by FROM events WHERE at > now() ORDER BY at')).toBe('SELECT "at", "by" FROM events WHERE "at" > now() ORDER BY "at"');
    expect(out('INSERT INTO events (id, at) VALUES (1, now())')).toBe('INSERT INTO events (id, "at") VALUES (1, now())');
    expect(out('UPDATE events SET at = now(), show = true')).toBe('UPDATE events SET "at" = now(), "show" = true');
    expect(out('ALTER TABLE events RENAME COLUMN at TO happened')).toBe('ALTER TABLE events RENAME COLUMN "at" TO happened');
    expect(out('SELECT e.qualify FROM events e JOIN describe ON describe.id = e.id')).toBe('SELECT e."qualify" FROM events AS e JOIN "describe" ON "describe".id = e.id');
    expect(out('SELECT x AS semi FROM (SELECT 1) AS pivot (x)')).toBe('SELECT x AS "semi" FROM ( SELECT 1 ) AS "pivot"(x)');
  });

  it('leaves keywords that are keywords alone, and DuckDB syntax unparsed', () => {
    for (const sql of [
      'SELECT a FROM t ORDER BY a',
      'SELECT count(*) FROM t GROUP BY b',
      "SELECT now() AT TIME ZONE 'UTC'",
      'SELECT * FROM t AT (VERSION => 3)',
      'SELECT map([1], [2])',
      'SELECT COLUMNS(*) FROM t',
      'DESCRIBE t',
      'SHOW TABLES',
      'SUMMARIZE t',
      'SELECT \'at\', "AT" FROM t',
    ]) {
      expect(rewrite(sql).changed, sql).toBe(false);
    }
  });

  it('every listed word is a plain name in PostgreSQL and a syntax error as a bare column in DuckDB', async () => {
    for (const word of DUCKDB_ONLY_KEYWORDS) {
      const pgRows = await env.ref.query(`SELECT ${word} FROM (SELECT 1 AS ${word}) s`);
      expect(pgRows.rows, word).toEqual([{ [word]: 1 }]);
      await expect(env.duck.rows(`SELECT ${word} FROM (SELECT 1 AS "${word}") s`), word).rejects.toThrow(/syntax error/i);
      expect(await env.duck.rows(out(`SELECT ${word} FROM (SELECT 1 AS ${word}) s`)), word).toEqual([[1]]);
    }
  });

  it('tables with such columns can be created, written and read', async () => {
    await env.duck.rows(out('CREATE TABLE kw (id int, at timestamp, by text)'));
    await env.duck.rows(out("INSERT INTO kw (id, at, by) VALUES (1, '2024-01-02 03:04:05', 'me')"));
    expect(await env.duck.rows(out('SELECT by, at::text FROM kw WHERE at IS NOT NULL ORDER BY at'))).toEqual([['me', '2024-01-02 03:04:05']]);
    expect(await env.duck.rows("SELECT column_name FROM duckdb_columns() WHERE table_name = 'kw' ORDER BY column_index")).toEqual([['id'], ['at'], ['by']]);
  });
});
