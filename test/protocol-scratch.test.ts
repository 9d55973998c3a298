import { afterAll, beforeAll, it } from 'vitest';
import { startServer, type TestServer } from './helpers/server.js';
import { RawClient } from './helpers/raw-client.js';
import { summarize } from './helpers/protocol-compare.js';

let srv: TestServer;
beforeAll(async () => { srv = await startServer(); const c = await RawClient.connect({ port: srv.port }); await c.query("create table fuzz_t(a int, b text); insert into fuzz_t values (1, 'x'), (2, null)"); c.end(); });
afterAll(async () => srv?.stop());
const hexes = (process.env.HEXES ?? '').split(',');
it('replay', async () => {
  for (const h of hexes) {
    const c = await RawClient.connect({ port: srv.port });
    console.log('sending', h.slice(0, 80));
    c.write(Buffer.from(h, 'hex'));
    const out: any[] = [];
    for (;;) { try { out.push(await c.next(1000)); } catch { break; } }
    console.log('got', summarize(out, { messages: true }).join(' '), c.closed);
    c.socket.destroy();
  }
}, 60000);
