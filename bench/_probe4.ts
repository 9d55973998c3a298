import { DuckDBConnection, DuckDBPreparedStatement, DuckDBExtractedStatements } from '@duckdb/node-api';
import pg from 'pg';
import { mkdtempSync } from 'node:fs';
import { LakegresServer } from '../src/server/server.js';
import { resolveConfig } from '../src/config/options.js';
import { silentLogger } from '../src/util/log.js';
const log: string[] = []; let on = false;
for (const m of ['run', 'runAndReadAll', 'runAndRead', 'stream', 'prepare', 'extractStatements', 'start', 'startStream', 'streamAndReadAll']) {
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
await c.query('SELECT 1');
await c.query('create table tt (a bigint, b text)');
for (const q of process.argv.slice(2)) {
  on = true; log.length = 0;
  const t = performance.now();
  await c.query(q);
  const ms = performance.now() - t;
  on = false;
  console.log(`=== ${q}: ${ms.toFixed(1)} ms, ${log.length} DuckDB calls`);
  for (const l of log) console.log('   ', l);
}
await c.end();
await server.shutdown(0);
