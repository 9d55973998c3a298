/**
 * Catalog columns reach clients with PostgreSQL's types: RowDescription (type OID, typlen,
 * typmod) and the DataRow bytes in text and in binary format are compared with the reference
 * PostgreSQL 16 for catalog queries over built-in objects (oid, regproc, name, "char", xid,
 * oidvector, int2vector, oid[], aclitem[], information_schema's domains), through the
 * expressions clients wrap them in; ParameterDescription of parameters cast to catalog types;
 * the simple protocol; the binary refusal of aclitem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { startServer, referenceClient, referencePort, type TestServer } from '../helpers/server.js';
import { Pair, same, type TypeCase } from '../helpers/types-compare.js';
import type { RawClient } from '../helpers/raw-client.js';

let srv: TestServer;
let pair: Pair;
beforeAll(async () => {
  srv = await startServer();
  pair = await Pair.open(srv.port, referencePort());
});
afterAll(async () => {
  pair?.close();
  await srv?.stop();
});

const cases: TypeCase[] = [
  same(
    'pg_class: oid, name, "char", smallint, xid',
    `SELECT oid, relname, relnamespace, reltype, relowner, relkind, relpersistence, relreplident, relnatts, relfrozenxid, relminmxid FROM pg_catalog.pg_class
     WHERE relname IN ('pg_class', 'pg_type', 'pg_proc', 'pg_am') ORDER BY oid`,
  ),
  same(
    'pg_proc: oidvector, oid[], "char"[], text[], regproc',
    `SELECT oid, proname, pronamespace, proargtypes, proallargtypes, proargmodes, proargnames, prorettype, provariadic, prokind, prosupport, pronargs
     FROM pg_proc WHERE proname IN ('concat_ws', 'pg_get_keywords', 'format_type', 'int4in', 'generate_series') ORDER BY oid`,
  ),
  same(
    'pg_type: regproc columns as names (- for none)',
    `SELECT oid, typname, typtype, typcategory, typdelim, typinput, typoutput, typreceive, typsend, typmodin, typmodout, typanalyze, typsubscript, typelem, typarray
     FROM pg_catalog.pg_type WHERE typname IN ('int4', '_int4', 'oidvector', 'int2vector', 'record', 'name', 'numeric', '_numeric', 'varchar', 'char') ORDER BY oid`,
  ),
  same('regproc of an overloaded function is schema-qualified', `SELECT aggfnoid, aggtransfn, aggfinalfn, aggkind, aggtranstype FROM pg_aggregate WHERE aggfnoid::oid IN (2108, 2147, 2803) ORDER BY 1`),
  same('pg_namespace with its ACL (text)', `SELECT oid, nspname, nspowner, nspacl FROM pg_namespace WHERE nspname = 'public'`, { formats: [0] }),
  same('pg_attribute of a catalog relation', `SELECT attrelid, attname, atttypid, attlen, attnum, atttypmod, attalign, attstorage, attnotnull FROM pg_attribute WHERE attrelid = 2601 AND attnum > 0 ORDER BY attnum`),
  same('select * from pg_am', 'SELECT * FROM pg_am ORDER BY oid'),
  same(
    'information_schema domains as their base types (name, varchar, varchar(3), int4)',
    `SELECT table_schema, table_name, column_name, ordinal_position, data_type, udt_name, is_nullable, dtd_identifier, character_maximum_length
     FROM information_schema.columns WHERE table_schema = 'pg_catalog' AND table_name = 'pg_am' ORDER BY ordinal_position`,
  ),
  same('information_schema.tables', `SELECT table_schema, table_name, table_type, is_insertable_into, is_typed FROM information_schema.tables WHERE table_name IN ('pg_am', 'pg_class') ORDER BY 2`),
  same(
    'expressions: coalesce, CASE, array_agg, min, unnest, subscripts, scalar and ARRAY subqueries',
    `SELECT coalesce(t.typelem, 0) AS e, CASE WHEN t.typelem <> 0 THEN t.typelem END AS c, (SELECT n.nspname FROM pg_namespace n WHERE n.oid = t.typnamespace) AS ns,
       ARRAY(SELECT a.oid FROM pg_am a ORDER BY 1) AS ams, t.typname::text AS tn, t.oid::int8 AS big
     FROM pg_type t WHERE t.typname IN ('_int4', 'int4') ORDER BY t.oid`,
  ),
  same('aggregates over catalog columns', `SELECT array_agg(oid ORDER BY oid) AS oids, min(oid), max(oid), count(*) FROM pg_am`),
  same('unnest of an oidvector', `SELECT unnest(proargtypes) AS t FROM pg_proc WHERE proname = 'concat_ws'`),
  same('unnest in FROM, with ordinality', `SELECT p.proname, t.* FROM pg_proc p, unnest(p.proargtypes) WITH ORDINALITY AS t(typ, n) WHERE p.proname = 'concat_ws' ORDER BY n`),
  same('a one-column function in FROM', `SELECT u.*, u AS again FROM pg_proc p, unnest(p.proallargtypes) u WHERE p.proname = 'concat_ws' ORDER BY 1`),
  same('UNION of oid and a constant', 'SELECT oid FROM pg_am UNION ALL SELECT 0 ORDER BY 1'),
  same(
    'recursive CTE typed by its non-recursive term',
    `WITH RECURSIVE r(o, d) AS (SELECT oid, 0 FROM pg_type WHERE typname = '_int4' UNION ALL SELECT t.typelem, r.d + 1 FROM r JOIN pg_type t ON t.oid = r.o WHERE t.typelem <> 0) SELECT * FROM r ORDER BY d`,
  ),
  same('casts to catalog types', `SELECT ''::"char" AS a, 'x'::"char" AS b, 'x'::name AS c, 16::oid AS d, '{1,2}'::oid[] AS e, '{}'::oid[] AS f, ARRAY['a', 'b']::name[] AS g`),
  { name: 'oidvector and int2vector values', lg: `SELECT CAST(ARRAY[25, 16] AS oidvector) AS a, '{}'::oid[]::oidvector AS b, CAST(ARRAY[1, 2] AS int2vector) AS c`, pg: `SELECT '25 16'::oidvector AS a, ''::oidvector AS b, '1 2'::int2vector AS c` },
  same(
    'reg* names as text: casts and to_reg* functions',
    `SELECT 'pg_class'::regclass::text AS a, to_regclass('pg_class')::text AS b, to_regclass('nope')::text AS c, to_regtype('integer')::text AS d, to_regtype('int4[]')::text AS e,
       to_regproc('int4in')::text AS f, to_regnamespace('pg_catalog')::text AS g, 42::regproc::text AS h, 0::regproc::text AS i,
       (SELECT aggfnoid::regproc::text FROM pg_aggregate WHERE aggfnoid::oid = 2108) AS j`,
  ),
  same('asyncpg: a type by name', `SELECT t.oid, t.typelem AS elemtype, t.typtype AS kind FROM pg_catalog.pg_type AS t INNER JOIN pg_catalog.pg_namespace AS ns ON (ns.oid = t.typnamespace) WHERE t.typname = $1 AND ns.nspname = $2`, {
    params: ['json', 'pg_catalog'],
  }),
  same('types by an oid[] parameter', `SELECT oid, typname, typlen FROM pg_type WHERE oid = ANY($1::oid[]) ORDER BY 1`, { params: ['{16,1007,30}'] }),
];

describe('catalog column types, text and binary, as PostgreSQL sends them', () => {
  for (const c of cases) it(c.name, () => pair.compare(c));

  it('aclitem has no binary output (42883), as in PostgreSQL; text works', async () => {
    const sql = `SELECT nspacl FROM pg_namespace WHERE nspname = 'public'`;
    const [want, got] = [await pair.run('pg', sql, { format: 1 }), await pair.run('lg', sql, { format: 1 })];
    expect(want.error?.C).toBe('42883');
    expect(got.error?.C).toBe(want.error?.C);
    expect(got.error?.M).toBe(want.error?.M);
    expect(got.fields.map((f) => f.typeOid)).toEqual(want.fields.map((f) => f.typeOid));
  });
});

/** ParameterDescription of a statement (Parse, Describe statement, Sync). */
async function parameterTypes(c: RawClient, sql: string): Promise<number[]> {
  c.write(Buffer.concat([serialize.parse({ text: sql, types: [] }), serialize.describe({ type: 'S' }), serialize.sync()]));
  const msgs = await c.untilReady();
  const e = msgs.find((m) => m.type === 'E');
  if (e) throw new Error(`${sql}: ${e.payload.toString()}`);
  const t = msgs.find((m) => m.type === 't')!;
  const n = t.payload.readInt16BE(0);
  return Array.from({ length: n }, (_, i) => t.payload.readUInt32BE(2 + 4 * i));
}

