/**
 * node-postgres (pg, pg-cursor, pg-query-stream) against lakegres, compared with the reference
 * PostgreSQL 16 where the semantics agree.
 */
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import Cursor from 'pg-cursor';
import QueryStream from 'pg-query-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { createReferenceDb, lakegresTarget, type ReferenceDb, type Target } from './util.js';

let srv: TestServer;
let ref: ReferenceDb;

beforeAll(async () => {
  srv = await startServer();
  ref = await createReferenceDb('clients_node_pg');
});
afterAll(async () => {
  await srv?.stop();
  await ref?.drop();
});

const clients: pg.Client[] = [];
async function connect(t: Target): Promise<pg.Client> {
  const c = new pg.Client({ host: t.host, port: t.port, user: t.user, password: t.password || undefined, database: t.database, connectionTimeoutMillis: 10_000 });
  c.on('error', () => undefined);
  await c.connect();
  clients.push(c);
  return c;
}
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
});

/** Runs the same function against both servers and returns [lakegres, reference]. */
async function both<T>(fn: (c: pg.Client) => Promise<T>): Promise<[T, T]> {
  const a = await connect(lakegresTarget(srv));
  const b = await connect(ref.target);
  return [await fn(a), await fn(b)];
}

/** Values read back, made comparable (Buffers as hex, Dates as ISO). */
function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return 'bytes:' + v.toString('hex');
  if (v instanceof Date) return 'date:' + v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

