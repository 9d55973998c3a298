/**
 * psql (PostgreSQL 15 client) against lakegres and the reference PostgreSQL 16: the same
 * command line or script runs against both and stdout, stderr and the exit code must agree.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { PSQL, createReferenceDb, lakegresTarget, run, tempDir, type ReferenceDb, type RunResult, type Target } from './util.js';

let srv: TestServer;
let ref: ReferenceDb;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  srv = await startServer();
  ref = await createReferenceDb('clients_psql');
  tmp = tempDir('lakegres-psql-');
});
afterAll(async () => {
  await srv?.stop();
  await ref?.drop();
  tmp?.remove();
});

function psql(t: Target, args: string[], input?: string): Promise<RunResult> {
  return run(PSQL, ['-X', '-P', 'pager=off', ...args], {
    input,
    timeoutMs: 30_000,
    env: { PGHOST: t.host, PGPORT: String(t.port), PGUSER: t.user, PGDATABASE: t.database, ...(t.password ? { PGPASSWORD: t.password } : {}), PGCONNECT_TIMEOUT: '10' },
  });
}

/** Runs psql against both servers and expects identical behaviour; returns lakegres's result. */
async function same(args: string[], input?: string): Promise<RunResult> {
  const a = await psql(lakegresTarget(srv), args, input);
  const b = await psql(ref.target, args, input);
  expect(a.timedOut, 'psql timed out against lakegres').toBe(false);
  expect({ code: a.code, stdout: a.stdout, stderr: a.stderr }).toEqual({ code: b.code, stdout: b.stdout, stderr: b.stderr });
  return a;
}

function script(name: string, text: string): string {
  const file = path.join(tmp.dir, name);
  writeFileSync(file, text);
  return file;
}

