import { spawn } from 'node:child_process';
import pg from 'pg';
import { mkdtempSync } from 'node:fs';
import { countRows } from './pgwire.js';
const dir = mkdtempSync('/tmp/lgprof/d');
const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/lgprof', 'node_modules/.cache/lakegres-bench/cli.mjs', '--port', '0', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
const port: number = await new Promise((r) => child.stdout!.on('data', (d) => { out += d; const m = /"port":(\d+)[^\n]*listening/.exec(out); if (m) r(Number(m[1])); }));
const c = new pg.Client({ host: '127.0.0.1', port, user: 'lakegres', database: 'lake' });
await c.connect();
await c.query(`create table s as select i::bigint as a, (i*1.5)::decimal(15,2) as b, date '2020-01-01' + (i % 1000)::int as d, md5(i::varchar) as t from range(500000) t(i)`);
for (const bin of [false, true]) {
  const t = performance.now();
  const r = await countRows(c, 'select * from s', bin);
  console.log(bin ? 'binary' : 'text', r.rows, ((performance.now() - t)).toFixed(0), 'ms', r.firstRowMs.toFixed(1));
}
for (const q of ['select a from s', 'select b from s', 'select d from s', 'select t from s']) {
  const t = performance.now();
  const r = await countRows(c, q, false);
  console.log(q, r.rows, ((performance.now() - t)).toFixed(0), 'ms');
}
await c.end();
child.kill('SIGINT');
await new Promise((r) => child.on('exit', r));
