/**
 * postgres.js (the `postgres` package) against lakegres, compared with the reference
 * PostgreSQL 16 where the semantics agree. postgres.js prepares every query by default, fetches
 * array types from pg_catalog at connect, and pipelines queries on one connection.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { createReferenceDb, lakegresTarget, type ReferenceDb, type Target } from './util.js';

let srv: TestServer;
let ref: ReferenceDb;
const open: postgres.Sql[] = [];

beforeAll(async () => {
  srv = await startServer();
  ref = await createReferenceDb('clients_postgres_js');
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.end({ timeout: 5 }).catch(() => undefined)));
  await srv?.stop();
  await ref?.drop();
});

function connect(t: Target, options: postgres.Options<Record<string, postgres.PostgresType>> = {}): postgres.Sql {
  const sql = postgres({
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password || undefined,
    database: t.database,
    max: 4,
    connect_timeout: 10,
    idle_timeout: 5,
    onnotice: () => undefined,
    connection: { TimeZone: 'UTC' },
    ...options,
  });
  open.push(sql);
  return sql;
}

async function both<T>(fn: (sql: postgres.Sql) => Promise<T>, options: postgres.Options<Record<string, postgres.PostgresType>> = {}): Promise<[T, T]> {
  return [await fn(connect(lakegresTarget(srv), options)), await fn(connect(ref.target, options))];
}

function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return 'bytes:' + v.toString('hex');
  if (v instanceof Date) return 'date:' + v.toISOString();
  if (typeof v === 'bigint') return 'bigint:' + v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

describe('postgres.js', () => {
  it('connects with the type fetch, and round-trips tagged-template parameters of many types', async () => {
    const [lg, pgRef] = await both(async (sql) => {
      const rows = await sql`
        select ${42}::int as i, ${'9007199254740993'}::bigint as b, ${1.5}::float8 as f, ${'-123.456'}::numeric(10,3) as n,
               ${"uni ☃ 'q' \"d\" \\ \t\n"}::text as t, ${Buffer.from([0, 1, 255])}::bytea as by_, ${true}::bool as bo,
               ${new Date(Date.UTC(2024, 1, 29, 12, 30, 45, 123))}::timestamptz as tz, ${'2024-02-29'}::date as d,
               ${sql.json({ k: [1, 'two', null] })}::json as j, ${null}::text as nul,
               ${'12345678-1234-5678-1234-567812345678'}::uuid as u`;
      return { rows: plain([...rows]), types: rows.columns.map((c) => c.type) };
    });
    expect(lg).toEqual(pgRef);
    const row = (lg.rows as Record<string, unknown>[])[0]!;
    expect(row.by_).toBe('bytes:0001ff');
    expect(row.j).toEqual({ k: [1, 'two', null] });
  });

  // postgres.js learns array types from pg_catalog.pg_type at connect (typcategory 'A',
  // typelem/typarray): the emulated catalog has PostgreSQL's array types.
  it('arrays as parameters and results', async () => {
    const [lg, pgRef] = await both(async (sql) => {
      const rows = await sql`select ${[1, 2, 3]}::int[] as ai, array['a', 'b c'] as at`;
      return plain([...rows]);
    });
    expect(pgRef).toEqual([{ ai: [1, 2, 3], at: ['a', 'b c'] }]);
    expect(lg).toEqual(pgRef);
  });

  it('dynamic inserts and selects with helpers, repeated (prepared) and in parallel', async () => {
    const [lg, pgRef] = await both(async (sql) => {
      await sql`create table pj(id int, name text, born date)`;
      const people = Array.from({ length: 30 }, (_, i) => ({ id: i, name: `person ${i} ☃`, born: `19${50 + i}-01-0${(i % 9) + 1}` }));
      await sql`insert into pj ${sql(people.slice(0, 10))}`;
      for (const p of people.slice(10)) await sql`insert into pj ${sql(p, 'id', 'name', 'born')}`;
      const sel = await Promise.all([3, 7, 3, 11, 29].map((id) => sql`select id, name, born from pj where id = ${id}`));
      const inList = await sql`select id from pj where id in ${sql([1, 2, 25])} order by id`;
      const upd = await sql`update pj set name = ${'renamed'} where id < ${5} returning id`;
      const cnt = await sql`select count(*)::int as n from pj where name = 'renamed'`;
      return { sel: plain(sel.map((r) => [...r])), inList: [...inList], upd: upd.count, cnt: cnt[0]!.n };
    });
    expect(lg).toEqual(pgRef);
    expect(lg.upd).toBe(5);
  });

  it('sql.unsafe and .simple() with several statements', async () => {
    const [lg, pgRef] = await both(async (sql) => {
      const res = await sql.unsafe('create table mu(a int); insert into mu values (1), (2); select a from mu order by a; select 42 as answer').simple();
      const results = (res as unknown as postgres.RowList<postgres.Row[]>[]).map((r) => ({ command: r.command, count: r.count, rows: [...r] }));
      const withParams = await sql.unsafe('select $1::int + $2::int as s', [40, 2]);
      let err: string | undefined;
      try {
        await sql.unsafe("insert into mu values (3); select * from x9").simple();
      } catch (e) {
        err = (e as postgres.PostgresError).code;
      }
      const after = await sql`select count(*)::int as n from mu`;
      return { results, withParams: [...withParams], err, after: after[0]!.n };
    });
    expect(lg).toEqual(pgRef);
    expect(lg.err).toBe('42P01');
    expect(lg.after).toBe(2);
  });

  it('.cursor() in batches and row by row, breaking out early', async () => {
    const [lg, pgRef] = await both(async (sql) => {
      let batches = 0;
      let sum = 0;
      await sql`select i::int as i from generate_series(1, 10000) g(i) order by i`.cursor(999, async (rows) => {
        batches++;
        for (const r of rows) sum += r.i as number;
      });
      let seen = 0;
      for await (const [row] of sql`select i::int as i from generate_series(1, 1000) g(i) order by i`.cursor()) {
        seen = row!.i as number;
        if (seen === 50) break;
      }
      const after = await sql`select 1 as one`;
      return { batches, sum, seen, after: [...after] };
    });
    expect(lg).toEqual(pgRef);
    expect(lg).toEqual({ batches: 11, sum: 50005000, seen: 50, after: [{ one: 1 }] });
  });

  it('COPY FROM STDIN with .writable() and COPY TO STDOUT with .readable()', async () => {
    const [lg, pgRef] = await both(async (sql) => {
      await sql`create table cpj(id int, s text)`;
      const lines = Array.from({ length: 5000 }, (_, i) => `${i}\t${i % 7 === 0 ? '\\N' : `value\\t${i} ☃ \\\\`}\n`);
      const w = await sql`copy cpj (id, s) from stdin`.writable();
      await pipeline(Readable.from(lines), w);
      const r = await sql`copy (select id, s from cpj order by id) to stdout`.readable();
      const chunks: Buffer[] = [];
      await pipeline(
        r,
        new Writable({
          write(chunk: Buffer, _enc, cb) {
            chunks.push(chunk);
            cb();
          },
        }),
      );
      const text = Buffer.concat(chunks).toString('utf8');
      const stats = await sql`select count(*)::int as n, count(s)::int as nn from cpj`;
      return { same: text === lines.join(''), stats: [...stats] };
    });
    expect(lg).toEqual(pgRef);
    expect(lg).toEqual({ same: true, stats: [{ n: 5000, nn: 4285 }] });
  });

  it('sql.begin transactions: commit, rollback on throw, savepoints without writes', async () => {
    const [lg, pgRef] = await both(async (sql) => {
      await sql`create table bj(a int)`;
      const ok = await sql.begin(async (tx) => {
        await tx`insert into bj values (1)`;
        const [n] = await tx`select count(*)::int as n from bj`;
        return n!.n;
      });
      let thrown = '';
      try {
        await sql.begin(async (tx) => {
          await tx`insert into bj values (2)`;
          throw new Error('application error');
        });
      } catch (e) {
        thrown = (e as Error).message;
      }
      let sqlError = '';
      try {
        await sql.begin(async (tx) => {
          await tx`insert into bj values (3)`;
          await tx`selec 1`;
        });
      } catch (e) {
        sqlError = (e as postgres.PostgresError).code;
      }
      const savepoint = await sql.begin(async (tx) => {
        // A savepoint rolled back before any write works in lakegres too (no subtransactions needed).
        try {
          await tx.savepoint(async (sp) => {
            await sp`select * from x9`;
          });
        } catch (e) {
          /* expected */
        }
        await tx`insert into bj values (4)`;
        return 'done';
      });
      const rows = await sql`select a from bj order by a`;
      return { ok, thrown, sqlError, savepoint, rows: rows.map((r) => r.a) };
    });
    expect(lg).toEqual(pgRef);
    expect(lg).toEqual({ ok: 1, thrown: 'application error', sqlError: '42601', savepoint: 'done', rows: [1, 4] });
  });

  it('prepared statements are reused (prepare: true is the default) and also work with prepare: false', async () => {
    for (const prepare of [true, false]) {
      const [lg, pgRef] = await both(
        async (sql) => {
          const out: unknown[] = [];
          for (let i = 0; i < 20; i++) {
            const [r] = await sql`select ${i}::int * 2 as d, ${'x'.repeat(i)}::text as s`;
            out.push([r!.d, r!.s]);
          }
          const described = await sql`select ${1}::int as a, ${'b'}::text as b`.describe();
          return { out, types: described.types, columns: described.columns.map((c) => [c.name, c.type]) };
        },
        { prepare },
      );
      expect(lg).toEqual(pgRef);
    }
  });

  it('many queries pipelined on a small pool', async () => {
    const sql = connect(lakegresTarget(srv), { max: 3 });
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => sql`select ${i}::int + 1 as v`));
    expect(results.map((r) => r[0]!.v)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });
});
