/**
 * Simple-query protocol conformance, message by message, against the reference PostgreSQL 16:
 * one result per statement, EmptyQueryResponse, exact command tags, and the implicit
 * transaction of a multi-statement Query message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers/server.js';
import type { RawClient } from './helpers/raw-client.js';
import { connectTo, simple, uniq } from './helpers/protocol-compare.js';

let srv: TestServer;
const clients: RawClient[] = [];
let lake: RawClient;
let pg: RawClient;

beforeAll(async () => {
  srv = await startServer();
  lake = await connectTo('lake', srv.port);
  pg = await connectTo('pg', srv.port);
  clients.push(lake, pg);
});
afterAll(async () => {
  for (const c of clients) c.end();
  await srv?.stop();
});

/** Runs the same queries on both servers (in order) and returns both transcripts. */
async function both(queries: string[], opts = { rows: true }): Promise<{ lake: string[][]; pg: string[][] }> {
  const out = { lake: [] as string[][], pg: [] as string[][] };
  for (const q of queries) {
    out.lake.push(await simple(lake, q, opts));
    out.pg.push(await simple(pg, q, opts));
  }
  return out;
}

type TableKind = 'table' | 'temp table';
/** Both a lake table and a (DuckDB) temporary table: the transaction rules hold for each. */
const KINDS: TableKind[] = ['table', 'temp table'];

/** A fresh table on both servers; dropped afterwards. */
async function withTable(kind: TableKind, fn: (t: string) => Promise<void>): Promise<void> {
  const t = uniq('sq');
  for (const c of [lake, pg]) expect(await simple(c, `create ${kind} ${t}(a int4, b text)`)).toEqual(['C:CREATE TABLE', 'Z:I']);
  try {
    await fn(t);
  } finally {
    for (const c of [lake, pg]) await simple(c, `rollback; drop table if exists ${t}`);
  }
}

/** The statement that fails in these tests (42P01 on both servers). */
const FAIL = 'select * from no_such_table_q';

describe('simple query: the same text again', () => {
  it('reads what the names mean now: new rows, a shadowing temp table, another schema, new columns', async () => {
    const t = uniq('rep');
    const s2 = uniq('rs');
    const sel = `select * from ${t} order by 1`;
    try {
      const r = await both([
        `create table ${t}(a int4)`,
        sel,
        `insert into ${t} values (1)`,
        sel,
        `create temp table ${t}(a int4, b text)`,
        sel,
        `insert into pg_temp.${t} values (5, 'five')`,
        `select b from pg_temp.${t}`,
        `drop table pg_temp.${t}`,
        sel,
        `alter table ${t} add column c int4`,
        sel,
        `create schema ${s2}`,
        `create table ${s2}.${t}(z text)`,
        `insert into ${s2}.${t} values ('zz')`,
        `set search_path = ${s2}, public`,
        sel,
        `reset search_path`,
        sel,
        `begin`,
        `insert into ${t} values (2, 3)`,
        sel,
        `rollback`,
        sel,
      ]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[3]).toEqual(['T', 'D:1', 'C:SELECT 1', 'Z:I']);
      expect(r.pg[5]).toEqual(['T', 'C:SELECT 0', 'Z:I']);
      expect(r.pg[7]).toEqual(['T', 'D:five', 'C:SELECT 1', 'Z:I']);
      expect(r.pg[11]).toEqual(['T', 'D:1|NULL', 'C:SELECT 1', 'Z:I']);
      expect(r.pg[16]).toEqual(['T', 'D:zz', 'C:SELECT 1', 'Z:I']);
      expect(r.pg[21]).toEqual(['T', 'D:1|NULL', 'D:2|3', 'C:SELECT 2', 'Z:T']);
      expect(r.pg[23]).toEqual(['T', 'D:1|NULL', 'C:SELECT 1', 'Z:I']);
    } finally {
      for (const c of [lake, pg]) await simple(c, `rollback; reset search_path; drop table if exists ${t}; drop schema if exists ${s2} cascade`);
    }
  });
});

