/** The operations endpoint: /health, /ready, /metrics (Prometheus) on --http-port. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let base: string;

beforeAll(async () => {
  server = await startServer({ httpPort: 0 });
  base = `http://127.0.0.1:${server.server.httpPort}`;
});
afterAll(async () => {
  await server?.stop();
});

describe('operations endpoint', () => {
  it('answers /health and /ready while serving', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('ready\n');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/health`, { method: 'POST' })).status).toBe(405);
  });

  it('counts sessions, statements and errors in /metrics', async () => {
    const c = await server.client();
    await c.query('select 1');
    await c.query('select * from no_such_table').catch(() => undefined);
    const text = await (await fetch(`${base}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, (m) => '\\' + m)} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    expect(value('lakegres_sessions_total')).toBeGreaterThanOrEqual(1);
    expect(value('lakegres_connections')).toBeGreaterThanOrEqual(1);
    expect(value('lakegres_statements_total{outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(value('lakegres_statement_errors_total{class="42"}')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^lakegres_statement_duration_seconds_bucket/m);
    expect(text).toMatch(/^lakegres_process_resident_memory_bytes \d+/m);
  });

  it('counts lake commits, internal commit retries and conflicts', async () => {
    const c = await server.client();
    const read = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    };
    const before = await read();
    await c.query('create table http_m (a int)');
    await c.query('insert into http_m values (1)');
    const after = await read();
    expect(after('lakegres_lake_commits_total') - before('lakegres_lake_commits_total')).toBe(2);
    expect(after('lakegres_lake_commit_retries_total')).toBeGreaterThanOrEqual(0);
    expect(after('lakegres_lake_commit_conflicts_total')).toBe(before('lakegres_lake_commit_conflicts_total'));
  });
});
