import { afterAll, beforeAll, it } from 'vitest';
import { startServer, type TestServer } from './helpers/server.js';
import { serialize } from './helpers/raw-client.js';
import { connectTo, summarize, type Target } from './helpers/protocol-compare.js';

let srv: TestServer;
beforeAll(async () => { srv = await startServer(); });
afterAll(async () => srv?.stop());
const S = serialize;
const cases: [string, Buffer[], number?][] = [
  ['a', [S.query('begin'), S.parse({ name: 's1', text: 'rollback' }), S.bind({ statement: 's1' }), S.sync(), S.query('select * from no_such_x'), S.execute({}), S.sync(), S.query('rollback')]],
  ['b', [S.query('begin'), S.query('select * from no_such_x'), S.bind({ statement: 's1' }), S.execute({}), S.sync(), S.query('rollback')]],
  ['c', [S.query('begin'), S.bind({ statement: 's1' }), S.sync(), S.bind({ statement: 'nope' }), S.sync(), S.execute({}), S.sync(), S.query('rollback')]],
  ['d', [S.query('begin'), S.bind({ portal: 'pp', statement: 's1' }), S.sync(), S.bind({ statement: 'nope' }), S.sync(), S.execute({ portal: 'pp' }), S.sync(), S.query('rollback')]],
];

it('explore', async () => {
  for (const t of ['lake', 'pg'] as Target[]) {
    const c = await connectTo(t, srv.port);
    const lines: string[] = [];
    for (const [name, bufs, nz] of cases) {
      c.write(Buffer.concat(bufs));
      const nZ = nz ?? bufs.filter((b) => (b[0] === 0x53 && b.length === 5) || b[0] === 0x51).length;
      const msgs: any[] = [];
      for (let i = 0; i < nZ; i++) msgs.push(...(await c.untilReady(3000)));
      lines.push(`${name} => ${summarize(msgs, { rows: true, messages: true }).join(' ')}`);
    }
    console.log(t + '\n' + lines.join('\n'));
    c.end();
  }
});