describe('simple query: results and tags', () => {
  it('answers an empty query with EmptyQueryResponse', async () => {
    for (const q of ['', ';', '  ;  ; ', '-- only a comment', '/* block */', '/* a */ ; -- b\n']) {
      const r = await both([q]);
      expect(r.lake, q).toEqual(r.pg);
      expect(r.pg[0]).toEqual(['I', 'Z:I']);
    }
  });

  it('sends one result per statement of a multi-statement message', async () => {
    const r = await both(["select 1::int4 as a; select 'x'::text as b, 2::int4 as c; ; select 3::int4 where false"]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['T', 'D:1', 'C:SELECT 1', 'T', 'D:x|2', 'C:SELECT 1', 'T', 'C:SELECT 0', 'Z:I']);
  });

  it('writes the command tags PostgreSQL writes', async () => {
    const t = uniq('tags');
    const queries = [
      `create table ${t}(a int, b text)`,
      `insert into ${t} values (1, 'a'), (2, 'b'), (3, 'c')`,
      `insert into ${t} select a + 10, b from ${t}`,
      `insert into ${t} select a, b from ${t} where false`,
      `select a from ${t} order by a`,
      'begin',
      'commit',
      'begin',
      'rollback',
      'set application_name = x',
      'show application_name',
      'reset application_name',
      `drop table ${t}`,
    ];
    const r = await both(queries, { rows: false });
    expect(r.lake).toEqual(r.pg);
    expect(r.pg.map((m) => m.find((s) => s.startsWith('C:')))).toEqual([
      'C:CREATE TABLE',
      'C:INSERT 0 3',
      'C:INSERT 0 3',
      'C:INSERT 0 0',
      'C:SELECT 6',
      'C:BEGIN',
      'C:COMMIT',
      'C:BEGIN',
      'C:ROLLBACK',
      'C:SET',
      'C:SHOW',
      'C:RESET',
      'C:DROP TABLE',
    ]);
  });

  it('raises division by zero (22012) where PostgreSQL does, for every numeric type and on table rows', async () => {
    await withTable('table', async (t) => {
      const queries = [
        `insert into ${t} values (0, 'z'), (4, 'f')`,
        'select 1/0',
        'select 1.5/0',
        'select 2.0::float8 / 0::float8',
        'select 5 % 0',
        `select 8 / a from ${t} order by b`,
        `select 8 % a from ${t} where b = 'z'`,
        `select 8 / a from ${t} where a <> 0`,
        `select sum(a) / count(*) from ${t} where a > 100`,
      ];
      // PostgreSQL sends the RowDescription of a table query before the row that fails; lakegres
      // fails it before (the error is the same).
      const r = await both(queries);
      const withoutT = (t: string[][]) => t.map((m) => (m.some((x) => x.startsWith('E:')) ? m.filter((x) => x !== 'T') : m));
      expect(withoutT(r.lake)).toEqual(withoutT(r.pg));
      expect(r.lake.slice(1).filter((m) => m.some((x) => x.startsWith('E:22012'))).length).toBe(6);
    });
  });

  it('keeps interval field qualifiers in statements lakegres rewrites (INTERVAL \'1\' MONTH is a month)', async () => {
    const r = await both([
      "select (timestamp '2000-01-31 12:00:00' + interval '1' month)::text as a, (date '1995-09-01' + interval '1-2' year to month)::text as b, 7 / 2 as c",
    ]);
    expect(r.lake).toEqual(r.pg);
  });

  it('writes UPDATE n and DELETE n', async (ctx) => {
    const t = uniq('ud');
    const setup = await both([`create temp table ${t}(a int4, b text)`, `insert into ${t} values (1, 'a'), (2, 'b'), (3, 'c')`]);
    expect(setup.lake).toEqual(setup.pg);
    const probe = await simple(lake, `update ${t} set b = b where false`, { messages: true });
    // The lake layer refuses UPDATE/DELETE while they are not implemented: nothing to compare yet.
    if (probe[0]?.startsWith('E:0A000:ERROR') && /not supported yet/.test(probe[0])) ctx.skip();
    const r = await both([`update ${t} set b = 'z' where a > 1`, `delete from ${t} where a = 1`, `update ${t} set b = 'q' where false`, `delete from ${t}`], { rows: false });
    expect(r.lake).toEqual(r.pg);
    expect(r.pg.map((m) => m[0])).toEqual(['C:UPDATE 2', 'C:DELETE 1', 'C:UPDATE 0', 'C:DELETE 2']);
  });

  it('fails a transaction block on a syntax error the lexer finds (unterminated string)', async () => {
    const r = await both(['begin', "select 'unterminated", 'select 1', 'rollback', "select 'again"]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg).toEqual([['C:BEGIN', 'Z:T'], ['E:42601:ERROR', 'Z:E'], ['E:25P02:ERROR', 'Z:E'], ['C:ROLLBACK', 'Z:I'], ['E:42601:ERROR', 'Z:I']]);
  });

  it('reports ReadyForQuery status I, T and E', async () => {
    const r = await both(['begin', 'select 1', 'select * from no_such_table_here', 'select 1', 'rollback', 'select 1']);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg.map((m) => m[m.length - 1])).toEqual(['Z:T', 'Z:T', 'Z:E', 'Z:E', 'Z:I', 'Z:I']);
    expect(r.pg[3]).toEqual(['E:25P02:ERROR', 'Z:E']);
  });
});

