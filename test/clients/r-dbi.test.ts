/**
 * R DBI with RPostgreSQL (Debian's r-cran-rpostgresql; RPostgres is not packaged in Debian)
 * against lakegres and the reference PostgreSQL 16: the same script, the same output.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { CLIENT_DIR, createReferenceDb, lakegresTarget, run, type ReferenceDb, type Target } from './util.js';

const RSCRIPT = '/usr/bin/Rscript';
let srv: TestServer;
let ref: ReferenceDb;

beforeAll(async () => {
  srv = await startServer();
  ref = await createReferenceDb('clients_r');
});
afterAll(async () => {
  await srv?.stop();
  await ref?.drop();
});

async function script(t: Target): Promise<string> {
  const r = await run(RSCRIPT, [path.join(CLIENT_DIR, 'r_dbi_cases.R'), t.host, String(t.port), t.user, t.password, t.database], { timeoutMs: 60_000 });
  expect(r.timedOut, `R against ${t.label} timed out:\n${r.stdout}\n${r.stderr}`).toBe(false);
  expect(r.code, `R against ${t.label} failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

describe('R DBI (RPostgreSQL)', () => {
  it('lists, writes, reads, queries with parameters and fetches in chunks as against PostgreSQL', async () => {
    const [lake, pg] = await Promise.all([script(lakegresTarget(srv)), script(ref.target)]);
    expect(lake).toBe(pg);
    expect(lake).toContain('exists: [1] TRUE');
    expect(lake).toContain('identical strings: [1] TRUE');
    expect(lake).toContain('chunked:   rows chunks \n  2500      3');
  }, 120_000);
});