describe('psql', () => {
  it('runs several statements given with -c, as one implicit transaction', async () => {
    const r = await same(['-c', "create table m(a int, b text); insert into m values (1, 'one'), (2, 'two'); select a, b from m order by a; select 'x' as y"]);
    expect(r.stdout).toContain('INSERT 0 2');
    expect(r.stdout).toContain(' 2 | two');
    // An error later in the same -c string undoes the earlier statements of that string.
    const e = await same(['-c', "insert into m values (3, 'three'); select * from x9"]);
    expect(e.code).toBe(1);
    expect(e.stderr).toContain('relation "x9" does not exist');
    expect((await same(['-c', 'select count(*) as n from m'])).stdout).toContain('\n 2\n');
    // Deliberate difference: PostgreSQL parses the whole string before running any of it, so a
    // syntax error in a later statement means nothing runs. lakegres hands statements to DuckDB
    // one at a time: the INSERT runs (and is rolled back with the implicit transaction) first.
    const args = ['-c', "insert into m values (3, 'three'); selec 1"];
    const [lg, pgRef] = [await psql(lakegresTarget(srv), args), await psql(ref.target, args)];
    expect(lg.code).toBe(pgRef.code);
    expect(lg.stderr).toBe(pgRef.stderr); // same message, and the caret under "selec" in the whole string
    expect(pgRef.stdout).toBe('');
    expect(lg.stdout).toBe('INSERT 0 1\n');
    expect((await same(['-c', 'select count(*) as n from m'])).stdout).toContain('\n 2\n');
    // Several -c options are separate transactions.
    await same(['-c', "insert into m values (4, 'four')", '-c', 'selec 2', '-c', 'select count(*) as n from m']);
  });

  it('runs a script with -f: DDL, DML, NULLs, unicode, transaction control', async () => {
    const f = script(
      'basic.sql',
      `create table s(id int, name text, amount numeric(10,2), d date);
insert into s values (1, 'plain', 1.50, '2024-02-29'), (2, 'uni ☃ é 😀', -3, null), (3, null, null, '1999-12-31');
select id, name, amount, d from s order by id;
update s set amount = amount * 2 where id < 3;
delete from s where id = 3;
begin;
insert into s values (10, 'in tx', 0, null);
rollback;
begin;
insert into s values (11, 'committed', 1, null);
commit;
select id, name, amount from s order by id;
select string_agg(name, ',' order by id) as names from s;
`,
    );
    const r = await same(['-f', f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('uni ☃ é 😀');
    expect(r.stdout).toContain('(3 rows)');
  });

  it('stops at the first error with ON_ERROR_STOP=1 (exit code 3), and goes on without it', async () => {
    const f = script('stop.sql', "create table stop_t(a int);\ninsert into stop_t values (1);\nselec 1;\ninsert into stop_t values (2);\n");
    const stopped = await same(['-v', 'ON_ERROR_STOP=1', '-f', f]);
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toMatch(/stop\.sql:3: ERROR: {2}syntax error/);
    expect(stopped.stdout).not.toContain('INSERT 0 1\nINSERT 0 1');
    await same(['-c', 'select count(*) as n from stop_t']).then((r) => expect(r.stdout).toContain('\n 1\n'));
    // Without ON_ERROR_STOP the script runs to its end (the CREATE TABLE now fails too).
    const goesOn = await same(['-f', f]);
    expect(goesOn.code).toBe(0);
    await same(['-c', 'select count(*) as n, sum(a) as s from stop_t']).then((r) => expect(r.stdout).toMatch(/ 3 \| +4\n/));
  });

  it('reports 25P02 in a failed transaction block until ROLLBACK', async () => {
    const f = script(
      'failed.sql',
      `create table ft(a int);
begin;
insert into ft values (1);
\\echo :SQLSTATE
selec 1;
\\echo :SQLSTATE
insert into ft values (2);
\\echo :SQLSTATE
select 1 as one;
\\echo :SQLSTATE
commit;
\\echo :SQLSTATE
select count(*) as n from ft;
begin;
selec 2;
rollback;
\\echo :SQLSTATE
select count(*) as n from ft;
`,
    );
    const r = await same(['-f', f]);
    expect(r.stdout).toContain('00000\n42601\n25P02\n25P02\n');
    expect(r.stderr).toContain('current transaction is aborted, commands ignored until end of transaction block');
    // COMMIT of a failed block answers ROLLBACK.
    expect(r.stdout).toContain('ROLLBACK\n00000');
  });

  it('honours \\set AUTOCOMMIT off (psql opens the transactions)', async () => {
    const f = script(
      'autocommit.sql',
      `create table ac(a int);
\\set AUTOCOMMIT off
insert into ac values (1);
rollback;
select count(*) as after_rollback from ac;
insert into ac values (2);
commit;
select count(*) as after_commit from ac;
selec 3;
select 'statement after error in implicit transaction' as msg;
rollback;
\\set AUTOCOMMIT on
insert into ac values (4);
select sum(a) as total from ac;
`,
    );
    const r = await same(['-f', f]);
    expect(r.stdout).toMatch(/after_rollback\s*\n-+\n\s+0\n/);
    expect(r.stdout).toMatch(/total\s*\n-+\n\s+6\n/);
    expect(r.stderr).toContain('current transaction is aborted');
  });

  it('reads results through a cursor with \\set FETCH_COUNT 3 (DECLARE/FETCH)', async () => {
    const f = script(
      'fetch.sql',
      `\\set FETCH_COUNT 3
select i, repeat('x', i) as xs from generate_series(1, 10) g(i) order by i;
select i from generate_series(1, 2) g(i) order by i;
select i from generate_series(1, 3) g(i) where i > 5;
begin;
select i * 10 as tens from generate_series(1, 7) g(i) order by i;
commit;
\\set AUTOCOMMIT off
select i from generate_series(1, 4) g(i) order by i;
rollback;
\\set AUTOCOMMIT on
\\pset format unaligned
select i, i * i as sq from generate_series(1, 8) g(i) order by i;
`,
    );
    const r = await same(['-f', f]);
    // Aligned output is laid out per fetched batch: column widths come from the first 3 rows.
    expect(r.stdout).toContain(' i | xs  \n---+-----\n 1 | x\n');
    expect(r.stdout).toContain('\n 10 | xxxxxxxxxx\n(10 rows)');
    expect(r.stdout).toContain('8|64');
  });

  it('prints NOTICE and WARNING messages like PostgreSQL', async () => {
    const r = await same(['-c', 'commit', '-c', 'rollback', '-c', "set local work_mem = '1MB'", '-c', 'set transaction read only', '-f', script('warn.sql', 'begin;\nbegin;\ncommit;\ncommit;\n')]);
    expect(r.stderr).toContain('WARNING:  there is no transaction in progress');
    expect(r.stderr).toContain('WARNING:  there is already a transaction in progress');
    expect(r.stderr).toContain('WARNING:  SET LOCAL can only be used in transaction blocks');
    expect(r.stderr).toContain('WARNING:  SET TRANSACTION can only be used in transaction blocks');
  });

  it('\\copy from stdin and to stdout in text format, with escapes and NULLs', async () => {
    const f = script(
      'copytext.sql',
      `create table ct(a int, b text, c double precision);
\\copy ct from stdin
1\thello\t1.5
2\ttab\\there\t-2
3\t\\N\t\\N
4\tback\\\\slash\t3e10
5\tuni ☃ é\t0
6\tnl\\nand\\rcr\t0.25
7\t\\\\N literal\t7
8\t\t8
\\.
\\copy ct to stdout
\\copy (select a, b from ct where a > 2 order by a) to stdout
\\copy ct (b, a) to stdout with (null 'NULL', delimiter '|')
select a, b is null as b_null, length(b) as len from ct order by a;
`,
    );
    const r = await same(['-f', f]);
    expect(r.stdout).toContain('COPY 8');
    expect(r.stdout).toContain('2\ttab\\there\t-2');
    expect(r.stdout).toContain('7\t\\\\N literal\t7');
    expect(r.stdout).toContain('6\tnl\\nand\\rcr\t0.25');
  });

  it('\\copy in CSV: quotes, embedded newlines, header, to and from a client file', async () => {
    const file = path.join(tmp.dir, 'rows.csv');
    const f = script(
      'copycsv.sql',
      `create table cc(id int, s text, n int);
\\copy cc from stdin with (format csv, header)
id,s,n
1,"quoted, comma",10
2,"line
break",
3,,30
4,"""q""",40
5,"",50
6,\\N,60
\\.
\\copy cc to stdout with (format csv, header)
\\copy (select id, s from cc order by id) to '${file}' with (format csv, force_quote *)
create table cc2(id int, s text);
\\copy cc2 from '${file}' with (format csv)
select id, s is null as s_null, s = '' as s_empty, s from cc2 order by id;
\\copy (select s from cc2 where id = 6) to stdout csv
`,
    );
    const r = await same(['-f', f]);
    expect(r.stdout).toContain('COPY 6');
    expect(r.stdout).toContain('2,"line\nbreak",\n');
    expect(r.stdout).toContain('4,"""q""",40');
  });
});
