/**
 * SQLAlchemy (python3-sqlalchemy 1.4 over psycopg2) and asyncpg (python3-asyncpg) against
 * lakegres and the reference PostgreSQL 16: sqlalchemy_cases.py and asyncpg_cases.py print what
 * they observe and the outputs are compared. lakegres runs with the reference's user name.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { CLIENT_DIR, PYTHON, createReferenceDb, run, type ReferenceDb, type Target } from './util.js';

let srv: TestServer;
let ref: ReferenceDb;
let lake: Target;

beforeAll(async () => {
  ref = await createReferenceDb('clients_pydrivers');
  srv = await startServer({ user: ref.target.user, database: [ref.target.database] });
  lake = { ...ref.target, label: 'lakegres', port: srv.port, password: '' };
});
afterAll(async () => {
  await srv?.stop();
  await ref?.drop();
});

async function script(name: string, t: Target, which: string): Promise<string> {
  const r = await run(PYTHON, [path.join(CLIENT_DIR, name), t.host, String(t.port), t.user, t.password, t.database, which], { timeoutMs: 60_000 });
  expect(r.timedOut, `${name} ${which} against ${t.label} timed out:\n${r.stdout}\n${r.stderr}`).toBe(false);
  expect(r.code, `${name} ${which} against ${t.label} failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

async function same(name: string, which: string): Promise<string> {
  const [a, b] = await Promise.all([script(name, lake, which), script(name, ref.target, which)]);
  expect(a).toBe(b);
  return a;
}

describe('SQLAlchemy (psycopg2 dialect)', () => {
  it('Inspector reflection: schemas, tables, views, columns with types/defaults/comments, constraints', async () => {
    const out = await same('sqlalchemy_cases.py', 'reflect');
    expect(out).toContain("tables ['orders', 'items']\n");
    expect(out).toContain("views ['big_orders']\n");
    expect(out).toContain("column orders amount NUMERIC(precision=12, scale=2) True 0 Order total False\n");
    expect(out).toContain("comment orders {'text': 'Customer orders'}\n");
  });

  it('Core: create_all, insert many, select with bound parameters, LIKE with autoescape, update, delete, drop_all', async () => {
    const out = await same('sqlalchemy_cases.py', 'core');
    expect(out).toContain('exists after create_all True\n');
    expect(out).toContain('like escape [1, 2, 3, 4, 5]\n');
    expect(out).toContain('exists after drop_all False\n');
  });
});

describe('asyncpg', () => {
  it('prepared statements with binary parameters and results of scalar types', async () => {
    const out = await same('asyncpg_cases.py', 'types');
    expect(out).toContain('server_version 16\n');
    expect(out).toContain("json {'k': [1, 'two']}\n");
    expect(out).toContain("('big', -9223372036854775808)");
    expect(out).toContain('cached 2 1\n');
  });

  it('executemany, cursors in a transaction, errors with SQLSTATE', async () => {
    const out = await same('asyncpg_cases.py', 'cursor');
    expect(out).toContain('cursor 100 5050\n');
    expect(out).toContain('error UndefinedTableError 42P01\n');
  });

  it('array types and set_type_codec (asyncpg introspects types through oid, oid[] and name catalog columns)', async () => {
    const out = await same('asyncpg_cases.py', 'arrays');
    expect(out).toContain("('ints', 'int4[]', 'array', 'pg_catalog')");
    expect(out).toContain("row [('id', 2), ('ints', [3, None]), ('texts', ['x', None, 'y\"z']), ('fl', []), ('big', [1099511627776])]\n");
    expect(out).toContain("json codec {'a': [1, 2]} {'b': [True, None]}\n");
    expect(out).toContain('int4 text codec int4:42 int4:2\n');
  });

  it('copy_records_to_table: binary COPY with its data pipelined behind the statement', async () => {
    const out = await same('asyncpg_cases.py', 'copy');
    expect(out).toContain('copy records COPY 1001\n');
    expect(out).toContain('copy columns COPY 1\n');
  });
});
