/**
 * Extended-query protocol conformance against the reference PostgreSQL 16: statements and
 * portals, Describe without executing, row limits and PortalSuspended, errors and Sync,
 * pipelines and their implicit transaction.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers/server.js';
import { serialize as S, type BackendMessage, type RawClient } from './helpers/raw-client.js';
import { connectTo, simple, summarize, uniq, type SummaryOptions } from './helpers/protocol-compare.js';

let srv: TestServer;
let lake: RawClient;
let pg: RawClient;

beforeAll(async () => {
  srv = await startServer();
});
afterAll(async () => {
  lake?.end();
  pg?.end();
  await srv?.stop();
});
// Every test gets fresh sessions: statements and portals must not leak between tests.
beforeEach(async () => {
  lake?.end();
  pg?.end();
  lake = await connectTo('lake', srv.port);
  pg = await connectTo('pg', srv.port);
});

const SYNC = S.sync();

/** How many ReadyForQuery messages a batch produces (one per Sync and per Query). */
function readyCount(batch: Buffer[]): number {
  return batch.filter((b) => (b[0] === 0x53 && b.length === 5) || b[0] === 0x51).length;
}

async function collect(c: RawClient, batch: Buffer[], opts: SummaryOptions, readies = readyCount(batch)): Promise<string[]> {
  c.write(Buffer.concat(batch));
  const msgs: BackendMessage[] = [];
  for (let i = readies; i > 0; i--) msgs.push(...(await c.untilReady()));
  return summarize(msgs, opts);
}

/** Sends each batch to both servers and returns both transcripts (one entry per batch). */
async function both(batches: Buffer[][], opts: SummaryOptions = { rows: true, columns: true }): Promise<{ lake: string[][]; pg: string[][] }> {
  const out = { lake: [] as string[][], pg: [] as string[][] };
  for (const batch of batches) {
    out.lake.push(await collect(lake, batch, opts));
    out.pg.push(await collect(pg, batch, opts));
  }
  return out;
}

/** Messages that arrive without ReadyForQuery (after Flush), until `count` arrived. */
async function flushed(c: RawClient, batch: Buffer[], count: number): Promise<string[]> {
  c.write(Buffer.concat(batch));
  const msgs: BackendMessage[] = [];
  for (let i = 0; i < count; i++) msgs.push(await c.next(5000));
  // Nothing else may be pending: the server sends exactly what the Execute produced.
  await new Promise((r) => setTimeout(r, 100));
  expect(c.messages.length).toBe(0);
  return summarize(msgs, { rows: true });
}

type TableKind = 'table' | 'temp table';

/** A fresh table on both servers (a lake table unless `kind` says otherwise); dropped afterwards. */
async function withTable(fn: (t: string) => Promise<void>, rows = 0, kind: TableKind = 'table'): Promise<void> {
  const t = uniq('ex');
  for (const c of [lake, pg]) {
    expect(await simple(c, `create ${kind} ${t}(a int4, b text)`)).toEqual(['C:CREATE TABLE', 'Z:I']);
    if (rows > 0) await simple(c, `insert into ${t} select i, 'v' || i from generate_series(1, ${rows}) t(i)`);
  }
  try {
    await fn(t);
  } finally {
    for (const c of [lake, pg]) if (!c.closed) await simple(c, `rollback; drop table if exists ${t}`);
  }
}