describe('node-postgres', () => {
  it('parameters of many types, typed by casts and by table columns', async () => {
    const params = [
      42,
      '9007199254740993',
      '12345678901234567890.123456789',
      -1.5e-7,
      "uni ☃ é 😀 'q' \"d\" \\ \t\n\r",
      Buffer.from([0, 1, 0xfe, 0xff]),
      true,
      '2024-02-29',
      new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
      { k: [1, 'two', null] },
      [1, null, 3],
      ['a', 'b c', null, 'q"uote', 'back\\slash'],
      null,
      '12345678-1234-5678-1234-567812345678',
      '1 day 02:03:04',
    ];
    const sql =
      'select $1::int as i, $2::bigint as b, $3::numeric(38,9) as n, $4::float8 as f, $5::text as t, $6::bytea as by, $7::bool as bo, ' +
      '$8::date as d, $9::timestamptz as tz, $10::json as j, $11::int[] as ai, $12::text[] as at, $13::text as nul, $14::uuid as u, $15::interval as iv';
    const [lg, pgRef] = await both(async (c) => {
      await c.query("set timezone to 'UTC'");
      const r = await c.query(sql, params);
      return { rows: plain(r.rows), types: r.fields.map((f) => f.dataTypeID) };
    });
    expect(lg).toEqual(pgRef);
    expect((lg.rows as Record<string, unknown>[])[0]!.by).toBe('bytes:0001feff');

    // Parameters typed by the table they go into; read back through a prepared (named) statement.
    const [lg2, ref2] = await both(async (c) => {
      await c.query("set timezone to 'UTC'");
      await c.query('create table np(i int, b bigint, t text, bin bytea, d date, ts timestamp, ai int[], bo boolean)');
      const ins = { name: 'np_ins', text: 'insert into np values ($1, $2, $3, $4, $5, $6, $7, $8)' };
      const rows: unknown[][] = [
        [1, '-9223372036854775808', 'x\ty', Buffer.from('\\x00'), '0001-01-01', '2024-01-02 03:04:05.123456', [1, 2], true],
        [2, null, '', Buffer.alloc(0), '1999-12-31', '1970-01-01 00:00:00', [], false],
        [3, 7, null, null, null, null, null, null],
      ];
      for (const row of rows) await c.query({ ...ins, values: row });
      const sel = { name: 'np_sel', text: 'select * from np where i >= $1 order by i' };
      const r1 = await c.query({ ...sel, values: [1] });
      const r2 = await c.query({ ...sel, values: [2] });
      return { all: plain(r1.rows), some: r2.rowCount, tag: r1.command };
    });
    expect(lg2).toEqual(ref2);
  });

  it('binary results (binary: true): the same bytes as PostgreSQL sends', async () => {
    const raw = { getTypeParser: () => (v: Buffer | string) => (Buffer.isBuffer(v) ? v.toString('hex') : v) };
    const [lg, pgRef] = await both(async (c) => {
      await c.query("set timezone to 'UTC'");
      // `binary` is a node-postgres query option its type declarations do not list.
      const config = {
        text:
          'select $1::int as i, $2::bigint as b, $3::float8 as f, $4::text as t, $5::bool as bo, $6::timestamptz as tz, $7::bytea as by_, ' +
          "$8::date as d, 1.5::numeric(4,2) as n, array[1, null, 3]::int[] as a, '12345678-1234-5678-1234-567812345678'::uuid as u, interval '1 day 2 hours' as iv",
        values: [1, '-2', 0.5, 'x☃', true, new Date(Date.UTC(2024, 1, 29, 1, 2, 3, 4)), Buffer.from([1, 2]), '2000-01-01'],
        binary: true,
        rowMode: 'array',
        types: raw,
      } as pg.QueryArrayConfig;
      const r = await c.query(config);
      return { rows: r.rows, formats: r.fields.map((f) => f.format as string), types: r.fields.map((f) => f.dataTypeID) };
    });
    expect(lg).toEqual(pgRef);
    expect(lg.formats.every((f) => f === 'binary')).toBe(true);
  });

  it('reads 100k rows through pg-cursor in batches', async () => {
    const c = await connect(lakegresTarget(srv));
    const cursor = c.query(new Cursor('select i, i * 2 as d, repeat(\'x\', (i % 10)::int) as s from generate_series(1, 100000) g(i) order by i'));
    let n = 0;
    let sum = 0;
    let batches = 0;
    let ordered = true;
    for (let guard = 0; guard < 1000; guard++) {
      const rows: { i: string; d: string; s: string }[] = await cursor.read(997);
      if (rows.length === 0) break;
      batches++;
      for (const r of rows) {
        n++;
        if (Number(r.i) !== n) ordered = false;
        sum += Number(r.d);
      }
    }
    await cursor.close();
    expect({ n, sum, batches, ordered }).toEqual({ n: 100000, sum: 100000 * 100001, batches: 101, ordered: true });
    // The connection is clean afterwards (the cursor's implicit transaction ended at its Sync).
    const r = await c.query('select 1 as one');
    expect(r.rows).toEqual([{ one: 1 }]);
  });

  it('cursors on two connections read alternately; a cursor inside a transaction sees its writes', async () => {
    const [lg, pgRef] = await both(async (c) => {
      await c.query('create table cur_t as select i::int as i from generate_series(1, 5000) g(i)');
      const other = await connect(c.port === srv.port ? lakegresTarget(srv) : ref.target);
      const a = c.query(new Cursor('select i from cur_t order by i'));
      const b = other.query(new Cursor('select i from cur_t order by i desc'));
      let sa = 0;
      let sb = 0;
      for (let guard = 0; guard < 100; guard++) {
        const [ra, rb] = [await a.read(333), await b.read(777)];
        if (ra.length === 0 && rb.length === 0) break;
        sa += ra.reduce((x: number, r: { i: number }) => x + r.i, 0);
        sb += rb.reduce((x: number, r: { i: number }) => x + r.i, 0);
      }
      await a.close();
      await b.close();
      await c.query('begin');
      await c.query('insert into cur_t values (5001)');
      const inTx = c.query(new Cursor('select i from cur_t where i > $1 order by i', [4998]));
      const seen = (await inTx.read(100)).map((r: { i: number }) => r.i);
      await inTx.close();
      await c.query('rollback');
      const after = await c.query('select count(*)::int as n from cur_t');
      return { sa, sb, seen, after: after.rows[0].n };
    });
    expect(lg).toEqual(pgRef);
    expect(lg).toEqual({ sa: 12502500, sb: 12502500, seen: [4999, 5000, 5001], after: 5000 });
  });

  it('pg-query-stream respects backpressure from a slow consumer', async () => {
    const c = await connect(lakegresTarget(srv));
    const stream = c.query(new QueryStream('select i::int as i, md5(i::text) as h from generate_series(1, 20000) g(i) order by i', [], { batchSize: 100, highWaterMark: 100 }));
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    let last = 0;
    let ordered = true;
    const counter = new Transform({
      objectMode: true,
      highWaterMark: 16,
      transform(row: { i: number }, _enc, cb) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - consumed);
        cb(null, row);
      },
    });
    const slow = new Writable({
      objectMode: true,
      highWaterMark: 16,
      write(row: { i: number }, _enc, cb) {
        consumed++;
        if (row.i !== last + 1) ordered = false;
        last = row.i;
        // The first 300 rows are consumed slowly: the stream must not run ahead.
        if (consumed <= 300) setTimeout(cb, 1);
        else cb();
      },
    });
    await pipeline(stream, counter, slow);
    expect({ consumed, last, ordered }).toEqual({ consumed: 20000, last: 20000, ordered: true });
    // Read-ahead is bounded by the stream buffers and one batch, not by the result size.
    expect(maxAhead).toBeLessThan(400);
    const r = await c.query('select 2 as two');
    expect(r.rows).toEqual([{ two: 2 }]);
  });

  it('many concurrent clients (separate sessions) and a pool', async () => {
    const t = lakegresTarget(srv);
    const setup = await connect(t);
    await setup.query('create table conc(client int, n int)');
    const N = 40;
    const results = await Promise.all(
      Array.from({ length: N }, async (_, k) => {
        const c = await connect(t);
        await c.query('begin');
        for (let i = 0; i < 5; i++) await c.query('insert into conc values ($1, $2)', [k, i]);
        const mine = await c.query('select count(*)::int as n from conc where client = $1', [k]);
        await c.query(k % 2 === 0 ? 'commit' : 'rollback');
        const pid = await c.query('select $1::int * 2 as x', [k]);
        await c.end();
        return { inTx: mine.rows[0].n, x: pid.rows[0].x };
      }),
    );
    expect(results).toEqual(Array.from({ length: N }, (_, k) => ({ inTx: 5, x: k * 2 })));
    const total = await setup.query('select count(*)::int as n, count(distinct client)::int as clients from conc');
    expect(total.rows[0]).toEqual({ n: (N / 2) * 5, clients: N / 2 });

    const pool = new pg.Pool({ host: t.host, port: t.port, user: t.user, database: t.database, max: 12 });
    try {
      const sums = await Promise.all(Array.from({ length: 200 }, (_, i) => pool.query('select sum(x)::bigint as s from generate_series(1, $1::int) g(x)', [i + 1])));
      expect(sums.map((r) => Number(r.rows[0].s))).toEqual(Array.from({ length: 200 }, (_, i) => ((i + 1) * (i + 2)) / 2));
    } finally {
      await pool.end();
    }
  });

  it('errors keep the connection usable; error fields match PostgreSQL', async () => {
    const [lg, pgRef] = await both(async (c) => {
      const out: unknown[] = [];
      for (const q of ['selec 1', 'select * from x9', 'select $1::int as v']) {
        try {
          await c.query(q, q.includes('$1') ? ['abc'] : undefined);
          out.push('no error');
        } catch (e) {
          const err = e as pg.DatabaseError;
          // A bad parameter value: PostgreSQL fails in Bind (no position), DuckDB at the cast.
          out.push({ code: err.code, severity: err.severity, position: q.includes('$1') ? 'n/a' : err.position });
        }
      }
      out.push((await c.query('select 1 as ok')).rows);
      return out;
    });
    expect(lg).toEqual(pgRef);
  });
});
