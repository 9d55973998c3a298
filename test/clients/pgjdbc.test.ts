/**
 * pgjdbc (Debian's /usr/share/java/postgresql.jar, Java 17) against lakegres and the reference
 * PostgreSQL 16. JdbcClient.java is compiled into a temporary directory; every scenario runs
 * with prepareThreshold=1 and binaryTransfer=true, and its output is compared.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { CLIENT_DIR, JDBC_JAR, createReferenceDb, jdbcUrl, lakegresTarget, run, tempDir, type ReferenceDb, type Target } from './util.js';
import { longQuery } from './python.js';

let srv: TestServer;
let ref: ReferenceDb;
let classes: ReturnType<typeof tempDir>;

beforeAll(async () => {
  classes = tempDir('lakegres-jdbc-');
  const [compiled, server, reference] = await Promise.all([
    run('javac', ['-encoding', 'UTF-8', '-d', classes.dir, '-cp', JDBC_JAR, path.join(CLIENT_DIR, 'JdbcClient.java')], { timeoutMs: 90_000 }),
    startServer(),
    createReferenceDb('clients_pgjdbc'),
  ]);
  srv = server;
  ref = reference;
  expect(compiled.code, `javac failed:\n${compiled.stdout}\n${compiled.stderr}`).toBe(0);
});
afterAll(async () => {
  await srv?.stop();
  await ref?.drop();
  classes?.remove();
});

async function java(t: Target, which: string): Promise<string> {
  const url = jdbcUrl(t, { prepareThreshold: '1', binaryTransfer: 'true', ApplicationName: 'lakegres-client-tests' });
  const r = await run('java', ['-Dfile.encoding=UTF-8', '-cp', `${JDBC_JAR}:${classes.dir}`, 'JdbcClient', url, t.user, t.password, which, longQuery(t)], { timeoutMs: 60_000 });
  expect(r.timedOut, `JdbcClient ${which} against ${t.label} timed out:\n${r.stdout}\n${r.stderr}`).toBe(false);
  expect(r.code, `JdbcClient ${which} against ${t.label} failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

async function same(which: string): Promise<string> {
  const [a, b] = await Promise.all([java(lakegresTarget(srv), which), java(ref.target, which)]);
  expect(a).toBe(b);
  return a;
}

describe('pgjdbc', () => {
  it('server-prepared statements reused, binary results for int/long/double/numeric/date/timestamp/timestamptz/bytea/uuid/arrays', async () => {
    const out = await same('types');
    expect(out).toContain('server-prepared insert: true\n');
    expect(out).toContain('server-prepared select: true\n');
    // The first execution describes the statement; from then on every column comes back binary.
    expect(out).toContain('round 1 formats 11111111111\nround 2 formats 11111111111\n');
    expect(out).toContain('id=Integer:0 | i8=Long:-9223372036854775808 | f8=Double:0.1 | n=numeric:123456789.125 | d=LocalDate:2024-02-29');
    expect(out).toContain('u=UUID:12345678-1234-5678-1234-567812345678 | a=array:[1, 2, 3] | t=array:[a, b c, q"uote]');
  });

  it('batches with autocommit on and off; a failing row fails the whole autocommit batch', async () => {
    const out = await same('batch');
    expect(out).toContain('failing batch: BatchUpdateException 23502\n');
    expect(out).toContain('after failing autocommit batch: 0\n');
    expect(out).toContain('after rollback: 0\nafter commit: 20\n');
    expect(out).toContain('aborted tx: 25P02\n');
    expect(out).toContain('total: 72\n');
  });

  it('setFetchSize with autocommit off: portal suspension, other statements in between, two open portals', async () => {
    const out = await same('fetchsize');
    expect(out).toBe('fetched 2000 sum 4002000 interleaved 5000\nalternating sums 5050 15050\n');
  });

  it('setQueryTimeout cancels with 57014', async () => {
    const out = await same('timeout');
    expect(out).toBe('timeout: 57014 fast=true\nafter timeout: 42\n');
  });

  it('Statement.cancel() from another thread cancels with 57014', async () => {
    const out = await same('cancel');
    expect(out).toBe('cancel: 57014 joined=true\nafter cancel: still alive\n');
  });

  it('DatabaseMetaData reports a PostgreSQL 16 product version (with the lakegres suffix)', async () => {
    const [lg, pg] = await Promise.all([java(lakegresTarget(srv), 'meta'), java(ref.target, 'meta')]);
    const dropVersion = (s: string) => s.replace(/^version .*\n/m, '');
    expect(dropVersion(lg)).toBe(dropVersion(pg));
    expect(lg).toMatch(/^version 16\.\d+ \(lakegres [\d.]+\)$/m);
    expect(lg).toContain('major 16\n');
  });

  it('transactions with setAutoCommit(false): rollback, commit, 25P02 after an error', async () => {
    const out = await same('tx');
    expect(out).toBe('error in tx: 42P01\nnext statement: 25P02\nrows 2 3\n');
  });

  it('documented differences: unconstrained numeric is DECIMAL(18,3); expression labels as PostgreSQL', async () => {
    const out = await java(lakegresTarget(srv), 'differences');
    // PostgreSQL: "unconstrained numeric -98765.4321"; labels are PostgreSQL's (pgcompat column names)
    expect(out).toBe('unconstrained numeric -98765.432\nlabels count ?column?\n');
  });

  // pgjdbc looks up types it does not know (interval, json) and table metadata in pg_catalog
  // with PostgreSQL-specific SQL (array_upper, current_schemas, regclass, ...): the emulated
  // catalog (pgcompat/catalog) and the rewrites (pgcompat/rewrite) answer it as PostgreSQL does.
  it('getObject of interval/json and DatabaseMetaData.getTables/getColumns', async () => {
    const [lg, pg] = await Promise.all([java(lakegresTarget(srv), 'catalog'), java(ref.target, 'catalog')]);
    expect(pg).toContain('getObject interval PGInterval');
    expect(lg).toBe(pg);
  });

  it('setReadOnly(true) then a write fails with 25006', async () => {
    const out = await same('readonly');
    expect(out).toContain('write in read-only tx: 25006\n');
  });
});
