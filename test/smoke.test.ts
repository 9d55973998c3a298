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
  it("runs the README's example on a lake table (a column named at included)", async () => {
    const c = await srv.client();
    await c.query('CREATE TABLE readme_events (id int, at timestamptz, payload json)');
    await c.query(`INSERT INTO readme_events VALUES (1, now(), '{"k": 1}')`);
    const r = await c.query('SELECT id, at IS NOT NULL AS has_at, payload FROM readme_events');
    expect(r.rows).toEqual([{ id: 1, has_at: true, payload: { k: 1 } }]);
    expect((await c.query('SELECT * EXCLUDE (payload) FROM readme_events')).fields.map((f) => f.name)).toEqual(['id', 'at']);
    await c.query('DROP TABLE readme_events');
  });
  it('reaches the reference PostgreSQL', async () => {
    const c = await referenceClient();
    const r = await c.query('select version()');
    expect(r.rows[0].version).toMatch(/^PostgreSQL 16/);
    await c.end();
  });
});
