import { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import pg from 'pg';
import { mkdtempSync } from 'node:fs';
import { LakegresServer } from '../src/server/server.js';
import { resolveConfig } from '../src/config/options.js';
import { silentLogger } from '../src/util/log.js';
const log: string[] = []; let on = false;
for (const m of ['runAndReadAll', 'stream', 'prepare', 'extractStatements', 'run']) {
  const orig = (DuckDBConnection.prototype as any)[m];
  (DuckDBConnection.prototype as any)[m] = async function (...a: any[]) { const t = performance.now(); try { return await orig.apply(this, a); } finally { if (on) log.push(`${m} ${(performance.now() - t).toFixed(2)}ms ${String(a[0]).replace(/\s+/g, ' ').slice(0, 140)}`); } };
}
for (const m of ['run', 'stream', 'runAndReadAll', 'start', 'startStream']) {
  const orig = (DuckDBPreparedStatement.prototype as any)[m];
  if (!orig) continue;
  (DuckDBPreparedStatement.prototype as any)[m] = async function (...a: any[]) { const t = performance.now(); try { return await orig.apply(this, a); } finally { if (on) log.push(`prepared.${m} ${(performance.now() - t).toFixed(2)}ms`); } };
}
const dir = mkdtempSync('/tmp/lgprof/x');
const server = await LakegresServer.start(resolveConfig({ port: 0, dataDir: dir, logLevel: 'silent' }, {}), silentLogger);
const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'lakegres', database: 'lake' });
await c.connect();
for (const [label, q] of [['named', { name: 'n1', text: 'SELECT $1::int', values: [1] }], ['named', { name: 'n1', text: 'SELECT $1::int', values: [2] }], ['named', { name: 'n1', text: 'SELECT $1::int', values: [3] }], ['unnamed', { text: 'SELECT $1::int', values: [3] }], ['unnamed', { text: 'SELECT $1::int', values: [4] }]] as const) {
  on = true; log.length = 0;
  const t = performance.now();
  await c.query(q as any);
  const ms = performance.now() - t;
  on = false;
  console.log(`=== ${label}: ${ms.toFixed(1)} ms, ${log.length} DuckDB calls`);
  for (const l of log) console.log('   ', l);
}
for (const label of ['named', 'unnamed']) {
  const t = performance.now();
  for (let i = 0; i < 300; i++) await c.query(label === 'named' ? { name: 'n1', text: 'SELECT $1::int', values: [i] } : { text: 'SELECT $1::int', values: [i] });
  console.log(label, ((performance.now() - t) / 300).toFixed(2), 'ms/query');
}
await c.end();
await server.shutdown(0);
