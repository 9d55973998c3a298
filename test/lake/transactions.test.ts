/**
 * Lake transactions over the wire: one snapshot per transaction, reading one's own writes,
 * rollback and disconnect leaving no trace (files removed), snapshot isolation, read-only
 * transactions, conflicts (40001) and their retry, time travel and the ducklake_* functions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { TestServer } from '../helpers/server.js';
import { LAKE_MATRIX, startLake, type LakeEnvironment } from '../helpers/lake-matrix.js';

describe.each(LAKE_MATRIX)('$name', (setup) => {
let env: LakeEnvironment;
let server: TestServer;
let a: pg.Client;
let b: pg.Client;

beforeAll(async () => {
  env = await startLake(setup);
  server = env.server;
  a = await server.client({ options: '-c TimeZone=UTC' });
  b = await server.client({ options: '-c TimeZone=UTC' });
}, 120_000);
afterAll(async () => {
  await env?.stop();
});

const one = async (c: pg.Client, sql: string) => (await c.query({ text: sql, rowMode: 'array' })).rows[0]?.[0];
const num = async (c: pg.Client, sql: string) => Number(await one(c, sql));
const snapshots = async () => (await a.query(`select snapshot_id, changes from ducklake_snapshots('lake') order by snapshot_id`)).rows;
const latest = async () => num(a, `select max(snapshot_id) from ducklake_snapshots('lake')`);

const dataFiles = () => env.storedFiles();

describe('transaction blocks', () => {
  it('commits DDL and DML of a block as one snapshot, and reads its own writes inside', async () => {
    const before = await latest();
    await a.query('begin');
    await a.query('create table tb1 (id int, v text)');
    await a.query(`insert into tb1 select i, 'v' || i from range(0, 100) t(i)`);
    expect(await num(a, 'select count(*) from tb1')).toBe(100);
    await a.query('alter table tb1 add column extra int default 7');
    expect(await num(a, 'select sum(extra) from tb1')).toBe(700);
    await a.query('delete from tb1 where id < 10');
    await a.query(`update tb1 set v = 'changed' where id >= 90`);
    expect(await num(a, `select count(*) from tb1`)).toBe(90);
    expect(await num(a, `select count(*) from tb1 where v = 'changed'`)).toBe(10);
    await a.query('insert into tb1 values (1000, $$late$$, 1)');
    expect(await num(a, `select count(*) from tb1 where id = 1000`)).toBe(1);
    // Another session does not see any of it before COMMIT.
    expect(await b.query('select * from tb1').catch((e) => e.code)).toBe('42P01');
    await a.query('commit');
    expect(await latest()).toBe(before + 1);
    expect(await num(b, 'select count(*) from tb1')).toBe(91);
    expect(await num(b, 'select sum(extra) from tb1')).toBe(91 * 7 - 6);
    const changes = JSON.stringify((await snapshots()).at(-1)!.changes);
    expect(changes).toContain('tables_created');
    expect(changes).toContain('tables_inserted_into');
  });

  it('inlines every small statement of a block (the limit is per statement, as in the extension), with its own reads, deletes and new columns', async () => {
    await a.query('create table tb_inl (id int, v text)');
    const filesBefore = (await dataFiles()).length;
    const before = await latest();
    await a.query('begin');
    for (let i = 0; i < 25; i++) await a.query({ text: 'insert into tb_inl values ($1, $2)', values: [i, `v${i}`] });
    expect(await num(a, 'select count(*) from tb_inl')).toBe(25);
    await a.query('delete from tb_inl where id in (3, 4)');
    await a.query('insert into tb_inl values (100, $$after delete$$)');
    expect(await num(a, 'select count(*) from tb_inl')).toBe(24);
    await a.query('alter table tb_inl add column w int default 5');
    await a.query('insert into tb_inl values (101, $$after alter$$, 6)');
    expect(await num(a, 'select sum(w) from tb_inl')).toBe(24 * 5 + 6);
    expect(await num(a, `select count(*) from tb_inl where v = 'after delete' or v = 'after alter'`)).toBe(2);
    await a.query('commit');
    expect(await latest()).toBe(before + 1);
    // No Parquet file: every statement's rows went to the catalog.
    expect((await dataFiles()).length).toBe(filesBefore);
    expect(JSON.stringify((await snapshots()).at(-1)!.changes)).toContain('inlined_insert');
    expect(await num(b, 'select count(*) from tb_inl')).toBe(25);
    expect(await num(b, 'select sum(id) from tb_inl')).toBe(300 - 7 + 201);
    expect(await num(b, 'select sum(w) from tb_inl')).toBe(24 * 5 + 6);
  });

  it('ROLLBACK discards everything and removes the files written for it', async () => {
    await a.query('create table tb2 (id int)');
    await a.query('insert into tb2 select * from range(0, 1000)');
    const files = await dataFiles();
    const before = await latest();
    await a.query('begin');
    await a.query('insert into tb2 select * from range(1000, 5000)');
    await a.query('delete from tb2 where id < 500');
    expect(await num(a, 'select count(*) from tb2')).toBe(4500);
    expect((await dataFiles()).length).toBeGreaterThan(files.length);
    await a.query('rollback');
    expect(await latest()).toBe(before);
    expect(await num(a, 'select count(*) from tb2')).toBe(1000);
    expect(await dataFiles()).toEqual(files);
  });

  it('an error fails the block (25P02); ROLLBACK then discards it', async () => {
    await a.query('create table tb3 (id int not null)');
    await a.query('begin');
    await a.query('insert into tb3 values (1)');
    expect((await a.query('insert into tb3 values (null)').catch((e) => e)).code).toBe('23502');
    expect((await a.query('select 1').catch((e) => e)).code).toBe('25P02');
    await a.query('rollback');
    expect(await num(a, 'select count(*) from tb3')).toBe(0);
  });

  it('a disconnect in the middle of a transaction discards it and its files', async () => {
    await a.query('create table tb4 (id int)');
    const files = await dataFiles();
    const c = await server.client();
    await c.query('begin');
    await c.query('insert into tb4 select * from range(0, 3000)');
    expect((await dataFiles()).length).toBeGreaterThan(files.length);
    await c.end();
    for (let i = 0; i < 50 && (await dataFiles()).length !== files.length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await dataFiles()).toEqual(files);
    expect(await num(a, 'select count(*) from tb4')).toBe(0);
  });

  it('reads one snapshot from its first statement to its end (snapshot isolation)', async () => {
    await a.query('create table tb5 (id int)');
    await a.query('insert into tb5 values (1)');
    await a.query('begin');
    expect(await num(a, 'select count(*) from tb5')).toBe(1);
    await b.query('insert into tb5 values (2)');
    expect(await num(a, 'select count(*) from tb5')).toBe(1);
    await a.query('commit');
    expect(await num(a, 'select count(*) from tb5')).toBe(2);
  });

  it('refuses writes in READ ONLY transactions with 25006', async () => {
    await a.query('create table tb6 (id int)');
    await a.query('begin read only');
    expect((await a.query('insert into tb6 values (1)').catch((e) => e)).code).toBe('25006');
    await a.query('rollback');
    await a.query('set default_transaction_read_only = on');
    expect((await a.query('delete from tb6').catch((e) => e)).code).toBe('25006');
    expect((await a.query('create table tb6b (id int)').catch((e) => e)).code).toBe('25006');
    await a.query('reset default_transaction_read_only');
  });
});

describe('concurrent writers in one server', () => {
  it('lets concurrent appends to one table all commit', async () => {
    await a.query('create table cc1 (id int, w int)');
    const clients = await Promise.all(Array.from({ length: 6 }, () => server.client()));
    await Promise.all(clients.map(async (c, w) => {
      for (let i = 0; i < 10; i++) await c.query(`insert into cc1 values (${i}, ${w})`);
    }));
    expect(await num(a, 'select count(*) from cc1')).toBe(60);
    expect(await num(a, 'select count(distinct rowid) from cc1')).toBe(60);
    await Promise.all(clients.map((c) => c.end()));
  });

  it('fails the second of two conflicting deletes on the same file with 40001; the retry succeeds', async () => {
    await a.query('create table cc2 (id int)');
    await a.query('insert into cc2 select * from range(0, 1000)');
    await a.query('begin');
    await a.query('delete from cc2 where id < 100');
    await b.query('begin');
    await b.query('delete from cc2 where id >= 900');
    await a.query('commit');
    const err = await b.query('commit').catch((e) => e);
    expect(err.code).toBe('40001');
    expect(err.message).toMatch(/cc2|conflict/);
    // Retried, it sees a's delete and commits.
    await b.query('delete from cc2 where id >= 900');
    expect(await num(a, 'select count(*) from cc2')).toBe(800);
  });

  it('refuses to insert into a table that another transaction dropped (40001)', async () => {
    await a.query('create table cc3 (id int)');
    await a.query('insert into cc3 values (1)');
    await b.query('begin');
    await b.query('insert into cc3 values (2)');
    await a.query('drop table cc3');
    expect((await b.query('commit').catch((e) => e)).code).toBe('40001');
  });
});

describe('time travel and history', () => {
  it('reads AT (VERSION => n) and AT (TIMESTAMP => ts) anywhere in a query, and SET lakegres.snapshot', async () => {
    await a.query('create table tt1 (id int)');
    const s1 = await latest();
    await a.query('insert into tt1 values (1), (2)');
    const s2 = await latest();
    await a.query('insert into tt1 values (3)');
    const t2 = await one(a, `select snapshot_time::varchar from ducklake_snapshots('lake') where snapshot_id = ${s2}`);
    expect(await num(a, `select count(*) from tt1 at (version => ${s1})`)).toBe(0);
    expect(await num(a, `select count(*) from tt1 at (version => ${s2})`)).toBe(2);
    expect(await num(a, `select count(*) from tt1 at (timestamp => '${t2}'::timestamptz)`)).toBe(2);
    expect(await num(a, `with old as (select * from tt1 at (version => ${s2})) select count(*) from tt1 join old using (id)`)).toBe(2);
    expect(await num(a, `select (select count(*) from tt1 at (version => ${s2})) + (select count(*) from tt1)`)).toBe(5);
    // Column names and origins as without the clause (PostgreSQL's names, not DuckDB's count_star()).
    const named = await a.query(`select count(*), sum(id), id from tt1 at (version => ${s2}) group by id order by 3`);
    expect(named.fields.map((f) => f.name)).toEqual(['count', 'sum', 'id']);
    expect(named.fields[2]!.tableID).toBeGreaterThan(0);
    await a.query(`set lakegres.snapshot = ${s2}`);
    expect(await num(a, 'select count(*) from tt1')).toBe(2);
    expect(await num(a, `select id from ducklake_current_snapshot('lake')`)).toBe(s2);
    expect((await a.query('insert into tt1 values (9)').catch((e) => e)).code).toBe('25006');
    expect((await a.query('set lakegres.snapshot = 999999').catch((e) => e)).code).toBe('22023');
    expect(await num(a, 'select count(*) from tt1')).toBe(2);
    await a.query('reset lakegres.snapshot');
    expect(await num(a, 'select count(*) from tt1')).toBe(3);
  });

  it('answers the ducklake_* functions, with commit messages', async () => {
    await a.query('create table hf (id int, v text)');
    await a.query('begin');
    await a.query(`call ducklake_set_commit_message('lake', 'alice', 'load hf', extra_info => '{"ticket": 1}')`);
    await a.query(`insert into hf select i, 'x' from range(0, 50) t(i)`);
    await a.query('commit');
    const s = await latest();
    const snap = (await a.query(`select author, commit_message, commit_extra_info from ducklake_snapshots('lake') where snapshot_id = ${s}`)).rows[0];
    expect(snap).toEqual({ author: 'alice', commit_message: 'load hf', commit_extra_info: '{"ticket": 1}' });
    await a.query(`update hf set v = 'y' where id < 5`);
    await a.query(`delete from hf where id >= 45`);
    const changes = (await a.query(`select change_type, count(*)::int AS n from ducklake_table_changes('lake', 'main', 'hf', ${s}, ${s + 2}) group by 1 order by 1`)).rows;
    expect(changes).toEqual([
      { change_type: 'delete', n: 5 },
      { change_type: 'insert', n: 50 },
      { change_type: 'update_postimage', n: 5 },
      { change_type: 'update_preimage', n: 5 },
    ]);
    expect(await num(a, `select count(*) from ducklake_table_insertions('lake', 'main', 'hf', ${s}, ${s})`)).toBe(50);
    expect(await num(a, `select count(*) from ducklake_table_deletions('lake', 'main', 'hf', ${s + 2}, ${s + 2})`)).toBe(5);
    expect(await num(a, `select count(*) from ducklake_list_files('lake', 'hf')`)).toBeGreaterThanOrEqual(0);
    expect(await num(a, `select id from ducklake_last_committed_snapshot('lake')`)).toBe(s + 2);
    const info = (await a.query(`select table_name from ducklake_table_info('lake') where table_name = 'hf'`)).rows;
    expect(info).toHaveLength(1);
  });
});
});
