import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, referencePort, type TestServer } from './helpers/server.js';
import { RawClient, dataRowFields, rowDescription, commandTag } from './helpers/raw-client.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer();
});
afterAll(async () => srv?.stop());

describe('raw client helper', () => {
  it('talks to lakegres and to the reference PostgreSQL alike', async () => {
    for (const [port, opts] of [
      [srv.port, {}],
      [referencePort(), { user: 'postgres', database: 'postgres', password: 'postgres' }],
    ] as const) {
      const c = await RawClient.connect({ port, ...opts });
      const msgs = await c.query("select 1::int4 as a, 'x'::text as b");
      const t = msgs.find((m) => m.type === 'T')!;
      expect(rowDescription(t).map((f) => [f.name, f.typeOid])).toEqual([
        ['a', 23],
        ['b', 25],
      ]);
      const d = msgs.find((m) => m.type === 'D')!;
      expect(dataRowFields(d).map((f) => f?.toString())).toEqual(['1', 'x']);
      expect(commandTag(msgs.find((m) => m.type === 'C')!)).toBe('SELECT 1');
      c.end();
    }
  });
});
