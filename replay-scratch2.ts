import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LakegresServer } from '/work/main/src/server/server.ts';
import { resolveConfig } from '/work/main/src/config/options.ts';
import { silentLogger } from '/work/main/src/util/log.ts';
import { RawClient, serialize as S } from '/work/main/test/helpers/raw-client.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'lgrepro-'));
const config = { ...resolveConfig({ port: 0, dataDir, logLevel: 'silent' }, {}), dataDir };
const server = await LakegresServer.start(config, silentLogger);
const port = server.port;
const mode = process.argv[2];
for (let i = 0; i < 20; i++) {
  const c = await RawClient.connect({ port });
  const q = "select i, hash(repeat('x', 20000) || i::varchar) as h from range(200000) t(i)";
  if (mode === 'suspend') {
    c.write(Buffer.concat([S.parse({ text: q }), S.bind({}), S.execute({ rows: 1 }), S.flush()]));
    await c.next(); await c.next(); await c.next(); await c.next();
  } else {
    c.write(S.query(q));
    await c.next();
  }
  c.socket.destroy();
  await new Promise((r) => setTimeout(r, 5 + i));
  console.log('iter', i);
}
await new Promise((r) => setTimeout(r, 2000));
console.log('survived');
await server.shutdown(0);
