/**
 * psycopg 3 (Debian's python3-psycopg with libpq 15) against lakegres and the reference
 * PostgreSQL 16. The scenarios live in psycopg3_cases.py; each prints what it observed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { createReferenceDb, lakegresTarget, type ReferenceDb } from './util.js';
import { pythonCase, samePython } from './python.js';

const SCRIPT = 'psycopg3_cases.py';
let srv: TestServer;
let ref: ReferenceDb;

beforeAll(async () => {
  srv = await startServer();
  ref = await createReferenceDb('clients_psycopg3');
});
afterAll(async () => {
  await srv?.stop();
  await ref?.drop();
});

const same = (which: string) => samePython(SCRIPT, lakegresTarget(srv), ref.target, which);

describe('psycopg 3', () => {
  it('binary and text parameters and results, cursor(binary=True) and execute(binary=True)', async () => {
    const out = await same('binary');
    expect(out).toContain('binary uuid -> UUID:UUID(\'12345678-1234-5678-1234-567812345678\') format 1\n');
    expect(out).toContain('binary bytes -> bytes:0001feff format 1\n');
    expect(out).toContain('text int list -> [int:1, NoneType:None, int:3] format 0\n');
    expect(out).toContain('binary int list -> [int:1, NoneType:None, int:3] format 1\n');
    expect(out).toContain('executemany rowcount 2\n');
    expect(out).toMatch(/^row True int:1 \| int:-32768 \| int:4611686018427387904 \| float:1\.5 .*\| \[int:5, int:6\] \| dict:\{'k': \[1, 'two'\]\}$/m);
  });

  it('prepared statements (prepare=True, prepare_threshold=0), DEALLOCATE ALL after rollback', async () => {
    const out = await same('prepared');
    expect(out).toContain("lookup ('s7',)\n");
    expect(out).toContain("after rollback ('s2',)\n");
    expect(out).toContain("reuse after error ('s19',)\n");
    expect(out).toContain('after deallocate all 26000\n');
  });

  it('pipeline mode (libpq 15): one implicit transaction per Sync, errors undo the batch', async () => {
    const out = await same('pipeline');
    expect(out).toContain('count in pipeline (2,)\n');
    expect(out).toContain('after failed pipeline ([1, 2],)\n');
    expect(out).toContain('after partial pipeline ([1, 2, 5],)\n');
    expect(out).toContain('after tx pipeline (10,)\n');
    expect(out).toContain('executemany (50, 6225)\n');
  });

  it('COPY with write_row/rows in text and binary format', async () => {
    const out = await same('copy');
    expect(out).toMatch(/^copy out text True /m);
    expect(out).toMatch(/^copy out binary True /m);
  });

  it('binary server-side cursor (DECLARE, then FETCH with binary results)', async () => {
    const out = await same('server_cursor');
    expect(out).toBe('server cursor 500 125250\n');
  });

  it('documented differences: unconstrained numeric parameters and json', async () => {
    const out = await pythonCase(SCRIPT, lakegresTarget(srv), 'lakegres_differences');
    expect(out.split('\n').filter(Boolean)).toEqual([
      // PostgreSQL: Decimal('123.45'); an untyped numeric parameter is DuckDB's DECIMAL(38,10)
      "numeric parameter Decimal:Decimal('123.4500000000')",
      // PostgreSQL: jsonb (3802) for a Jsonb parameter; lakegres has json only
      "json {'a': 1} 114",
    ]);
  });
});
