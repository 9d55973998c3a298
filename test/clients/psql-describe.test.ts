/**
 * psql's backslash commands (\l, \dn, \dt, \dt+, \d, \d+, \dv, \df, \du, \conninfo, \x) and its
 * tab completion against lakegres and the reference PostgreSQL 16. lakegres runs with the
 * reference's user and database name, so that psql's output can be compared byte for byte; the
 * few differences that remain are deliberate (docs/COMPATIBILITY.md) and asserted as such.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { CLIENT_DIR, PSQL, PYTHON, createReferenceDb, run, type ReferenceDb, type RunResult, type Target } from './util.js';

let srv: TestServer;
let ref: ReferenceDb;
let lake: Target;

const DDL = `create schema sales;
create table sales.orders (id integer not null, customer text, amount numeric(12,2) default 0, placed date, paid boolean default false, note text);
comment on table sales.orders is 'Customer orders';
comment on column sales.orders.amount is 'Order total';
comment on column sales.orders.customer is 'Who ordered';
create table public.items (id integer, name text default 'x', price double precision, tags text[], added timestamp with time zone);
comment on table public.items is 'Things we sell';
create view sales.big_orders as select id, amount from sales.orders where amount > 100;
comment on view sales.big_orders is 'Orders over 100';
insert into sales.orders values (1, 'ann', 150, '2024-01-02', true, null), (2, 'bob', 20, null, false, 'tab	here');
insert into public.items values (1, 'pen', 1.5, array['a', 'b'], '2024-01-01 10:00:00+00');
insert into public.items (id, name, price) select i, 'item ' || i, i / 4.0 from generate_series(2, 3000) as g(i);
`;

beforeAll(async () => {
  ref = await createReferenceDb('clients_psqld');
  // The reference's user and database name: psql prints them (owners, \l, prompts).
  srv = await startServer({ user: ref.target.user, database: [ref.target.database] });
  lake = { ...ref.target, label: 'lakegres', port: srv.port, password: '' };
  for (const t of [lake, ref.target]) {
    const r = await psql(t, ['-v', 'ON_ERROR_STOP=1', '-q'], DDL);
    expect(r.code, `${t.label}: ${r.stderr}`).toBe(0);
  }
});
afterAll(async () => {
  await srv?.stop();
  await ref?.drop();
});

function psql(t: Target, args: string[], input?: string): Promise<RunResult> {
  return run(PSQL, ['-X', '-P', 'pager=off', ...args], {
    input,
    timeoutMs: 30_000,
    env: { PGHOST: t.host, PGPORT: String(t.port), PGUSER: t.user, PGDATABASE: t.database, ...(t.password ? { PGPASSWORD: t.password } : {}), PGCONNECT_TIMEOUT: '10' },
  });
}

/**
 * Runs a psql command (or, when it has several lines, a script on stdin) against both servers;
 * returns both outputs (exit code 0 and nothing on stderr expected).
 */
async function both(command: string, extra: string[] = []): Promise<{ lake: string; pg: string }> {
  const args = (t: Target) => (command.includes('\n') ? psql(t, extra, command + '\n') : psql(t, [...extra, '-c', command]));
  const [a, b] = await Promise.all([args(lake), args(ref.target)]);
  expect({ code: a.code, stderr: a.stderr }, `lakegres: ${command}`).toEqual({ code: 0, stderr: '' });
  expect({ code: b.code, stderr: b.stderr }, `reference: ${command}`).toEqual({ code: 0, stderr: '' });
  return { lake: a.stdout, pg: b.stdout };
}

/** The command's output is PostgreSQL's, byte for byte. */
async function same(command: string, extra: string[] = []): Promise<string> {
  const r = await both(command, extra);
  expect(r.lake, command).toBe(r.pg);
  return r.lake;
}

