/**
 * pgjdbc's DatabaseMetaData and ResultSetMetaData (what DBeaver and DataGrip browse with) against
 * lakegres and the reference PostgreSQL 16: JdbcMetadata.java prints every result set whole and
 * the sections are compared. lakegres runs with the reference's user and database name, so that
 * catalog and owner columns can be compared as they are.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { CLIENT_DIR, JDBC_JAR, createReferenceDb, jdbcUrl, run, tempDir, type ReferenceDb, type Target } from './util.js';

let srv: TestServer;
let ref: ReferenceDb;
let classes: ReturnType<typeof tempDir>;
let lake: Record<string, string>;
let pg: Record<string, string>;

async function metadata(t: Target): Promise<Record<string, string>> {
  const url = jdbcUrl(t, { ApplicationName: 'lakegres-metadata-tests' });
  const r = await run('java', ['-Dfile.encoding=UTF-8', '-cp', `${JDBC_JAR}:${classes.dir}`, 'JdbcMetadata', url, t.user, t.password], { timeoutMs: 90_000 });
  expect(r.timedOut, `JdbcMetadata against ${t.label} timed out:\n${r.stdout}\n${r.stderr}`).toBe(false);
  expect(r.code, `JdbcMetadata against ${t.label} failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
  const sections: Record<string, string> = {};
  for (const part of r.stdout.split(/^== /m).slice(1)) {
    const nl = part.indexOf('\n');
    sections[part.slice(0, nl)] = part.slice(nl + 1);
  }
  return sections;
}

beforeAll(async () => {
  classes = tempDir('lakegres-jdbcmeta-');
  ref = await createReferenceDb('clients_jdbcmeta');
  const [compiled, server] = await Promise.all([
    run('javac', ['-encoding', 'UTF-8', '-d', classes.dir, '-cp', JDBC_JAR, path.join(CLIENT_DIR, 'JdbcMetadata.java')], { timeoutMs: 90_000 }),
    startServer({ user: ref.target.user, database: [ref.target.database] }),
  ]);
  srv = server;
  expect(compiled.code, `javac failed:\n${compiled.stdout}\n${compiled.stderr}`).toBe(0);
  [lake, pg] = await Promise.all([metadata({ ...ref.target, label: 'lakegres', port: srv.port, password: '' }), metadata(ref.target)]);
}, 240_000);
afterAll(async () => {
  await srv?.stop();
  await ref?.drop();
  classes?.remove();
});

/** The sections whose rows lakegres gives as PostgreSQL does. */
const SAME = [
  'identity',
  'getCatalogs',
  'getSchemas',
  'getSchemas all',
  'getTableTypes',
  'getTables TABLE',
  'getTables VIEW',
  'getTables any type',
  'getTables escaped name',
  'getTables SYSTEM TABLE',
  'getColumns',
  'getColumns pattern',
  'getColumns view',
  'getPrimaryKeys',
  'getImportedKeys',
  'getExportedKeys',
  'getIndexInfo',
  'getBestRowIdentifier',
  'getVersionColumns',
  'getTablePrivileges',
  'getFunctions',
  'getFunctionColumns',
  'getProcedures',
  'getProcedureColumns',
  'getFunctions user schema',
  'getClientInfoProperties',
];

describe('pgjdbc DatabaseMetaData', () => {
  it('answers every call DBeaver and DataGrip browse with as PostgreSQL does', () => {
    for (const k of SAME) expect(lake[k], k).toBe(pg[k]);
  });

  it('catalogs, schemas, tables by type, remarks', () => {
    expect(lake.getCatalogs).toBe(`table_cat=${ref.target.database}\n(1 rows)\n`);
    expect(lake['getSchemas all']).toContain('table_schem=jmeta | table_catalog=null\n');
    expect(lake['getTables TABLE']).toMatch(/table_name=orders \| table_type=TABLE \| remarks=Customer orders \|/);
    expect(lake['getTables VIEW']).toMatch(/^table_cat=null \| table_schem=jmeta \| table_name=big_orders \| table_type=VIEW \| remarks=Orders over 100 \|.*\n\(1 rows\)\n$/);
    expect(lake['getTables escaped name']).toContain('table_name=big_orders');
  });

  it('getColumns: types, sizes, digits, nullability, remarks, defaults', () => {
    const col = (name: string) => lake.getColumns!.split('\n').find((l) => l.includes(`column_name=${name} |`)) ?? '';
    expect(col('id')).toMatch(/data_type=4 \| type_name=int4 \| column_size=10 \|.* nullable=0 \|.* is_nullable=NO \|/);
    expect(col('amount')).toMatch(/data_type=2 \| type_name=numeric \| column_size=12 \| buffer_length=null \| decimal_digits=2 \|.* remarks=Order total \| column_def=0 \|/);
    expect(col('at_zone')).toMatch(/data_type=93 \| type_name=timestamptz \| column_size=35 \|/);
    expect(col('tags')).toMatch(/data_type=2003 \| type_name=_text \|/);
    expect(lake.getColumns).toContain('(15 rows)');
  });

  it('getTypeInfo: every PostgreSQL base type; no row types of relations (lake tables have none)', () => {
    const rows = (s: string) => new Set(s.split('\n').filter((l) => l.startsWith('type_name=')));
    const [l, p] = [rows(lake.getTypeInfo!), rows(pg.getTypeInfo!)];
    expect(l.size).toBeGreaterThan(200);
    for (const row of l) expect(p.has(row), row).toBe(true);
    // What PostgreSQL lists beyond lakegres: the array types of its relations' row types.
    const extra = [...p].filter((r) => !l.has(r));
    for (const row of extra) expect(row, row).toMatch(/^type_name=_\w+ \| data_type=200[23] \|/);
    expect(extra.some((r) => r.startsWith('type_name=_orders |'))).toBe(true);
    expect(lake.getUDTs).toBe('(0 rows)\n');
    expect(pg.getUDTs).toContain('type_name=orders');
  });

  it('ResultSetMetaData: table names, nullability and type names of lake columns', () => {
    const lines = (s: string) => s.trim().split('\n');
    const [l, p] = [lines(lake.ResultSetMetaData!), lines(pg.ResultSetMetaData!)];
    expect(l.length).toBe(7);
    for (let i = 0; i < l.length; i++) {
      // numeric arithmetic has DuckDB's result type: decimal(18,2) where PostgreSQL's is unconstrained.
      if (l[i]!.startsWith('twice:')) expect(l[i]).toBe('twice: table= schema= base=twice nullable=2 type=numeric/2 class=java.math.BigDecimal precision=18 scale=2 display=20 auto=false signed=true case=false');
      else expect(l[i]).toBe(p[i]);
    }
    expect(l[0]).toContain('id: table=orders schema= base=id nullable=0 type=int4/4');
    expect(l[3]).toContain('sku: table=items schema= base=sku nullable=0 type=text/12');
  });

  it('getFunctionColumns/getProcedureColumns: arguments parsed from pg_proc.proargtypes (oidvector text)', () => {
    expect(lake.getFunctionColumns).toContain('function_name=pg_get_viewdef');
    expect(lake.getFunctionColumns).toContain('column_name=returnValue');
    expect(lake.getProcedureColumns).toContain('procedure_name=pg_get_keywords');
    expect(lake.getProcedureColumns).not.toMatch(/^failed /);
  });
});
