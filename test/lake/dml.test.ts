/**
 * Row changes on lake tables (DELETE, UPDATE, TRUNCATE, MERGE, INSERT ... RETURNING), compared
 * statement by statement with what the reference PostgreSQL returns for the same statements,
 * on tables large enough to be stored as Parquet files and small enough to be inlined.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { referenceClient } from '../helpers/server.js';
import { LAKE_MATRIX, startLake, type LakeEnvironment } from '../helpers/lake-matrix.js';

describe.each(LAKE_MATRIX)('$name', (setup) => {
let env: LakeEnvironment;
let lake: pg.Client;
let ref: pg.Client;
let refAdmin: pg.Client;
const refDb = `dml_${setup.catalog}_${setup.storage}_${process.pid}_${Date.now()}`;

beforeAll(async () => {
  env = await startLake(setup);
  lake = await env.server.client({ options: '-c TimeZone=UTC' });
  refAdmin = await referenceClient();
  await refAdmin.query(`CREATE DATABASE ${refDb}`);
  ref = await referenceClient({ database: refDb, options: '-c TimeZone=UTC' });
}, 120_000);

afterAll(async () => {
  await ref?.end();
  await refAdmin?.query(`DROP DATABASE IF EXISTS ${refDb}`);
  await refAdmin?.end();
  await env?.stop();
});

interface Outcome {
  command?: string;
  rowCount?: number | null;
  rows?: unknown[][];
  error?: string;
}

async function outcome(c: pg.Client, sql: string, sortRows: boolean): Promise<Outcome> {
  try {
    const r = await c.query({ text: sql, rowMode: 'array' });
    const rows = (r.rows as unknown[][]).map((row) => row.map((v) => (v instanceof Date ? v.toISOString() : typeof v === 'number' ? String(v) : v)));
    if (sortRows) rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    return { command: r.command, rowCount: r.rowCount, rows };
  } catch (e) {
    return { error: (e as { code?: string }).code };
  }
}

/** Runs each statement on both servers and expects the same outcome (rows sorted unless ordered). */
async function same(statements: string[]): Promise<void> {
  for (const sql of statements) {
    const ordered = /order by/i.test(sql);
    const [a, b] = [await outcome(lake, sql, !ordered), await outcome(ref, sql, !ordered)];
    expect({ sql, ...a }).toEqual({ sql, ...b });
  }
}

