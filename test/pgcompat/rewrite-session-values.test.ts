import { beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite, testContext } from './context.js';
import { standInDuckDB } from './duck.js';
import { referenceClient } from '../helpers/server.js';
import { PG_VERSION_STRING, SERVER_START_TIME } from '../../src/pgcompat/context.js';

beforeAll(() => ready);

describe('rewrite: session-values', () => {
  it('substitutes who and where the session is', () => {
    expect(out('SELECT current_user, session_user, user, current_role')).toBe("SELECT 'alice'::text, 'alice'::text, 'alice'::text, 'alice'::text");
    expect(out('SELECT current_database(), current_catalog, pg_catalog.current_database()')).toBe("SELECT 'lake'::text, 'lake'::text, 'lake'::text");
    expect(out('SELECT current_schema(), current_schema')).toBe("SELECT 'public'::text, 'public'::text");
    expect(out('SELECT current_schema()', testContext({ path: [] }))).toBe('SELECT NULL::text');
    expect(out('SELECT current_schemas(true), current_schemas(false)')).toBe("SELECT CAST(ARRAY['pg_catalog', 'public'] AS text[]), CAST(ARRAY['public'] AS text[])");
    expect(out('SELECT current_schemas(false)', testContext({ path: [] }))).toBe('SELECT CAST(ARRAY[] AS text[])');
    expect(out('SELECT pg_backend_pid()')).toBe('SELECT 4242::int4');
    expect(out('SELECT pg_is_in_recovery(), pg_catalog.pg_is_in_recovery()')).toBe('SELECT false, false');
    expect(out('SELECT inet_server_port(), inet_client_addr()')).toBe("SELECT 5332::int4, '127.0.0.1'::text");
    expect(out('SELECT pg_postmaster_start_time()')).toBe(`SELECT '${SERVER_START_TIME.toISOString()}'::timestamptz`);
  });

  it('version() has the layout clients parse (SQLAlchemy, asyncpg, DBeaver)', () => {
    expect(out('SELECT version()')).toBe(`SELECT CAST('${PG_VERSION_STRING}' AS text)`);
    // SQLAlchemy's psycopg2 dialect: _get_server_version_info
    const m = /.*(?:PostgreSQL|EnterpriseDB) (\d+)\.?(\d+)?(?:\.(\d+))?(?:\.\d+)?(?:devel|beta)?/.exec(PG_VERSION_STRING);
    expect(m?.slice(1, 3)).toEqual(['16', '14']);
    expect(PG_VERSION_STRING).toMatch(/^PostgreSQL 16\.14 \(lakegres \d+\.\d+\.\d+\) on \S+, compiled by .*, 64-bit$/);
  });

  it('current_setting reads the session settings; unknown names fail at run time like PostgreSQL', async () => {
    expect(out("SELECT current_setting('TimeZone')")).toBe("SELECT 'UTC'::text");
    expect(out("SELECT current_setting('server_version_num')::int / 100")).toBe("SELECT CAST('160014'::text AS int) // 100");
    expect(out("SELECT current_setting('no.such', true)")).toBe('SELECT NULL::text');
    const duck = await standInDuckDB();
    try {
      await expect(duck.rows(out("SELECT current_setting('nope')"))).rejects.toThrow(/\[lakegres:42704\] unrecognized configuration parameter "nope"/);
      // A name known only at run time: every setting of the session.
      expect(await duck.rows(out('SELECT current_setting(x) FROM (VALUES ($1)) v(x)'), ['datestyle'])).toEqual([['ISO, MDY']]);
    } finally {
      duck.close();
    }
  });

  it('txid_current() is a number per call site the routing makes stable per transaction', () => {
    let n = 0;
    const ctx = testContext({ txid: () => ++n });
    const r1 = rewrite('SELECT txid_current()', ctx);
    const r2 = rewrite('SELECT txid_current()', ctx);
    expect(r1.text).toBe("SELECT '1'::int8");
    expect(r2.text).toBe("SELECT '2'::int8");
    expect(r1.volatile).toBe(true);
  });

  it('uses the values of the session it runs for (cache keyed by the values used)', () => {
    expect(out('SELECT current_user', testContext({ user: 'bob' }))).toBe("SELECT 'bob'::text");
    expect(out('SELECT current_user', testContext({ user: 'carol' }))).toBe("SELECT 'carol'::text");
    expect(out("SELECT current_setting('TimeZone')", testContext({ settings: { TimeZone: 'Europe/Paris' } }))).toBe("SELECT 'Europe/Paris'::text");
    expect(out("SELECT current_setting('TimeZone')", testContext({ settings: { TimeZone: 'UTC' } }))).toBe("SELECT 'UTC'::text");
  });

  it('leaves user functions and DuckDB-dialect statements alone', () => {
    expect(rewrite('SELECT myschema.version()').changed).toBe(false);
    expect(rewrite('SELECT [current_user]').changed).toBe(false); // DuckDB list syntax: not PostgreSQL
    expect(rewrite('SELECT current_date').changed).toBe(false);
  });

  it('gives the same types and shapes as PostgreSQL', async () => {
    const ref = await referenceClient();
    const duck = await standInDuckDB();
    try {
      const sql = "SELECT array_to_string(current_schemas(true), ',') AS s, pg_backend_pid() > 0 AS p, pg_is_in_recovery() AS r, current_setting($1) AS z";
      const pg = await ref.query(sql, ['DateStyle']);
      const ours = await duck.rows(out(sql), ['DateStyle']);
      expect(ours).toEqual([[pg.rows[0].s, pg.rows[0].p, pg.rows[0].r, pg.rows[0].z]]);
    } finally {
      duck.close();
      await ref.end();
    }
  });
});