describe('psql backslash commands', () => {
  it('\\l lists the database with owner, encoding and locale', async () => {
    const out = await same(`\\l ${ref.target.database}`);
    expect(out).toContain(` ${ref.target.database} | ${ref.target.user} | UTF8 `);
    // Without a pattern lakegres lists its databases only (the reference has postgres, template0, ...).
    const all = await psql(lake, ['-A', '-t', '-c', '\\l']);
    expect(all.stdout.split('\n').filter(Boolean).map((l) => l.split('|')[0])).toEqual([ref.target.database]);
  });

  it('\\dn and \\dn+ list the schemas with owners', async () => {
    const out = await same('\\dn');
    expect(out).toMatch(/ public \| pg_database_owner\n sales +\| postgres\n/);
    expect(await same('\\dn+')).toMatch(/ public \| pg_database_owner \| pg_database_owner=UC\/pg_database_owner\+\| standard public schema/);
  });

  it('\\dt, \\dt+ (with the comments), \\dv, \\d', async () => {
    expect(await same('\\dt')).toContain(' public | items | table | postgres');
    expect(await same('\\dt sales.*')).toContain(' sales  | orders | table | postgres');
    expect(await same('\\dv sales.*')).toContain(' sales  | big_orders | view | postgres');
    expect(await same('\\d')).toContain(' public | items | table | postgres');
    expect(await same('\\dv+ sales.*')).toMatch(/big_orders \| view \| postgres \| permanent +\| 0 bytes \| Orders over 100/);
    // \dt+: sizes are the lake's file sizes (PostgreSQL's heap pages differ); everything else is PostgreSQL's.
    const args = ['-A', '-F', '|'];
    const noSize = (s: string) => s.replace(/^([^|\n]*\|[^|\n]*\|[^|\n]*\|[^|\n]*\|[^|\n]*\|[^|\n]*)\|[^|\n]*\|/gm, '$1|<size>|');
    const pub = await both('\\dt+ public.*', args);
    const sales = await both('\\dt+ sales.*', args);
    expect(noSize(pub.lake)).toBe(noSize(pub.pg));
    expect(noSize(sales.lake)).toBe(noSize(sales.pg));
    const plus = { lake: pub.lake + sales.lake };
    expect(plus.lake).toContain('public|items|table|postgres|permanent|heap|');
    expect(plus.lake).toMatch(/\|Customer orders\n/);
    expect(plus.lake).toMatch(/\|Things we sell\n/);
    // ... and they are what lakegres.tables reports (the items' 3000 rows went to a Parquet file).
    const sizes = await psql(lake, ['-A', '-t', '-c', `select table_name || '=' || size from lakegres.tables order by 1`]);
    expect(sizes.stdout).toMatch(/^items=\d+ kB\norders=0 bytes\n$/);
    for (const line of sizes.stdout.trim().split('\n')) {
      const [name, size] = line.split('=');
      expect(plus.lake, line).toMatch(new RegExp(`\\|${name}\\|table\\|postgres\\|permanent\\|heap\\|${size}\\|`));
    }
  });

  it('\\d table and \\d+ table: columns, types, nullability, defaults, column comments', async () => {
    const orders = await same('\\d sales.orders');
    expect(orders).toContain('Table "sales.orders"');
    expect(orders).toMatch(/ id +\| integer +\| +\| not null \|/);
    expect(orders).toMatch(/ amount +\| numeric\(12,2\) +\| +\| +\| 0/);
    const plus = await same('\\d+ sales.orders');
    expect(plus).toMatch(/ amount .*\| Order total\n/);
    expect(plus).toMatch(/ customer .*\| Who ordered\n/);
    expect(plus).toContain('Access method: heap');
    await same('\\d items');
    await same('\\d+ items');
    // A catalog relation, as PostgreSQL describes it (lakegres lists no indexes: pg_index is empty).
    const cat = await both('\\d pg_catalog.pg_namespace');
    expect(cat.lake).toBe(cat.pg.split('Indexes:\n')[0] + '\n');
  });

  it('\\d+ view: columns as PostgreSQL; the definition is the lake\'s view text', async () => {
    const r = await both('\\d+ sales.big_orders');
    const [lakeHead, lakeDef] = r.lake.split('View definition:\n');
    const [pgHead] = r.pg.split('View definition:\n');
    expect(lakeHead).toBe(pgHead);
    expect(lakeHead).toMatch(/ amount +\| numeric\(12,2\) +\|/);
    // PostgreSQL prints its deparsed query; lakegres the view's SQL as the lake stores it.
    expect(lakeDef).toMatch(/FROM sales\.orders/i);
    expect(lakeDef).toMatch(/amount > 100/);
  });

  it('\\df lists functions (none in user schemas; pg_catalog by name)', async () => {
    expect(await same('\\df')).toContain('(0 rows)');
    expect(await same('\\df format_type')).toContain(' pg_catalog | format_type | text             | oid, integer        | func');
    await same('\\df+ pg_catalog.pg_get_viewdef');
    await same('\\dfa pg_catalog.string_agg');
  });

  it('\\du lists the role with its attributes', async () => {
    const out = await same(`\\du ${ref.target.user}`);
    expect(out).toContain('Superuser, Create role, Create DB, Replication, Bypass RLS');
  });

  it('\\conninfo names the database, user, host and port', async () => {
    const r = await both('\\conninfo');
    expect(r.lake).toBe(r.pg.replace(`port "${ref.target.port}"`, `port "${srv.port}"`));
    expect(r.lake).toBe(`You are connected to database "${ref.target.database}" as user "${ref.target.user}" on host "127.0.0.1" at port "${srv.port}".\n`);
  });

  it('\\x expanded output, \\pset formats, \\gx', async () => {
    const q = 'select id, customer, amount, note from sales.orders order by id';
    const x = await same(`\\x\n${q}`, []);
    expect(x).toMatch(/-\[ RECORD 2 \]-+\nid +\| 2\ncustomer \| bob\namount +\| 20\.00\nnote +\| tab +here\n/);
    await same(q, ['-x']);
    expect(await same(`select 1 as a, 'two' as b \\gx\n${q} limit 1;`)).toMatch(/^-\[ RECORD 1 \]\na \| 1\nb \| two\n\n id \| customer/);
    await same(q, ['-P', 'format=csv']);
    await same(q, ['-P', 'format=html']);
    await same(q, ['-P', 'format=wrapped', '-P', 'columns=30']);
  });
});

