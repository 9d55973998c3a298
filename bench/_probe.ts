import { readFileSync } from 'node:fs';
import { startLakegres } from './systems.js';
const s = await startLakegres();
const c = await s.client();
const cpu = () => { const f = readFileSync(`/proc/${s.pid}/stat`, 'utf8').slice(readFileSync(`/proc/${s.pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
for (const q of ['SELECT 1', 'SELECT 1', 'SELECT 1']) {
  const c0 = cpu(); const t0 = performance.now();
  for (let i = 0; i < 300; i++) await c.query(q);
  const ms = performance.now() - t0;
  console.log(q, (ms / 300).toFixed(2), 'ms/query; server cpu ms/query', ((cpu() - c0) / 300).toFixed(2));
}
await c.query('create table tt (a bigint, b text)');
for (let k = 0; k < 4; k++) {
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) await c.query(`insert into tt values (${i}, 'x'), (${i+1}, 'y')`);
  console.log('autocommit insert ms', ((performance.now() - t0) / 20).toFixed(1));
}
await c.query('begin');
for (let k = 0; k < 4; k++) {
  const c0 = cpu(); const t0 = performance.now();
  for (let i = 0; i < 20; i++) await c.query(`insert into tt values (${i}, 'x'), (${i+1}, 'y')`);
  console.log('in-tx insert ms', ((performance.now() - t0) / 20).toFixed(1), 'cpu', ((cpu() - c0) / 20).toFixed(1));
}
const t0 = performance.now(); await c.query('commit'); console.log('commit', performance.now() - t0);
for (const q of ['SELECT 1', 'SELECT count(*) FROM tt']) {
  const c0 = cpu(); const t0 = performance.now();
  for (let i = 0; i < 100; i++) await c.query(q);
  console.log(q, ((performance.now() - t0) / 100).toFixed(2), 'ms/query; cpu', ((cpu() - c0) / 100).toFixed(2));
}
await c.end(); await s.stop();
