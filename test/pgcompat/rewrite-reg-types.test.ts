import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite, testContext } from './context.js';
import { standIns } from './duck.js';
import { parseQualifiedName, parseTypeName } from '../../src/pgcompat/rewrite/reg-types.js';

const env = standIns();

const rows = (sql: string, params?: unknown[]) => env.duck.rows(out(sql), params);

describe('rewrite: reg-types', () => {
  it('reads names as PostgreSQL does', () => {
    expect(parseQualifiedName('public.t')).toEqual(['public', 't']);
    expect(parseQualifiedName('"Sales"."Orders"')).toEqual(['Sales', 'Orders']);
    expect(parseQualifiedName('Sales.ORDERS')).toEqual(['sales', 'orders']);
    expect(parseQualifiedName(' "a.b" ')).toEqual(['a.b']);
    expect(parseQualifiedName('a..b')).toBeUndefined();
    expect(parseTypeName('integer')).toEqual({ schema: 'pg_catalog', name: 'int4' });
    expect(parseTypeName('int4[]')).toEqual({ name: '_int4' });
    expect(parseTypeName('character varying(10)')).toEqual({ schema: 'pg_catalog', name: 'varchar' });
    expect(parseTypeName('timestamp with time zone')).toEqual({ schema: 'pg_catalog', name: 'timestamptz' });
  });

  it('text → OID where the value is compared', async () => {
    expect(await rows("SELECT relname FROM pg_catalog.pg_class WHERE oid = 'public.t'::regclass")).toEqual([['t']]);
    expect(await rows("SELECT relname FROM pg_class WHERE oid = 't'::pg_catalog.regclass")).toEqual([['t']]);
    expect(await rows(`SELECT relname FROM pg_class WHERE oid = '"Sales"."Orders"'::regclass`)).toEqual([['Orders']]);
    await expect(rows(`SELECT relname FROM pg_class WHERE oid = 'Sales.Orders'::regclass`)).rejects.toThrow(/relation "sales.orders" does not exist/);
    expect(await rows("SELECT 'pg_class'::regclass::oid, '16385'::regclass::int8")).toEqual([[1259n, 16385n]]);
    expect(await rows("SELECT typname FROM pg_type WHERE oid = 'integer'::regtype OR oid = 'int4[]'::regtype ORDER BY 1")).toEqual([['_int4'], ['int4']]);
    expect(await rows("SELECT 'public'::regnamespace::oid, 'alice'::regrole::oid")).toEqual([[2200n, 10n]]);
    // pgjdbc: typinput='pg_catalog.array_in'::regproc (regproc columns hold OIDs)
    expect(await rows("SELECT typname FROM pg_type WHERE typinput = 'pg_catalog.array_in'::regproc AND typname = '_int4'")).toEqual([['_int4']]);
  });

  it('OID → name where PostgreSQL prints it (select list, casts to text)', async () => {
    expect(await rows("SELECT c.oid::regclass FROM pg_class c WHERE c.relname IN ('t', 'pg_class', 'Orders') ORDER BY c.oid")).toEqual([['pg_class'], ['t'], ['"Sales"."Orders"']]);
    expect(await rows("SELECT 't'::regclass, 23::regtype, 1007::regtype::text, 750::regproc, 0::regproc, 99999::regclass")).toEqual([['t', 'integer', 'integer[]', 'array_in', '-', '99999']]);
    expect(await rows('SELECT 2200::regnamespace, 10::regrole')).toEqual([['public', 'alice']]);
    // In WHERE, still an OID.
    expect(await rows("SELECT count(*) FROM pg_class c WHERE c.oid::regclass = 't'::regclass")).toEqual([[1n]]);
  });

  it('to_reg* results printed or cast to text are names; compared, they stay OIDs', () => {
    // (the to_reg* macros are the emulated catalog's: test/pgcompat/catalog-types.test.ts runs them)
    const printed = out("SELECT to_regclass('t')::text, to_regtype('int4[]') AS t");
    expect(printed).toContain("WHERE __c.oid = lake.__lakegres_pg.to_regclass('t')");
    expect(printed).toContain("lake.__lakegres_pg.format_type(lake.__lakegres_pg.to_regtype('int4[]'), NULL)");
    expect(out("SELECT relname FROM pg_class WHERE oid = to_regclass('t')")).not.toContain('__c.relname');
  });

  it('values known only at run time ($n, expressions): names or numbers', async () => {
    expect(await rows('SELECT relname FROM pg_class WHERE oid = $1::regclass', ['"Sales".orders'])).toEqual([['orders']]);
    expect(await rows('SELECT relname FROM pg_class WHERE oid = $1::regclass', ['16385'])).toEqual([['t']]);
    expect(await rows('SELECT relname FROM pg_class WHERE oid = $1::regclass', ['pg_namespace'])).toEqual([['pg_namespace']]);
    expect(await rows("SELECT oid FROM pg_type WHERE oid = ('in' || 't4')::regtype")).toEqual([[23n]]);
    expect(await rows('SELECT $1::regclass IS NULL', [null])).toEqual([[true]]);
  });

  it('missing objects fail with PostgreSQL SQLSTATEs', async () => {
    await expect(rows("SELECT 'nosuch'::regclass")).rejects.toThrow(/\[lakegres:42P01\] relation "nosuch" does not exist/);
    await expect(rows("SELECT 'nosuch'::regtype")).rejects.toThrow(/\[lakegres:42704\] type "nosuch" does not exist/);
    await expect(rows("SELECT 'nosuch'::regnamespace")).rejects.toThrow(/\[lakegres:3F000\]/);
    await expect(rows("SELECT 'nosuch'::regproc")).rejects.toThrow(/\[lakegres:42883\]/);
    await expect(rows('SELECT $1::regclass', ['nosuch'])).rejects.toThrow(/\[lakegres:42P01\] relation "nosuch" does not exist/);
  });

  it('follows search_path for unqualified names', async () => {
    const ctx = testContext({ path: ['Sales', 'public'] });
    expect(await env.duck.rows(out("SELECT 'orders'::regclass::oid", ctx))).toEqual([[16392n]]);
    expect(await env.duck.rows(out("SELECT c.oid::regclass FROM pg_class c WHERE c.relname = 'orders'", ctx))).toEqual([['orders']]);
    expect(rewrite("SELECT 'orders'::regclass::oid", ctx).volatile).toBe(true);
  });

  it('leaves statements without reg types alone', () => {
    expect(rewrite("SELECT 'regclass' AS x").changed).toBe(false);
  });
});