/** Typed into an interactive psql (a pseudo terminal): readline completion asks the server. */
async function typed(t: Target, keys: string): Promise<string[]> {
  const r = await run(PYTHON, [path.join(CLIENT_DIR, 'psql_tty.py'), PSQL], {
    input: keys,
    timeoutMs: 40_000,
    env: { PGHOST: t.host, PGPORT: String(t.port), PGUSER: t.user, PGDATABASE: t.database, ...(t.password ? { PGPASSWORD: t.password } : {}), PGCONNECT_TIMEOUT: '10' },
  });
  expect(r.code, `${t.label}: ${r.stdout}\n${r.stderr}`).toBe(0);
  // The lines psql echoed after its prompt, completions included.
  return r.stdout
    .split(/\r?\n/)
    .filter((l) => l.startsWith(`${t.database}=# `))
    .map((l) => l.slice(t.database.length + 3));
}

describe('psql tab completion', () => {
  it('completes schemas, tables, columns, settings and commands as against PostgreSQL', async () => {
    const keys = [
      'select count(*) as n from sales.ord\t;',
      'select count(*) as n from ite\t;',
      'select count(*) as n from big\t;',
      'select 1 from sales.big_\t limit 1;',
      'insert into items (pr\t) values (2.5);',
      'update sales.orders set no\t = null where id = 0;',
      'alter table sales.orders alter column cust\t set default null;',
      'show search_pa\t;',
      '\\d sales.ord\t',
      '\\dn sal\t',
      '\\q',
    ].join('\n');
    const [a, b] = await Promise.all([typed(lake, keys + '\n'), typed(ref.target, keys + '\n')]);
    expect(a).toEqual(b);
    expect(a).toEqual([
      'select count(*) as n from sales.orders ;',
      'select count(*) as n from items ;',
      'select count(*) as n from big;',
      'select 1 from sales.big_orders  limit 1;',
      'insert into items (price ) values (2.5);',
      'update sales.orders set note  = null where id = 0;',
      'alter table sales.orders alter column customer  set default null;',
      'show search_path ;',
      '\\d sales.orders ',
      '\\dn sales ',
      '\\q',
    ]);
  });
});
