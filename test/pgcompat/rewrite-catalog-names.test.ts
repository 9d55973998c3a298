import { beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite, testContext } from './context.js';
import { emulatedRelationName } from '../../src/pgcompat/registry.js';
import { standInDuckDB } from './duck.js';

beforeAll(() => ready);

describe('rewrite: catalog-names', () => {
  it('points pg_catalog relations at the emulated catalog of the database the session reads', () => {
    expect(out('SELECT relname FROM pg_catalog.pg_class')).toBe('SELECT relname FROM lake.__lakegres_pg.pg_class');
    expect(out('SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace')).toBe(
      'SELECT c.relname FROM lake.__lakegres_pg.pg_class AS c JOIN lake.__lakegres_pg.pg_namespace AS n ON n.oid = c.relnamespace',
    );
    const snap = testContext({ readDb: '__lake_lake_s7' });
    expect(out('SELECT * FROM pg_catalog.pg_type', snap)).toBe('SELECT * FROM __lake_lake_s7.__lakegres_pg.pg_type');
    expect(out('SELECT * FROM pg_catalog.pg_type', testContext({ readDb: 'My-Lake' }))).toBe('SELECT * FROM "My-Lake".__lakegres_pg.pg_type');
  });

  it('maps information_schema views to is_<name>, keeping their name as the alias', () => {
    expect(emulatedRelationName('information_schema', 'tables')).toBe('is_tables');
    expect(emulatedRelationName('pg_catalog', 'pg_tables')).toBe('pg_tables');
    expect(out("SELECT tables.table_name FROM information_schema.tables WHERE table_schema = 'public'")).toBe(
      "SELECT tables.table_name FROM lake.__lakegres_pg.is_tables AS tables WHERE table_schema = 'public'",
    );
    expect(out('SELECT c.column_name FROM information_schema.columns c')).toBe('SELECT c.column_name FROM lake.__lakegres_pg.is_columns AS c');
  });

  it("reads the session database's catalog when qualified with it; DuckDB's stays reachable under system", () => {
    expect(out('select column_name from "lake".INFORMATION_SCHEMA.columns')).toBe('SELECT column_name FROM lake.__lakegres_pg.is_columns AS columns');
    expect(out('SELECT * FROM lake.pg_catalog.pg_class c')).toBe('SELECT * FROM lake.__lakegres_pg.pg_class AS c');
    expect(rewrite('SELECT * FROM system.information_schema.columns').changed).toBe(false);
    expect(rewrite('SELECT * FROM other.pg_catalog.pg_class').changed).toBe(false);
  });

  it('points lakegres.tables at the discovery view, unless the lake has such a table', () => {
    expect(out('SELECT table_name, row_count FROM lakegres.tables ORDER BY 1')).toBe('SELECT table_name, row_count FROM lake.__lakegres_pg.lake_tables AS tables ORDER BY 1');
    expect(out('SELECT t.size FROM "lakegres".tables t', testContext({ readDb: '__lake_lake_s3' }))).toBe('SELECT t.size FROM __lake_lake_s3.__lakegres_pg.lake_tables AS t');
    expect(out('SELECT * FROM lake.lakegres.tables')).toBe('SELECT * FROM lake.__lakegres_pg.lake_tables AS tables');
    expect(rewrite('SELECT * FROM other.lakegres.tables').changed).toBe(false);
    expect(rewrite('SELECT * FROM lakegres.columns').changed).toBe(false);
    expect(rewrite('SELECT * FROM lakegres.tables', testContext({ tables: { 'lakegres.tables': ['x'] } })).changed).toBe(false);
  });

  it('leaves user tables, CTEs and relations that are not emulated alone', () => {
    // public.pg_views is a lake table in the test context: it wins over pg_catalog's unqualified.
    expect(rewrite('SELECT * FROM pg_views').changed).toBe(false);
    expect(out('SELECT * FROM pg_catalog.pg_views')).toBe('SELECT * FROM lake.__lakegres_pg.pg_views');
    expect(rewrite('WITH pg_class AS (SELECT 1 AS x) SELECT x FROM pg_class').changed).toBe(false);
    expect(rewrite('SELECT * FROM pg_catalog.pg_stat_statements').changed).toBe(false);
    expect(rewrite('SELECT * FROM information_schema.not_a_view').changed).toBe(false);
    expect(rewrite('SELECT * FROM t').changed).toBe(false);
    // DML on catalog relations stays as it is (DuckDB refuses it).
    expect(rewrite("DELETE FROM pg_catalog.pg_class WHERE relname = 'x'").changed).toBe(false);
  });

  it('calls the emulated catalog functions, qualified or not', () => {
    expect(out('SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a')).toBe(
      'SELECT lake.__lakegres_pg.format_type(a.atttypid, a.atttypmod) FROM lake.__lakegres_pg.pg_attribute AS a',
    );
    expect(out('SELECT obj_description(16385)')).toBe('SELECT lake.__lakegres_pg.obj_description(16385)');
    expect(out('SELECT (information_schema._pg_expandarray(i.indkey)).n FROM pg_index i')).toBe(
      'SELECT (lake.__lakegres_pg._pg_expandarray(i.indkey)).n FROM lake.__lakegres_pg.pg_index AS i',
    );
    // A function of a user schema is the user's.
    expect(rewrite('SELECT myschema.format_type(1, 2)').changed).toBe(false);
  });

  it("drops pg_catalog from DuckDB's built-in functions, not from SQL-syntax calls", () => {
    expect(out("SELECT pg_catalog.array_to_string(ARRAY['a'], ','), pg_catalog.lower('A'), x FROM pg_catalog.unnest(ARRAY[1]) x")).toBe(
      "SELECT array_to_string(ARRAY['a'], ','), lower('A'), x FROM unnest(ARRAY[1]) AS x(x)",
    );
    expect(out("SELECT trim(relname), substring(relname from 1 for 2) FROM pg_catalog.pg_class")).toBe('SELECT TRIM(BOTH FROM relname), SUBSTRING(relname FROM 1 FOR 2) FROM lake.__lakegres_pg.pg_class');
  });

  it('drops the schema from three-part column references', () => {
    expect(out('SELECT pg_catalog.pg_class.relname FROM pg_catalog.pg_class')).toBe('SELECT pg_class.relname FROM lake.__lakegres_pg.pg_class');
  });

  it('keeps $n parameters', () => {
    expect(out('SELECT relname FROM pg_catalog.pg_class WHERE oid = $1 AND relkind = $2')).toBe('SELECT relname FROM lake.__lakegres_pg.pg_class WHERE oid = $1 AND relkind = $2');
  });

  it('runs against the emulated objects', async () => {
    const duck = await standInDuckDB();
    try {
      expect(await duck.rows(out("SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"))).toEqual([['t']]);
      expect(await duck.rows(out('SELECT table_name FROM information_schema.tables WHERE tables.table_schema = $1'), ['public'])).toEqual([['t']]);
      expect(await duck.rows(out('SELECT pg_catalog.pg_table_is_visible(16385)'))).toEqual([[true]]);
    } finally {
      duck.close();
    }
  });
});
