import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite } from './context.js';
import { standIns } from './duck.js';

const env = standIns();

describe('rewrite: collate', () => {
  it("drops PostgreSQL's built-in collations", () => {
    expect(out("SELECT b FROM t WHERE b = 'x' COLLATE pg_catalog.default")).toBe("SELECT b FROM t WHERE b = 'x'");
    expect(out('SELECT b COLLATE "C" FROM t ORDER BY b COLLATE "POSIX"')).toBe('SELECT b FROM t ORDER BY b');
    expect(out('SELECT b FROM t ORDER BY b COLLATE "default", b COLLATE ucs_basic')).toBe('SELECT b FROM t ORDER BY b, b');
    expect(out('SELECT b FROM t ORDER BY b COLLATE pg_catalog."en_US"')).toBe('SELECT b FROM t ORDER BY b');
  });

  it('leaves other collations to DuckDB', () => {
    expect(rewrite('SELECT b COLLATE nocase FROM t').changed).toBe(false);
    expect(rewrite('SELECT b FROM t').changed).toBe(false);
  });

  it("psql's \\d pattern runs", async () => {
    const sql = "SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid)";
    expect(await env.duck.rows(out(sql))).toEqual([['t']]);
  });
});
