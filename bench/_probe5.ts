import { startLakegres, startDuck } from './systems.js';
import { tpchSpecs } from './data.js';
import { TPCH_QUERIES } from './workloads/tpch.js';
import { readdirSync } from 'node:fs';
const lg = await startLakegres();
const duck = await startDuck();
const c = await lg.client();
for (const t of tpchSpecs(1_000_000)) {
  if (t.via === 'ctas') await c.query(`CREATE TABLE ${t.name} AS ${t.gen}`);
  else { await c.query(`CREATE TABLE ${t.name} (${t.columns})`); await c.query(`INSERT INTO ${t.name} ${t.gen}`); }
  let files: string[] = [];
  try { files = readdirSync(`${lg.dataDir}/data/main/${t.name}`).map((f) => `'${lg.dataDir}/data/main/${t.name}/${f}'`); } catch {}
  if (files.length) await duck.conn.run(`CREATE VIEW ${t.name} AS SELECT * FROM read_parquet([${files.join(',')}])`);
  else await duck.conn.run(`CREATE TABLE ${t.name} AS ${t.gen}`);
}
const q5 = TPCH_QUERIES[2]!.sql;
for (let i = 0; i < 3; i++) {
  let t = performance.now(); await c.query(q5); const a = performance.now() - t;
  t = performance.now(); await duck.conn.run(q5); const b = performance.now() - t;
  console.log('lakegres', a.toFixed(0), 'duck parquet', b.toFixed(0));
}
const r = await c.query('EXPLAIN ANALYZE ' + q5);
console.log(r.rows.map((x: any) => Object.values(x).join('\n')).join('\n').slice(0, 9000));
const d = await duck.conn.runAndReadAll('EXPLAIN ANALYZE ' + q5);
console.log(String(d.getRows()[0]![1]).slice(0, 9000));
await c.end(); await lg.stop(); duck.close();