describe.each(KINDS)('simple query: implicit transaction of a multi-statement message (%s)', (kind) => {
  it('rolls back earlier statements when a later one fails, and stops at the error', async () => {
    await withTable(kind, async (t) => {
      const r = await both([
        `insert into ${t} values (1, 'a'); insert into ${t} values (2, 'b'); ${FAIL}; insert into ${t} values (4, 'never')`,
        `select a from ${t} order by a`,
      ]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[0]).toEqual(['C:INSERT 0 1', 'C:INSERT 0 1', 'E:42P01:ERROR', 'Z:I']);
      expect(r.pg[1]).toEqual(['T', 'C:SELECT 0', 'Z:I']);
    });
  });

  it('stops at the first error even when later statements are valid', async () => {
    await withTable(kind, async (t) => {
      const r = await both([`${FAIL}; insert into ${t} values (9, 'x')`, `select count(*)::int4 as n from ${t}`]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[0]).toEqual(['E:42P01:ERROR', 'Z:I']);
      expect(r.pg[1]).toEqual(['T', 'D:0', 'C:SELECT 1', 'Z:I']);
    });
  });

  it('keeps what an explicit block committed inside the message', async () => {
    await withTable(kind, async (t) => {
      const r = await both([
        `begin; insert into ${t} values (10, 'a'); commit; insert into ${t} values (11, 'b'); ${FAIL}`,
        `select a from ${t} order by a`,
      ]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[0]).toEqual(['C:BEGIN', 'C:INSERT 0 1', 'C:COMMIT', 'C:INSERT 0 1', 'E:42P01:ERROR', 'Z:I']);
      expect(r.pg[1]).toEqual(['T', 'D:10', 'C:SELECT 1', 'Z:I']);
    });
  });

  it('COMMIT inside the message commits the implicit transaction so far', async () => {
    await withTable(kind, async (t) => {
      const r = await both([
        `insert into ${t} values (30, 'a'); commit; insert into ${t} values (31, 'b'); ${FAIL}`,
        `select a from ${t} order by a`,
      ]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[1]).toEqual(['T', 'D:30', 'C:SELECT 1', 'Z:I']);
    });
  });

  it('BEGIN inside the message opens a block that an error leaves failed', async () => {
    await withTable(kind, async (t) => {
      const r = await both([
        `insert into ${t} values (20, 'a'); begin; insert into ${t} values (21, 'b'); ${FAIL}; select 1`,
        'select 1',
        'rollback',
        `select a from ${t} order by a`,
      ]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[0]).toEqual(['C:INSERT 0 1', 'C:BEGIN', 'C:INSERT 0 1', 'E:42P01:ERROR', 'Z:E']);
      expect(r.pg[1]).toEqual(['E:25P02:ERROR', 'Z:E']);
      // The block began inside the message: ROLLBACK undoes the statements before BEGIN too.
      expect(r.pg[3]).toEqual(['T', 'C:SELECT 0', 'Z:I']);
    });
  });

  it('a message ending inside BEGIN leaves the block open', async () => {
    await withTable(kind, async (t) => {
      const r = await both([`select 1::int4 as x; begin; insert into ${t} values (5, 'x')`, 'rollback', `select a from ${t}`]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[0]).toEqual(['T', 'D:1', 'C:SELECT 1', 'C:BEGIN', 'C:INSERT 0 1', 'Z:T']);
      expect(r.pg[2]).toEqual(['T', 'C:SELECT 0', 'Z:I']);
    });
  });

  it('ROLLBACK inside the message undoes the implicit transaction', async () => {
    await withTable(kind, async (t) => {
      const r = await both([`insert into ${t} values (40, 'x'); rollback; select 1::int4 as one`, `select a from ${t}`]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[0]).toEqual(['C:INSERT 0 1', 'C:ROLLBACK', 'T', 'D:1', 'C:SELECT 1', 'Z:I']);
      expect(r.pg[1]).toEqual(['T', 'C:SELECT 0', 'Z:I']);
    });
  });

  it('an error in an explicit block opened by an earlier message fails the block', async () => {
    await withTable(kind, async (t) => {
      const r = await both([
        'begin',
        `insert into ${t} values (50, 'x'); ${FAIL}; insert into ${t} values (51, 'y')`,
        'commit',
        `select a from ${t}`,
      ]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[1]).toEqual(['C:INSERT 0 1', 'E:42P01:ERROR', 'Z:E']);
      // COMMIT of a failed block reports ROLLBACK.
      expect(r.pg[2]).toEqual(['C:ROLLBACK', 'Z:I']);
      expect(r.pg[3]).toEqual(['T', 'C:SELECT 0', 'Z:I']);
    });
  });
});