describe('parameters and the simple protocol', () => {
  it('a parameter cast to a catalog type is described with that type', async () => {
    for (const sql of [
      'SELECT typname FROM pg_type WHERE oid = ANY($1::oid[])',
      'SELECT relname FROM pg_class WHERE oid = $1::oid AND relname = $2::name',
      // Parameters compared with catalog columns take their types (PostgreSQL's unknown-typed parameters).
      'SELECT relname FROM pg_catalog.pg_class c WHERE c.oid = $1',
      'SELECT t.oid FROM pg_type t JOIN pg_namespace ns ON ns.oid = t.typnamespace AND ns.nspname = $2 WHERE t.typname = $1',
      'SELECT typname FROM pg_type WHERE oid = ANY($1) AND typtype IN ($2, $3)',
      'SELECT 1 AS x WHERE EXISTS (SELECT 1 FROM pg_class WHERE relname = $1 AND relkind = $2)',
    ]) {
      expect(await parameterTypes(pair.lg, sql), sql).toEqual(await parameterTypes(pair.pg, sql));
    }
  });

  it('simple-protocol results carry the same types; name-typed session functions', async () => {
    const lg = await srv.client();
    const ref = await referenceClient();
    try {
      for (const sql of [
        `SELECT oid, relname, relkind, relacl FROM pg_catalog.pg_class WHERE relname = 'pg_am'`,
        `SELECT proname, proargtypes FROM pg_proc WHERE proname = 'concat_ws'`,
        'SELECT current_user, session_user, current_schema, current_database(), pg_get_userbyid(10) AS owner, current_schemas(false) AS path',
        // system columns (constants in lakegres) and anyarray
        'SELECT a.xmin, a.cmin, xmax, attmissingval FROM pg_attribute a WHERE attrelid = 2601 AND attnum = 1',
      ]) {
        const [a, b] = await Promise.all([lg.query(sql), ref.query(sql)]);
        expect(a.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeSize]), sql).toEqual(b.fields.map((f: pg.FieldDef) => [f.name, f.dataTypeID, f.dataTypeSize]));
      }
      const r = await lg.query(`SELECT proargtypes, proallargtypes FROM pg_proc WHERE proname = 'concat_ws'`);
      expect(r.rows).toEqual([{ proargtypes: '25 2276', proallargtypes: [25, 2276] }]);
      // A to_reg* result printed as it is: the name (PostgreSQL's type is regclass, lakegres's text).
      const names = `SELECT to_regclass('pg_type') AS c, to_regtype('int4') AS t, to_regproc('int4in') AS p`;
      const [x, y] = await Promise.all([lg.query(names), ref.query(names)]);
      expect(x.rows).toEqual(y.rows);
    } finally {
      await ref.end();
    }
  });
});