describe('row changes compared with PostgreSQL', () => {
  it('DELETE with WHERE, USING, subqueries and RETURNING, on Parquet and inlined rows', async () => {
    await same([
      'create table d_items (id int, grp int, name text, price numeric(10,2))',
      "insert into d_items select i, i % 7, 'n' || i, (i % 100) / 4.0 from generate_series(1, 3000) t(i)",
      "insert into d_items values (5001, 1, 'small one', 1.25), (5002, 2, 'small two', 2.5)",
      'create table d_keys (k int)',
      'insert into d_keys values (3), (5), (5001)',
      'delete from d_items where id % 10 = 0',
      'select count(*), sum(price) from d_items',
      'delete from d_items where id between 100 and 120 returning id, name',
      'delete from d_items d using d_keys k where d.grp = k.k and d.id < 400 returning d.id',
      'delete from d_items where id in (select k from d_keys) returning *',
      'delete from d_items where name like $$small%$$',
      'delete from d_items where false',
      'select count(*), sum(price), min(id), max(id) from d_items',
      'select id, name from d_items where id < 40 order by id',
    ]);
  });

  it('UPDATE with expressions, FROM, subqueries, DEFAULT and RETURNING', async () => {
    await same([
      "create table u_items (id int, grp int, name text default 'unnamed', qty int)",
      'insert into u_items select i, i % 5, null, i from generate_series(1, 2500) t(i)',
      'insert into u_items values (9001, 1, $$x$$, 1)',
      'update u_items set qty = qty * 2, name = $$doubled$$ where grp = 1',
      'create table u_src (g int, bonus int)',
      'insert into u_src values (2, 1000), (3, 2000)',
      'update u_items i set qty = i.qty + s.bonus from u_src s where i.grp = s.g and i.id < 50 returning i.id, i.qty',
      'update u_items set name = default where id = 9001 returning id, name',
      'update u_items set qty = (select max(bonus) from u_src) where id in (select id from u_items where grp = 4 and id < 100)',
      'update u_items set qty = qty where false',
      'select grp, count(*), sum(qty), count(name) from u_items group by grp order by grp',
      'select id, name, qty from u_items where id in (1, 2, 3, 6, 9001) order by id',
    ]);
  });

  it('MERGE INTO with WHEN MATCHED UPDATE/DELETE and WHEN NOT MATCHED INSERT', async () => {
    await same([
      'create table m_target (id int, v int, note text)',
      "insert into m_target select i, i * 10, 'old' from generate_series(1, 1000) t(i)",
      'create table m_source (id int, v int, op text)',
      "insert into m_source select i, i, case when i % 3 = 0 then 'del' else 'upd' end from generate_series(990, 1010) t(i)",
      `merge into m_target t using m_source s on t.id = s.id
         when matched and s.op = 'del' then delete
         when matched then update set v = s.v, note = 'updated'
         when not matched then insert (id, v, note) values (s.id, s.v, 'new')`,
      `merge into m_target t using (select 5 as id) s on t.id = s.id when matched then do nothing when not matched then insert values (s.id, 0, 'x')`,
      'select count(*), sum(v), count(*) filter (where note = $$updated$$), count(*) filter (where note = $$new$$) from m_target',
      'select id, v, note from m_target where id >= 985 order by id',
    ]);
  });

  it('refuses a MERGE or UPDATE that would change a row twice, with 21000', async () => {
    await same([
      'create table twice (id int, v int)',
      'insert into twice values (1, 1), (2, 2)',
      'create table twice_src (id int, v int)',
      'insert into twice_src values (1, 10), (1, 11)',
      'merge into twice t using twice_src s on t.id = s.id when matched then update set v = s.v',
      'select id, v from twice order by id',
    ]);
  });

  it('TRUNCATE, then inserts again', async () => {
    await same([
      'create table tr (id int)',
      'insert into tr select * from generate_series(1, 2000)',
      'insert into tr values (7)',
      'truncate tr',
      'select count(*) from tr',
      'insert into tr values (1), (2)',
      'select count(*), sum(id) from tr',
    ]);
  });

  it('keeps NOT NULL on UPDATE (23502)', async () => {
    await same(['create table nn (id int not null, v int)', 'insert into nn values (1, 1)', 'update nn set id = null', 'select id, v from nn']);
  });
});

describe('lakegres-specific row change behaviour', () => {
  it('refuses INSERT ... ON CONFLICT with 0A000 and a hint to MERGE', async () => {
    await lake.query('create table oc (id int, v int)');
    const err = await lake.query('insert into oc values (1, 1) on conflict (id) do update set v = excluded.v').catch((e) => e);
    expect(err.code).toBe('0A000');
    expect(err.hint).toMatch(/MERGE INTO/);
    expect((await lake.query('select count(*)::int AS n from oc')).rows[0].n).toBe(0);
  });

  it('keeps row ids of updated rows (rowid is stable across UPDATE)', async () => {
    await lake.query('create table rid (id int, v int)');
    await lake.query('insert into rid select i, i from range(1, 501) t(i)');
    const before = (await lake.query('select id, rowid::int8 AS r from rid where id in (7, 300) order by id')).rows;
    await lake.query('update rid set v = v + 1 where id in (7, 300)');
    const after = (await lake.query('select id, rowid::int8 AS r, v from rid where id in (7, 300) order by id')).rows;
    expect(after.map((x) => [x.id, x.r])).toEqual(before.map((x) => [x.id, x.r]));
    expect(after.map((x) => x.v)).toEqual([8, 301]);
  });

  it('records the changes in the snapshot as the extension does', async () => {
    await lake.query('create table ch (id int)');
    await lake.query('insert into ch select * from range(0, 1000)');
    await lake.query('delete from ch where id < 3');
    await lake.query('delete from ch where id % 2 = 0');
    const snaps = (await lake.query(`select snapshot_id, changes from ducklake_snapshots('lake') order by snapshot_id desc limit 2`)).rows;
    expect(JSON.stringify(snaps[1].changes)).toContain('inlined_delete');
    expect(JSON.stringify(snaps[0].changes)).toContain('tables_deleted_from');
  });
});

});