describe('Parse and Describe', () => {
  it('honours parameter types given in Parse', async () => {
    const r = await both([[S.parse({ name: 's1', text: 'select $1 as x, $2 as y', types: [23, 25] }), S.describe({ type: 'S', name: 's1' }), SYNC]]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['1', 't:23,25', 'T:x/23,y/25', 'Z:I']);
  });

  it('infers parameter types, and reports text for parameters nothing types', async () => {
    await withTable(async (t) => {
      const r = await both([
        [S.parse({ name: 'inf', text: `select a, b from ${t} where a = $1 and b = $2` }), S.describe({ type: 'S', name: 'inf' }), SYNC],
        [S.parse({ name: 'unk', text: 'select $1 as x' }), S.describe({ type: 'S', name: 'unk' }), SYNC],
        // A declared 0 means "infer".
        [S.parse({ name: 'zero', text: `select a from ${t} where a = $1`, types: [0] }), S.describe({ type: 'S', name: 'zero' }), SYNC],
      ]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg).toEqual([
        ['1', 't:23,25', 'T:a/23,b/25', 'Z:I'],
        ['1', 't:25', 'T:x/25', 'Z:I'],
        ['1', 't:23', 'T:a/23', 'Z:I'],
      ]);
    });
  });

  it('answers NoData for statements without rows', async () => {
    const t = uniq('nd');
    const r = await both([
      [S.parse({ text: `create table ${t}(a int4)` }), S.describe({ type: 'S', name: '' }), S.bind({}), S.describe({ type: 'P', name: '' }), SYNC],
      [S.parse({ text: 'begin' }), S.describe({ type: 'S', name: '' }), SYNC],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['1', 't:', 'n', '2', 'n', 'Z:I']);
    expect(r.pg[1]).toEqual(['1', 't:', 'n', 'Z:I']);
  });

  it('describes INSERT ... RETURNING without executing it', async () => {
    await withTable(async (t) => {
      const r = await both([
        [
          S.parse({ name: 'ins', text: `insert into ${t} values ($1, $2) returning a, b`, types: [23, 25] }),
          S.describe({ type: 'S', name: 'ins' }),
          S.bind({ portal: 'p', statement: 'ins', values: ['1', 'one'] }),
          S.describe({ type: 'P', name: 'p' }),
          S.close({ type: 'P', name: 'p' }),
          SYNC,
        ],
        [S.query(`select count(*)::int4 as n from ${t}`)],
        [S.bind({ statement: 'ins', values: ['1', 'one'] }), S.execute({}), SYNC],
        [S.query(`select count(*)::int4 as n from ${t}`)],
      ]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[0]).toEqual(['1', 't:23,25', 'T:a/23,b/25', '2', 'T:a/23,b/25', '3', 'Z:I']);
      expect(r.pg[1]).toEqual(['T:n/23', 'D:0', 'C:SELECT 1', 'Z:I']);
      expect(r.pg[2]).toEqual(['2', 'D:1|one', 'C:INSERT 0 1', 'Z:I']);
      expect(r.pg[3]).toEqual(['T:n/23', 'D:1', 'C:SELECT 1', 'Z:I']);
    });
  });

  it('describes a statement with side effects (nextval) without running it', async () => {
    const seq = uniq('sq');
    const r = await both([
      [S.query(`create temp sequence ${seq}`)],
      [S.parse({ name: 'nv', text: `select nextval('${seq}') as v` }), S.describe({ type: 'S', name: 'nv' }), S.bind({ portal: 'nvp', statement: 'nv' }), S.describe({ type: 'P', name: 'nvp' }), SYNC],
      [S.query(`select nextval('${seq}') as v`)],
      [S.query(`drop sequence ${seq}`)],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[1]).toEqual(['1', 't:', 'T:v/20', '2', 'T:v/20', 'Z:I']);
    // The first value: neither Describe advanced the sequence.
    expect(r.pg[2]).toEqual(['T:v/20', 'D:1', 'C:SELECT 1', 'Z:I']);
  });

  it('describes a portal in the result formats of its Bind', async () => {
    const r = await both([[S.parse({ name: 'f', text: 'select 1::int4 as a, 2::int4 as b' }), S.bind({ statement: 'f', binary: true }), S.describe({ type: 'P', name: '' }), S.execute({}), SYNC]], {
      columns: true,
    });
    expect(r.lake).toEqual(r.pg);
    // Binary int4: 4 bytes each.
    const binaryRow = async (c: RawClient) => {
      c.write(Buffer.concat([S.bind({ statement: 'f', binary: true }), S.execute({}), SYNC]));
      const d = (await c.untilReady()).find((m) => m.type === 'D')!;
      return d.payload.toString('hex');
    };
    expect(await binaryRow(lake)).toBe(await binaryRow(pg));
  });
});

describe('statements and portals', () => {
  it('keeps named statements until closed, across Syncs and simple queries', async () => {
    const r = await both([
      [S.parse({ name: 'keep', text: 'select $1::int4 + 1 as r' }), SYNC],
      [S.query('select 1 as one')],
      [S.bind({ statement: 'keep', values: ['41'] }), S.execute({}), SYNC],
      [S.close({ type: 'S', name: 'keep' }), SYNC],
      [S.bind({ statement: 'keep', values: ['41'] }), S.execute({}), SYNC],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[2]).toEqual(['2', 'D:42', 'C:SELECT 1', 'Z:I']);
    expect(r.pg[3]).toEqual(['3', 'Z:I']);
    expect(r.pg[4]).toEqual(['E:26000:ERROR', 'Z:I']);
  });

  it('replaces the unnamed statement with the next Parse, and drops it on a simple Query', async () => {
    const r = await both([
      [S.parse({ text: 'select 1 as a' }), S.parse({ text: 'select 2 as b' }), S.bind({}), S.describe({ type: 'P', name: '' }), S.execute({}), SYNC],
      [S.bind({}), S.execute({}), SYNC],
      [S.query('select 3 as c')],
      [S.bind({}), S.execute({}), SYNC],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['1', '1', '2', 'T:b/23', 'D:2', 'C:SELECT 1', 'Z:I']);
    expect(r.pg[1]).toEqual(['2', 'D:2', 'C:SELECT 1', 'Z:I']);
    expect(r.pg[3]).toEqual(['E:26000:ERROR', 'Z:I']);
  });

  it('keeps a portal usable after its statement is closed or replaced', async () => {
    const r = await both([
      [S.parse({ text: 'select 1::int4 as a' }), S.bind({ portal: 'p1' }), S.parse({ text: 'select 2::int4 as b' }), S.execute({ portal: 'p1' }), SYNC],
      [S.parse({ name: 'n1', text: 'select 3::int4 as a' }), S.bind({ portal: 'p1', statement: 'n1' }), S.close({ type: 'S', name: 'n1' }), S.execute({ portal: 'p1' }), SYNC],
      [S.query('begin'), S.parse({ text: 'select 4::int4 as a' }), S.bind({ portal: 'p1' }), SYNC, S.query('select 5::int4 as x'), S.execute({ portal: 'p1' }), SYNC, S.query('rollback')],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['1', '2', '1', 'D:1', 'C:SELECT 1', 'Z:I']);
    expect(r.pg[1]).toEqual(['1', '2', '3', 'D:3', 'C:SELECT 1', 'Z:I']);
    expect(r.pg[2]).toEqual(['C:BEGIN', 'Z:T', '1', '2', 'Z:T', 'T:x/23', 'D:5', 'C:SELECT 1', 'Z:T', 'D:4', 'C:SELECT 1', 'Z:T', 'C:ROLLBACK', 'Z:I']);
  });

  it('parses the same unnamed statement again against what its names mean now', async () => {
    await withTable(async (t) => {
      const sel = S.parse({ text: `select count(*)::int4 as n from ${t}` });
      const r = await both([
        [sel, S.bind({}), S.execute({}), SYNC],
        [S.query(`insert into ${t} values (1, 'one')`)],
        [sel, S.bind({}), S.execute({}), SYNC],
        [S.query(`create temp table ${t}(a int4, b text, c int4)`)],
        [sel, S.bind({}), S.execute({}), SYNC],
        [S.query(`discard temp`)],
        [sel, S.bind({}), S.execute({}), SYNC],
        [S.parse({ text: 'select $1 as v', types: [23] }), S.bind({ values: ['7'] }), S.describe({ type: 'P', name: '' }), S.execute({}), SYNC],
        [S.parse({ text: 'select $1 as v', types: [25] }), S.bind({ values: ['7'] }), S.describe({ type: 'P', name: '' }), S.execute({}), SYNC],
      ]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[2]).toEqual(['1', '2', 'D:1', 'C:SELECT 1', 'Z:I']);
      expect(r.pg[4]).toEqual(['1', '2', 'D:0', 'C:SELECT 1', 'Z:I']);
      expect(r.pg[6]).toEqual(['1', '2', 'D:1', 'C:SELECT 1', 'Z:I']);
      expect(r.pg[7]).toEqual(['1', '2', 'T:v/23', 'D:7', 'C:SELECT 1', 'Z:I']);
      expect(r.pg[8]).toEqual(['1', '2', 'T:v/25', 'D:7', 'C:SELECT 1', 'Z:I']);
    });
  });

  it('suspends a portal over a result bounded by its text and resumes it after other statements', async () => {
    const r = await both([
      [S.parse({ text: 'values (1::int4), (2), (3)' }), S.bind({ portal: 'v' }), S.execute({ portal: 'v', rows: 1 }), S.parse({ name: 'o', text: 'select 10::int4 as x' }), S.bind({ statement: 'o' }), S.execute({}), S.execute({ portal: 'v', rows: 1 }), S.execute({ portal: 'v' }), SYNC],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['1', '2', 'D:1', 's', '1', '2', 'D:10', 'C:SELECT 1', 'D:2', 's', 'D:3', 'C:SELECT 1', 'Z:I']);
  });

  it('drops the unnamed statement at a Parse that then fails', async () => {
    const r = await both([[S.parse({ text: 'select 1' }), SYNC], [S.parse({ text: 'select * from no_such_table_u' }), SYNC], [S.describe({ type: 'S', name: '' }), SYNC]]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[2]).toEqual(['E:26000:ERROR', 'Z:I']);
  });

  it('binds values for declared parameters the statement does not use', async () => {
    const r = await both([[S.parse({ text: 'select 1::int4 as a', types: [23, 25] }), S.bind({ values: ['7', 'x'] }), S.execute({}), SYNC]]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['1', '2', 'D:1', 'C:SELECT 1', 'Z:I']);
  });

  it('checks Parse and Bind in PostgreSQL order (statement errors, counts, failed transaction, duplicates)', async () => {
    const r = await both([
      [S.parse({ name: 'dup', text: 'select $1::int4 as a' }), SYNC],
      // A broken statement reports its own error, not the duplicate name.
      [S.parse({ name: 'dup', text: 'select * from no_such_table_o' }), SYNC],
      [S.query('begin'), S.parse({ text: 'select * from no_such_table_o' }), SYNC],
      // In a failed block: a wrong parameter count is reported before 25P02...
      [S.bind({ statement: 'dup', values: [] }), SYNC],
      [S.bind({ statement: 'dup', values: ['1'] }), SYNC],
      // ...and an empty statement is parsed and executed (EmptyQueryResponse), a duplicate name refused.
      [S.parse({ text: '' }), S.bind({}), S.execute({}), SYNC],
      [S.parse({ name: 'dup', text: '' }), SYNC],
      [S.query('rollback')],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg.slice(1)).toEqual([
      ['E:42P01:ERROR', 'Z:I'],
      ['C:BEGIN', 'Z:T', 'E:42P01:ERROR', 'Z:E'],
      ['E:08P01:ERROR', 'Z:E'],
      ['E:25P02:ERROR', 'Z:E'],
      ['1', 'E:25P02:ERROR', 'Z:E'],
      ['E:42P05:ERROR', 'Z:E'],
      ['C:ROLLBACK', 'Z:I'],
    ]);
  });

  it('refuses a duplicate named statement (42P05) and duplicate named portal (42P03)', async () => {
    const r = await both([
      [S.parse({ name: 'd', text: 'select 1' }), S.parse({ name: 'd', text: 'select 2' }), SYNC],
      [S.query('begin'), S.bind({ portal: 'pp', statement: 'd' }), S.bind({ portal: 'pp', statement: 'd' }), SYNC, S.query('rollback')],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['1', 'E:42P05:ERROR', 'Z:I']);
    expect(r.pg[1]).toEqual(['C:BEGIN', 'Z:T', '2', 'E:42P03:ERROR', 'Z:E', 'C:ROLLBACK', 'Z:I']);
  });

  it('reports unknown statements (26000) and portals (34000)', async () => {
    const r = await both([
      [S.bind({ statement: 'nope', values: [] }), SYNC],
      [S.describe({ type: 'S', name: 'nope' }), SYNC],
      [S.execute({ portal: 'nope' }), SYNC],
      [S.describe({ type: 'P', name: 'nope' }), SYNC],
      // Bind before any Parse, Execute of nothing.
      [S.bind({}), SYNC],
      [S.execute({}), SYNC],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg.map((x) => x[0])).toEqual(['E:26000:ERROR', 'E:26000:ERROR', 'E:34000:ERROR', 'E:34000:ERROR', 'E:26000:ERROR', 'E:34000:ERROR']);
  });

  it('answers CloseComplete for names that exist and names that do not', async () => {
    const r = await both([
      [S.parse({ name: 'c1', text: 'select 1' }), S.bind({ portal: 'cp', statement: 'c1' }), S.close({ type: 'P', name: 'cp' }), S.close({ type: 'S', name: 'c1' }), SYNC],
      [S.close({ type: 'S', name: 'nope' }), S.close({ type: 'P', name: 'nope' }), S.close({ type: 'S', name: '' }), SYNC],
      [S.execute({ portal: 'cp' }), SYNC],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['1', '2', '3', '3', 'Z:I']);
    expect(r.pg[1]).toEqual(['3', '3', '3', 'Z:I']);
    expect(r.pg[2]).toEqual(['E:34000:ERROR', 'Z:I']);
  });

  it('refuses Bind with the wrong number of parameters (08P01)', async () => {
    const r = await both([
      [S.parse({ name: 'two', text: 'select $1::int4 + $2::int4 as s' }), SYNC],
      [S.bind({ statement: 'two', values: ['1'] }), S.execute({}), SYNC],
      [S.bind({ statement: 'two', values: ['1', '2', '3'] }), S.execute({}), SYNC],
      [S.bind({ statement: 'two', values: ['1', '2'] }), S.execute({}), SYNC],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[1]).toEqual(['E:08P01:ERROR', 'Z:I']);
    expect(r.pg[2]).toEqual(['E:08P01:ERROR', 'Z:I']);
    expect(r.pg[3]).toEqual(['2', 'D:3', 'C:SELECT 1', 'Z:I']);
  });

  it('runs an empty statement as EmptyQueryResponse', async () => {
    const r = await both([[S.parse({ text: '' }), S.bind({}), S.describe({ type: 'P', name: '' }), S.execute({}), SYNC]]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['1', '2', 'n', 'I', 'Z:I']);
  });

  it('refuses several statements in one Parse (42601)', async () => {
    const r = await both([[S.parse({ text: 'select 1; select 2' }), SYNC]]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['E:42601:ERROR', 'Z:I']);
  });

  it('closes portals at Sync outside a transaction block, keeps them inside one', async () => {
    const r = await both([
      [S.parse({ name: 'q', text: 'select 1::int4 as one' }), S.bind({ portal: 'pp', statement: 'q' }), SYNC, S.execute({ portal: 'pp' }), SYNC],
      [S.query('begin'), S.bind({ portal: 'pp', statement: 'q' }), SYNC, S.execute({ portal: 'pp' }), SYNC, S.query('commit'), S.execute({ portal: 'pp' }), SYNC],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['1', '2', 'Z:I', 'E:34000:ERROR', 'Z:I']);
    expect(r.pg[1]).toEqual(['C:BEGIN', 'Z:T', '2', 'Z:T', 'D:1', 'C:SELECT 1', 'Z:T', 'C:COMMIT', 'Z:I', 'E:34000:ERROR', 'Z:I']);
  });
});

describe('Execute with a row limit', () => {
  it('suspends and resumes a portal; the final tag counts the last Execute', async () => {
    await withTable(async (t) => {
      const r = await both([
        [
          S.parse({ name: 'lim', text: `select a from ${t} order by a` }),
          S.bind({ portal: 'pl', statement: 'lim' }),
          S.execute({ portal: 'pl', rows: 3 }),
          S.execute({ portal: 'pl', rows: 3 }),
          S.execute({ portal: 'pl', rows: 10 }),
          // Re-Execute of a completed portal: no rows, count 0.
          S.execute({ portal: 'pl', rows: 10 }),
          SYNC,
        ],
        // A limit equal to the row count still suspends; the next Execute finds nothing.
        [S.bind({ portal: 'pl', statement: 'lim' }), S.execute({ portal: 'pl', rows: 10 }), S.execute({ portal: 'pl', rows: 1 }), SYNC],
        // Zero and negative limits mean "all rows".
        [S.bind({ statement: 'lim' }), S.execute({ rows: 0 }), SYNC],
      ]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[0]).toEqual(['1', '2', 'D:1', 'D:2', 'D:3', 's', 'D:4', 'D:5', 'D:6', 's', 'D:7', 'D:8', 'D:9', 'D:10', 'C:SELECT 4', 'C:SELECT 0', 'Z:I']);
      expect(r.pg[1]).toEqual(['2', ...Array.from({ length: 10 }, (_, i) => `D:${i + 1}`), 's', 'C:SELECT 0', 'Z:I']);
      expect(r.pg[2]).toHaveLength(13);
    }, 10);
  });

  it('counts INSERT ... RETURNING per Execute and performs the whole insert', async () => {
    await withTable(async (t) => {
      const r = await both([
        [S.parse({ text: `insert into ${t} select i, 'x' from generate_series(1, 5) t(i) returning a` }), S.bind({}), S.execute({ rows: 2 }), S.execute({ rows: 2 }), S.execute({ rows: 2 }), S.execute({ rows: 2 }), SYNC],
        // Suspended and then abandoned at Sync: the insert still happened completely.
        [S.parse({ text: `insert into ${t} select i, 'y' from generate_series(101, 2000) t(i) returning a` }), S.bind({}), S.execute({ rows: 1 }), SYNC],
        [S.query(`select count(*)::int4 as n from ${t}`)],
      ]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[0]).toEqual(['1', '2', 'D:1', 'D:2', 's', 'D:3', 'D:4', 's', 'D:5', 'C:INSERT 0 1', 'C:INSERT 0 0', 'Z:I']);
      expect(r.pg[2]).toEqual(['T:n/23', 'D:1905', 'C:SELECT 1', 'Z:I']);
    });
  });

  it('runs a statement without rows once: a row limit does not matter, a re-Execute fails (55000)', async () => {
    await withTable(async (t) => {
      const r = await both([
        [S.parse({ text: `insert into ${t} values (7000, 'q')` }), S.bind({}), S.execute({ rows: 1 }), S.execute({ rows: 1 }), SYNC],
        [S.query(`select count(*)::int4 as n from ${t}`)],
      ]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[0]).toEqual(['1', '2', 'C:INSERT 0 1', 'E:55000:ERROR', 'Z:I']);
      expect(r.pg[1]).toEqual(['T:n/23', 'D:0', 'C:SELECT 1', 'Z:I']);
    });
  });

  it('suspends a SHOW at its row limit and does not run it again', async () => {
    const r = await both([
      [S.parse({ name: 'sh', text: 'show application_name' }), S.bind({ statement: 'sh' }), S.execute({ rows: 1 }), S.execute({ rows: 1 }), S.execute({}), SYNC],
      [S.bind({ statement: 'sh' }), S.execute({}), S.execute({}), SYNC],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['1', '2', 'D:', 's', 'C:SHOW', 'C:SHOW', 'Z:I']);
    expect(r.pg[1]).toEqual(['2', 'D:', 'C:SHOW', 'C:SHOW', 'Z:I']);
  });

  it('resumes across Flush without Sync, like node-postgres cursors', async () => {
    for (const c of [lake, pg]) {
      const steps = [
        await flushed(c, [S.parse({ name: 'fc', text: 'select i::int4 as i from generate_series(1, 5) t(i)' }), S.bind({ portal: 'fcp', statement: 'fc' }), S.execute({ portal: 'fcp', rows: 2 }), S.flush()], 5),
        await flushed(c, [S.execute({ portal: 'fcp', rows: 2 }), S.flush()], 3),
        await flushed(c, [S.execute({ portal: 'fcp', rows: 2 }), S.flush()], 2),
        await flushed(c, [S.execute({ portal: 'fcp', rows: 2 }), S.close({ type: 'P', name: 'fcp' }), SYNC], 3),
      ];
      expect(steps, c === lake ? 'lakegres' : 'postgres').toEqual([['1', '2', 'D:1', 'D:2', 's'], ['D:3', 'D:4', 's'], ['D:5', 'C:SELECT 1'], ['C:SELECT 0', '3', 'Z:I']]);
    }
  });

  it('interleaves a suspended portal with other statements', async () => {
    const batch = (extra: Buffer[]) => [
      ...extra,
      S.parse({ name: 'g', text: 'select i::int4 as i from generate_series(1, 5) t(i)' }),
      S.bind({ portal: 'a', statement: 'g' }),
      S.execute({ portal: 'a', rows: 2 }),
      S.parse({ text: 'select 42::int4 as z' }),
      S.bind({ portal: 'b' }),
      S.execute({ portal: 'b' }),
      S.execute({ portal: 'a', rows: 10 }),
      SYNC,
    ];
    const r = await both([batch([]), [S.close({ type: 'S', name: 'g' }), ...batch([S.query('begin')]), S.query('commit')]]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['1', '2', 'D:1', 'D:2', 's', '1', '2', 'D:42', 'C:SELECT 1', 'D:3', 'D:4', 'D:5', 'C:SELECT 3', 'Z:I']);
  });
});

describe('errors and Sync', () => {
  it('skips everything up to Sync after an error, then answers normally', async () => {
    const r = await both([
      [
        S.parse({ text: 'select * from no_such_table_e' }),
        S.bind({}),
        S.execute({}),
        S.parse({ text: 'select 1' }),
        S.bind({}),
        S.describe({ type: 'P', name: '' }),
        S.execute({}),
        S.close({ type: 'S', name: '' }),
        S.flush(),
        SYNC,
        S.parse({ text: 'select 1::int4 as one' }),
        S.bind({}),
        S.execute({}),
        SYNC,
      ],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg[0]).toEqual(['E:42P01:ERROR', 'Z:I', '1', '2', 'D:1', 'C:SELECT 1', 'Z:I']);
  });

  it('ignores a simple Query sent while skipping to Sync', async () => {
    const batch = [S.parse({ text: 'select * from no_such_table_e' }), S.query('select 1'), SYNC];
    const r = { lake: await collect(lake, batch, {}, 1), pg: await collect(pg, batch, {}, 1) };
    expect(r.lake).toEqual(r.pg);
    expect(r.pg).toEqual(['E:42P01:ERROR', 'Z:I']);
    // Only one ReadyForQuery came (the Query was skipped): nothing else is pending.
    await new Promise((res) => setTimeout(res, 150));
    expect(lake.messages).toHaveLength(0);
  });

  it('reports T and E at Sync inside a transaction block', async () => {
    const r = await both([
      [S.query('begin'), S.parse({ text: 'select 1' }), S.bind({}), S.execute({}), SYNC],
      [S.parse({ text: 'select * from no_such_table_e' }), S.bind({}), S.execute({}), SYNC],
      [S.parse({ text: 'select 1' }), S.bind({}), S.execute({}), SYNC],
      // ROLLBACK is still accepted by Parse/Bind/Execute in a failed block.
      [S.parse({ text: 'rollback' }), S.bind({}), S.execute({}), SYNC],
    ]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg.map((x) => x[x.length - 1])).toEqual(['Z:T', 'Z:E', 'Z:E', 'Z:I']);
    expect(r.pg[2]).toEqual(['E:25P02:ERROR', 'Z:E']);
    expect(r.pg[3]).toEqual(['1', '2', 'C:ROLLBACK', 'Z:I']);
  });

  for (const kind of ['table', 'temp table'] as TableKind[]) {
    it(`rolls back the earlier writes of a pipelined batch when a later statement fails (${kind})`, async () => {
      await withTable(
        async (t) => {
          const ins = (v: string) => [S.bind({ statement: 'ins', values: [v, 'x'] }), S.execute({})];
          const fail = [S.parse({ text: 'select * from no_such_table_e' }), S.bind({}), S.execute({})];
          const r = await both([
            [S.parse({ name: 'ins', text: `insert into ${t} values ($1, $2)`, types: [23, 25] }), ...ins('100'), ...ins('101'), ...fail, ...ins('102'), SYNC],
            [S.query(`select count(*)::int4 as n from ${t}`)],
            // Without an error the batch commits at Sync.
            [...ins('200'), ...ins('201'), SYNC],
            [S.query(`select a from ${t} order by a`)],
          ]);
          expect(r.lake).toEqual(r.pg);
          expect(r.pg[0]).toEqual(['1', '2', 'C:INSERT 0 1', '2', 'C:INSERT 0 1', 'E:42P01:ERROR', 'Z:I']);
          expect(r.pg[1]).toEqual(['T:n/23', 'D:0', 'C:SELECT 1', 'Z:I']);
          expect(r.pg[3]).toEqual(['T:a/23', 'D:200', 'D:201', 'C:SELECT 2', 'Z:I']);
        },
        0,
        kind,
      );
    });
  }

  it('rolls back a pipelined write when a later Parse, Bind or Describe of the batch fails', async () => {
    await withTable(async (t) => {
      const write = (v: number) => [S.parse({ text: `insert into ${t} values (${v}, 'x')` }), S.bind({}), S.execute({})];
      const count = [S.query(`select count(*)::int4 as n from ${t}`)];
      const r = await both([
        [...write(1), S.parse({ text: 'select * from no_such_table_e' }), SYNC],
        count,
        [...write(2), S.bind({ statement: 'nope' }), SYNC],
        count,
        [...write(3), S.describe({ type: 'P', name: 'nope' }), SYNC],
        count,
        [...write(4), S.flush(), S.execute({ portal: 'nope' }), SYNC],
        count,
        // Execute, Flush, Sync: nothing failed, the write stays.
        [...write(5), S.flush(), SYNC],
        count,
      ]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg.filter((_, i) => i % 2 === 1).map((x) => x[1])).toEqual(['D:0', 'D:0', 'D:0', 'D:0', 'D:1']);
    });
  });

  it('rolls back a write whose Sync arrives in a later packet, after a failure', async () => {
    await withTable(async (t) => {
      const out: Record<string, string[]> = {};
      for (const [name, c] of [
        ['lake', lake],
        ['pg', pg],
      ] as const) {
        c.write(Buffer.concat([S.parse({ text: `insert into ${t} values (1, 'x')` }), S.bind({}), S.execute({}), S.flush()]));
        const first = [await c.next(5000), await c.next(5000), await c.next(5000)];
        await new Promise((res) => setTimeout(res, 100));
        const rest = await collect(c, [S.parse({ text: 'select * from no_such_table_e' }), SYNC], {});
        out[name] = [...summarize(first), ...rest, ...(await collect(c, [S.query(`select count(*)::int4 as n from ${t}`)], { rows: true }))];
      }
      expect(out.lake).toEqual(out.pg);
      expect(out.pg).toEqual(['1', '2', 'C:INSERT 0 1', 'E:42P01:ERROR', 'Z:I', 'T', 'D:0', 'C:SELECT 1', 'Z:I']);
    });
  });

  it('keeps what a COMMIT inside a pipeline committed', async () => {
    await withTable(async (t) => {
      const r = await both([
        [
          S.query('begin'),
          S.parse({ text: `insert into ${t} values (200, 'y')` }),
          S.bind({}),
          S.execute({}),
          S.parse({ text: 'commit' }),
          S.bind({}),
          S.execute({}),
          S.parse({ text: 'select * from no_such_table_e' }),
          S.bind({}),
          S.execute({}),
          SYNC,
        ],
        [S.query(`select count(*)::int4 as n from ${t}`)],
      ]);
      expect(r.lake).toEqual(r.pg);
      expect(r.pg[0]).toEqual(['C:BEGIN', 'Z:T', '1', '2', 'C:INSERT 0 1', '1', '2', 'C:COMMIT', 'E:42P01:ERROR', 'Z:I']);
      expect(r.pg[1]).toEqual(['T:n/23', 'D:1', 'C:SELECT 1', 'Z:I']);
    });
  });

  it('answers a lone Sync and a lone Flush', async () => {
    const r = await both([[SYNC], [S.flush(), SYNC]]);
    expect(r.lake).toEqual(r.pg);
    expect(r.pg).toEqual([['Z:I'], ['Z:I']]);
  });
});
