/**
 * psycopg2 (Debian's python3-psycopg2, libpq 15) against lakegres and the reference
 * PostgreSQL 16. The scenarios live in psycopg2_cases.py; each prints what it observed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { createReferenceDb, lakegresTarget, type ReferenceDb } from './util.js';
import { pythonCase, samePython } from './python.js';

const SCRIPT = 'psycopg2_cases.py';
let srv: TestServer;
let ref: ReferenceDb;

beforeAll(async () => {
  srv = await startServer();
  ref = await createReferenceDb('clients_psycopg2');
});
afterAll(async () => {
  await srv?.stop();
  await ref?.drop();
});

const same = (which: string) => samePython(SCRIPT, lakegresTarget(srv), ref.target, which);

describe('psycopg2', () => {
  it('round-trips parameters of many types, through literals and a typed table', async () => {
    const out = await same('types');
    expect(out).toContain("param bytes -> bytes:0001ff275c\n");
    expect(out).toContain("param str 'tab\\there' -> str:'tab\\there'\n");
    expect(out).toContain('param nan -> float:nan\n');
    expect(out).toContain('param uuid -> UUID:UUID(');
    expect(out).toContain('param timestamptz -05:30 -> tz:2000-01-01T05:29:59.999999+00:00\n');
    expect(out).toContain('executemany rowcount 3\n');
    expect(out).toContain('where bin [1]\n');
    expect(out).toContain('server_version 16 16\n');
  });

  it('copy_expert: COPY FROM STDIN and TO STDOUT in text and CSV with awkward strings', async () => {
    const out = await same('copy');
    expect(out).toContain('copy in text rowcount 13\n');
    expect(out).toContain('text round trip identical True\n');
    expect(out).toContain('csv round trip mismatches []\n');
    expect(out).toContain('bad copy 22P02\n');
    expect(out).toContain("copy_to '1,x\\n2,NULL\\n3,a\\\\tb\\n4,y\\n'\n");
    expect(out).toContain('big copy out identical True\n');
  });

  it('named (server-side) cursors with itersize, fetchmany, WITH HOLD', async () => {
    const out = await same('named_cursor');
    expect(out).toContain('named cursor rows 1000 sum 500500');
    expect(out).toContain('withhold 10 20 465\n');
    expect(out).toContain('bad named cursor 42P01\n');
  });

  it('conn.cancel() from a thread interrupts a running query (QueryCanceled), and statement_timeout', async () => {
    const out = await same('cancel');
    expect(out).toContain('canceled QueryCanceled 57014 canceling statement due to user request in time True\n');
    expect(out).toContain("after cancel ('alive',)\n");
    expect(out).toContain('timeout 57014 canceling statement due to statement timeout\n');
  });

  it('autocommit on and off, rollback after an error, with-connection blocks, read-only sessions', async () => {
    const out = await same('transactions');
    expect(out).toContain('after error InFailedSqlTransaction 25P02\n');
    expect(out).toContain('rows ([2, 4, 5, 6],)\n');
    expect(out).toContain('readonly insert 25006\n');
    expect(out).toContain("isolation SERIALIZABLE ('serializable',)\n");
    expect(out).toContain("notices ['WARNING:  there is no transaction in progress']\n");
  });

  it('psycopg2.extras.execute_values / execute_batch, RETURNING, RealDictCursor', async () => {
    const out = await same('execute_values');
    expect(out).toContain('returning [1000, 1001, 1002, 1003, 1004]\n');
    expect(out).toContain('duplicate 23505\n');
    expect(out).toContain('after duplicate (0,)\n');
  });

  it('SQL-level PREPARE (with a parameter type list) / EXECUTE / DEALLOCATE: psycopg2 has no protocol-level prepare', async () => {
    const out = await same('prepared');
    expect(out).toContain(String.raw`execute [(4, "d 'q' \\"), (5, None)]` + '\n');
    expect(out).toContain('text argument [(5, None)]\n');
    expect(out).toContain('two parameters [(2,)]\n');
    expect(out).toContain('after deallocate 26000\n');
  });

  it('documented differences: DuckDB literal typing; expression column names as PostgreSQL', async () => {
    const out = await pythonCase(SCRIPT, lakegresTarget(srv), 'lakegres_differences');
    expect(out.split('\n').filter(Boolean)).toEqual([
      // PostgreSQL: Decimal('1E-300') (numeric)
      'exponent literal float:1e-300 701',
      // PostgreSQL: float8 (701); DuckDB's FLOAT is real
      'nan literal float:nan 700',
      // As PostgreSQL (pgcompat column names): no longer a difference
      "expression names ['count', '?column?']",
      // PostgreSQL: [(1043, 10), (1042, 3)] and 'x  ' (blank-padded)
      "varchar/char [(25, -1), (25, -1)] [('abc', 'x')]",
      // PostgreSQL converts to LATIN1; lakegres speaks UTF8 only
      'latin1 0A000',
      // PostgreSQL inserts; a lake write through SQL PREPARE is DuckDB's INSERT into the read view
      'prepared insert 42809',
      // PostgreSQL accepts '{}' for an array column; DuckDB cannot cast that text to a list
      'empty list 22P02',
    ]);
  });
});
