/**
 * Catalog statements sent as scripts (catalog/literal-sql.ts, catalog/scripted-tx.ts): parameters
 * written as literals read back exactly on both catalog backends, deferred writes run before
 * the next query and at COMMIT, commitWith returns its statement's rows, and a failure anywhere
 * in a script leaves nothing behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderLiteralSql } from '../../src/lake/catalog/literal-sql.js';
import { DuckDBCatalogStore } from '../../src/lake/catalog/duckdb-store.js';
import { PgCatalogStore } from '../../src/lake/catalog/pg-store.js';
import type { CatalogStore } from '../../src/lake/catalog/store.js';
import { scratchDatabase, type ScratchDatabase } from '../helpers/pg-catalog.js';

describe('renderLiteralSql', () => {
  it('writes parameters as literals DuckDB and PostgreSQL read alike', () => {
    expect(renderLiteralSql('SELECT $1, $2, $3, $4, $5, $6', [null, true, false, 42, -7.5, 12345678901234567890n])).toBe('SELECT NULL, TRUE, FALSE, 42, -7.5, 12345678901234567890');
    expect(renderLiteralSql('INSERT INTO t VALUES ($1)', ["it's a \\ test"])).toBe("INSERT INTO t VALUES ('it''s a \\ test')");
    expect(renderLiteralSql('SELECT $10, $1', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBe('SELECT 10, 1');
  });

  it('leaves quoted text alone', () => {
    expect(renderLiteralSql(`SELECT '$1', "$1", $1, 'it''s $2'`, [5, 6])).toBe(`SELECT '$1', "$1", 5, 'it''s $2'`);
  });

  it('refuses values without a literal form, and parameter numbers without a value', () => {
    expect(renderLiteralSql('SELECT $1', ['a\u0000b'])).toBeUndefined();
    expect(renderLiteralSql('SELECT $1', [Buffer.from('x')])).toBeUndefined();
    expect(renderLiteralSql('SELECT $1', [Number.NaN])).toBeUndefined();
    expect(renderLiteralSql('SELECT $2', [1])).toBeUndefined();
    expect(renderLiteralSql('SELECT 1', [])).toBe('SELECT 1');
  });
});

let dir: string;
let pgdb: ScratchDatabase;
const stores: [string, CatalogStore][] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lakegres-scripts-'));
  pgdb = await scratchDatabase('lgscript');
  stores.push(['DuckDB file', await DuckDBCatalogStore.open(path.join(dir, 'catalog.db'))]);
  stores.push(['PostgreSQL', await PgCatalogStore.open(pgdb.url)]);
  for (const [, s] of stores) await s.exec(`CREATE TABLE ${s.schemaSql}.kv (k BIGINT PRIMARY KEY, v VARCHAR, b BOOLEAN)`);
}, 60_000);

afterAll(async () => {
  for (const [, s] of stores) await s.close().catch(() => undefined);
  await pgdb?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const AWKWARD = ["plain", "quote ' and ''", 'back\\slash \\x41 \\n', 'new\nline\ttab', 'ü 😀 日本', '', '$1 $2 "x"'];

describe.each([0, 1])('catalog scripts (%s)', (which) => {
  const store = () => stores[which]![1];
  const m = () => store().schemaSql;

  it('reads back every value written by deferred statements and by commitWith', async () => {
    const s = store();
    const base = which * 1000;
    const rows = await s.transaction(async (tx) => {
      for (const [i, v] of AWKWARD.entries()) tx.defer(`INSERT INTO ${m()}.kv VALUES ($1, $2, $3)`, [base + i, v, i % 2 === 0]);
      // A query sees the deferred writes of its transaction.
      const n = await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${m()}.kv WHERE k >= $1 AND k < $2`, [base, base + 100]);
      expect(Number(n[0]!.n)).toBe(AWKWARD.length);
      tx.defer(`UPDATE ${m()}.kv SET b = NOT b WHERE k = $1`, [base]);
      return tx.commitWith(`INSERT INTO ${m()}.kv VALUES ($1, $2, NULL) RETURNING v`, [base + 99, 'last']);
    });
    expect(rows).toEqual([{ v: 'last' }]);
    const back = await s.query<{ k: number; v: string; b: boolean | null }>(`SELECT k, v, b FROM ${m()}.kv WHERE k >= $1 AND k < $2 ORDER BY k`, [base, base + 100]);
    expect(back.map((r) => r.v)).toEqual([...AWKWARD, 'last']);
    expect(back[0]!.b).toBe(false);
  });

  it('leaves nothing of a transaction whose script fails, and the store stays usable', async () => {
    const s = store();
    const base = which * 1000 + 500;
    await expect(
      s.transaction(async (tx) => {
        tx.defer(`INSERT INTO ${m()}.kv VALUES ($1, $2, NULL)`, [base, 'kept?']);
        // Duplicate key in the same script: the whole transaction fails at COMMIT time.
        tx.defer(`INSERT INTO ${m()}.kv VALUES ($1, $2, NULL)`, [base, 'again']);
      }),
    ).rejects.toThrow();
    expect(await s.query(`SELECT k FROM ${m()}.kv WHERE k = $1`, [base])).toEqual([]);
    // Values without a literal form go as bound parameters in order with the script around them.
    await s.transaction(async (tx) => {
      tx.defer(`INSERT INTO ${m()}.kv VALUES ($1, $2, NULL)`, [base + 1, 'before']);
      tx.defer(`INSERT INTO ${m()}.kv VALUES ($1, $2, NULL)`, [base + 2, which === 0 ? 'nul\u0000inside' : 'bound']);
      tx.defer(`UPDATE ${m()}.kv SET v = v || '!' WHERE k IN ($1, $2)`, [base + 1, base + 2]);
    });
    const back = await s.query<{ v: string }>(`SELECT v FROM ${m()}.kv WHERE k IN ($1, $2) ORDER BY k`, [base + 1, base + 2]);
    expect(back.map((r) => r.v)).toEqual(['before!', which === 0 ? 'nul\u0000inside!' : 'bound!']);
  });
});
