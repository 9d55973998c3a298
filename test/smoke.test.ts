import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, referenceClient, type TestServer } from './helpers/server.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer();
});
afterAll(async () => srv?.stop());

describe('smoke', () => {
  it('answers a simple query', async () => {
    const c = await srv.client();
    const r = await c.query('select 1 as one');
    expect(r.rows).toEqual([{ one: 1 }]);
  });
  it('reaches the reference PostgreSQL', async () => {
    const c = await referenceClient();
    const r = await c.query('select version()');
    expect(r.rows[0].version).toMatch(/^PostgreSQL 16/);
    await c.end();
  });
});
