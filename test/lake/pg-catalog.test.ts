/**
 * The PostgreSQL catalog backend against the real PostgreSQL of the global setup: the catalog
 * lakegres bootstraps there is the one the DuckLake extension creates, lakes written through it
 * match the extension's catalog rows, lakes the extension wrote read back exactly from it, several
 * lakegres servers share one catalog safely, and bad catalogs are refused clearly and quickly.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { referencePort, startServer, type TestServer } from '../helpers/server.js';
import { expectedLines, fixtureCases, fixtureNames, FIXTURES_DIR, makeStatements } from '../helpers/fixtures.js';
import {
  copyCatalogToPostgres,
  duckCatalogTables,
  InlinedValueNormaliser,
  isInlinedDataTable,
  maskedRows,
  pgCatalogTables,
  pgColumnTypes,
  pgInlinedType,
  scratchDatabase,
  type ScratchDatabase,
} from '../helpers/pg-catalog.js';
import { splitStatements } from '../../src/sql/lexer.js';

/** Fixtures whose make.sql needs no DELETE/UPDATE/maintenance. */
const WRITTEN_BY_LAKEGRES = ['basic', 'nested', 'partitioned', 'schema_evolution', 'types'];

/**
 * What the DuckLake extension (v1.5-variegata, format 1.0) leaves in PostgreSQL when it creates a
 * catalog: 28 tables, columns in this order. The extension declares DuckDB types and DuckDB's
 * postgres extension creates them as bigint (int8), varchar without length, boolean (bool), uuid
 * and timestamptz. "!" marks NOT NULL columns, "*" the single-column primary key of a table (the
 * only constraints: five primary keys, no foreign keys, no unique constraints, no defaults).
 */
const EXPECTED_CATALOG: Record<string, string> = {
  ducklake_metadata: 'key varchar!, value varchar!, scope varchar, scope_id int8',
  ducklake_snapshot: 'snapshot_id int8*, snapshot_time timestamptz, schema_version int8, next_catalog_id int8, next_file_id int8',
  ducklake_snapshot_changes: 'snapshot_id int8*, changes_made varchar, author varchar, commit_message varchar, commit_extra_info varchar',
  ducklake_schema: 'schema_id int8*, schema_uuid uuid, begin_snapshot int8, end_snapshot int8, schema_name varchar, path varchar, path_is_relative bool',
  ducklake_table: 'table_id int8, table_uuid uuid, begin_snapshot int8, end_snapshot int8, schema_id int8, table_name varchar, path varchar, path_is_relative bool',
  ducklake_view: 'view_id int8, view_uuid uuid, begin_snapshot int8, end_snapshot int8, schema_id int8, view_name varchar, dialect varchar, sql varchar, column_aliases varchar',
  ducklake_tag: 'object_id int8, begin_snapshot int8, end_snapshot int8, key varchar, value varchar',
  ducklake_column_tag: 'table_id int8, column_id int8, begin_snapshot int8, end_snapshot int8, key varchar, value varchar',
  ducklake_data_file:
    'data_file_id int8*, table_id int8, begin_snapshot int8, end_snapshot int8, file_order int8, path varchar, path_is_relative bool, file_format varchar, record_count int8, file_size_bytes int8, footer_size int8, row_id_start int8, partition_id int8, encryption_key varchar, mapping_id int8, partial_max int8',
  ducklake_file_column_stats:
    'data_file_id int8, table_id int8, column_id int8, column_size_bytes int8, value_count int8, null_count int8, min_value varchar, max_value varchar, contains_nan bool, extra_stats varchar',
  ducklake_file_variant_stats:
    'data_file_id int8, table_id int8, column_id int8, variant_path varchar, shredded_type varchar, column_size_bytes int8, value_count int8, null_count int8, min_value varchar, max_value varchar, contains_nan bool, extra_stats varchar',
  ducklake_delete_file:
    'delete_file_id int8*, table_id int8, begin_snapshot int8, end_snapshot int8, data_file_id int8, path varchar, path_is_relative bool, format varchar, delete_count int8, file_size_bytes int8, footer_size int8, encryption_key varchar, partial_max int8',
  ducklake_column:
    'column_id int8, begin_snapshot int8, end_snapshot int8, table_id int8, column_order int8, column_name varchar, column_type varchar, initial_default varchar, default_value varchar, nulls_allowed bool, parent_column int8, default_value_type varchar, default_value_dialect varchar',
  ducklake_table_stats: 'table_id int8, record_count int8, next_row_id int8, file_size_bytes int8',
  ducklake_table_column_stats: 'table_id int8, column_id int8, contains_null bool, contains_nan bool, min_value varchar, max_value varchar, extra_stats varchar',
  ducklake_partition_info: 'partition_id int8, table_id int8, begin_snapshot int8, end_snapshot int8',
  ducklake_partition_column: 'partition_id int8, table_id int8, partition_key_index int8, column_id int8, transform varchar',
  ducklake_file_partition_value: 'data_file_id int8, table_id int8, partition_key_index int8, partition_value varchar',
  ducklake_files_scheduled_for_deletion: 'data_file_id int8, path varchar, path_is_relative bool, schedule_start timestamptz',
  ducklake_inlined_data_tables: 'table_id int8, table_name varchar, schema_version int8',
  ducklake_column_mapping: 'mapping_id int8, table_id int8, type varchar',
  ducklake_name_mapping: 'mapping_id int8, column_id int8, source_name varchar, target_field_id int8, parent_column int8, is_partition bool',
  ducklake_schema_versions: 'begin_snapshot int8, schema_version int8, table_id int8',
  ducklake_macro: 'schema_id int8, macro_id int8, macro_name varchar, begin_snapshot int8, end_snapshot int8',
  ducklake_macro_impl: 'macro_id int8, impl_id int8, dialect varchar, sql varchar, type varchar',
  ducklake_macro_parameters: 'macro_id int8, impl_id int8, column_id int8, parameter_name varchar, parameter_type varchar, default_value varchar, default_value_type varchar',
  ducklake_sort_info: 'sort_id int8, table_id int8, begin_snapshot int8, end_snapshot int8',
  ducklake_sort_expression: 'sort_id int8, table_id int8, sort_key_index int8, expression varchar, dialect varchar, sort_direction varchar, null_order varchar',
};

/** information_schema.columns.data_type of each udt_name used above. */
const DATA_TYPE: Record<string, string> = { int8: 'bigint', varchar: 'character varying', bool: 'boolean', uuid: 'uuid', timestamptz: 'timestamp with time zone' };

/** The physical layout of the ducklake_* tables of a schema, in the notation of EXPECTED_CATALOG. */
async function catalogLayout(c: pg.Client, schema: string): Promise<Record<string, string>> {
  const cols = await c.query<{ table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string; character_maximum_length: number | null; column_default: string | null }>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, character_maximum_length, column_default
     FROM information_schema.columns WHERE table_schema = $1 AND table_name LIKE 'ducklake\\_%' ORDER BY table_name, ordinal_position`,
    [schema],
  );
  const pks = await c.query<{ table_name: string; column_name: string }>(
    `SELECT tc.table_name, k.column_name FROM information_schema.table_constraints tc
     JOIN information_schema.key_column_usage k ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name
     WHERE tc.table_schema = $1 AND tc.constraint_type = 'PRIMARY KEY'`,
    [schema],
  );
  const pk = new Set(pks.rows.map((r) => `${r.table_name}.${r.column_name}`));
  const out: Record<string, string[]> = {};
  for (const r of cols.rows) {
    if (/^ducklake_inlined_(data_\d+_\d+|delete_\d+)$/.test(r.table_name)) continue;
    // Every column must be what its udt_name says, a VARCHAR without length, without default.
    expect({ column: `${r.table_name}.${r.column_name}`, data_type: r.data_type, length: r.character_maximum_length, default: r.column_default }).toEqual({
      column: `${r.table_name}.${r.column_name}`,
      data_type: DATA_TYPE[r.udt_name] ?? `(unexpected ${r.udt_name})`,
      length: null,
      default: null,
    });
    const isPk = pk.has(`${r.table_name}.${r.column_name}`);
    // A primary key column is NOT NULL in PostgreSQL by definition; "*" implies it.
    const mark = isPk ? '*' : r.is_nullable === 'NO' ? '!' : '';
    (out[r.table_name] ??= []).push(`${r.column_name} ${r.udt_name}${mark}`);
  }
  return Object.fromEntries(Object.entries(out).map(([t, c]) => [t, c.join(', ')]));
}

async function otherConstraints(c: pg.Client, schema: string): Promise<string[]> {
  const r = await c.query<{ table_name: string; constraint_type: string }>(
    `SELECT table_name, constraint_type FROM information_schema.table_constraints WHERE table_schema = $1 AND constraint_type NOT IN ('PRIMARY KEY', 'CHECK')`,
    [schema],
  );
  // (PostgreSQL reports NOT NULL columns as CHECK constraints in information_schema; those are covered above.)
  return r.rows.map((x) => `${x.table_name}:${x.constraint_type}`);
}

async function utcClient(server: TestServer): Promise<pg.Client> {
  return server.client({ options: '-c TimeZone=UTC' });
}

async function runCases(client: pg.Client, fixture: string): Promise<{ name: string; got: string[]; want: string[] }[]> {
  const out = [];
  for (const c of fixtureCases(fixture)) {
    const r = await client.query({ text: `SELECT to_json(q)::VARCHAR AS j FROM (${c.sql}) q`, rowMode: 'array' });
    out.push({ name: c.name, got: r.rows.map((row: unknown[]) => String(row[0])), want: expectedLines(fixture, c) });
  }
  return out;
}

async function expectCases(server: TestServer, fixture: string): Promise<void> {
  const client = await utcClient(server);
  for (const r of await runCases(client, fixture)) expect({ fixture, case: r.name, rows: r.got }).toEqual({ fixture, case: r.name, rows: r.want });
}

function tempDir(label: string): string {
  return mkdtempSync(path.join(tmpdir(), `lakegres-pgcat-${label}-`));
}

/** Resources of one test, released in reverse order whatever happens. */
class Scope {
  private readonly cleanups: (() => Promise<void> | void)[] = [];
  add(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn);
  }
  async database(): Promise<ScratchDatabase> {
    const db = await scratchDatabase();
    this.add(() => db.drop());
    return db;
  }
  dir(label: string): string {
    const d = tempDir(label);
    this.add(() => rmSync(d, { recursive: true, force: true }));
    return d;
  }
  async server(overrides: Parameters<typeof startServer>[0]): Promise<TestServer> {
    const s = await startServer(overrides);
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await s.stop();
    };
    this.add(stop);
    return { ...s, stop };
  }
  async close(): Promise<void> {
    for (const fn of this.cleanups.reverse()) await Promise.resolve(fn()).catch(() => undefined);
    this.cleanups.length = 0;
  }
}

async function withScope<T>(fn: (scope: Scope) => Promise<T>): Promise<T> {
  const scope = new Scope();
  try {
    return await fn(scope);
  } finally {
    await scope.close();
  }
}

describe('bootstrapping a PostgreSQL catalog', () => {
  it('creates exactly the tables, columns, types, constraints and rows the extension creates', () =>
    withScope(async (scope) => {
      const db = await scope.database();
      const dataPath = scope.dir('boot-data');
      const before = Date.now();
      const server = await scope.server({ catalog: db.url, dataPath });
      await server.stop();
      const c = await db.client();

      expect(await catalogLayout(c, 'public')).toEqual(EXPECTED_CATALOG);
      expect(await otherConstraints(c, 'public')).toEqual([]);
      // Nothing else: no inlined tables, no sequences, no views, no other schema.
      const rels = await c.query(`SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind NOT IN ('i') ORDER BY 2`);
      expect(rels.rows.map((r) => `${r.nspname}.${r.relname}:${r.relkind}`)).toEqual(Object.keys(EXPECTED_CATALOG).sort().map((t) => `public.${t}:r`));

      // Bootstrap rows.
      const snap = await c.query(`SELECT snapshot_id, EXTRACT(EPOCH FROM snapshot_time) * 1000 AS ms, schema_version, next_catalog_id, next_file_id FROM ducklake_snapshot`);
      expect(snap.rows.map((r) => [r.snapshot_id, r.schema_version, r.next_catalog_id, r.next_file_id])).toEqual([['0', '0', '1', '0']]);
      expect(Number(snap.rows[0].ms)).toBeGreaterThanOrEqual(before - 60_000);
      expect(Number(snap.rows[0].ms)).toBeLessThanOrEqual(Date.now() + 60_000);
      const changes = await c.query({ text: 'SELECT * FROM ducklake_snapshot_changes', rowMode: 'array' });
      expect(changes.rows).toEqual([['0', 'created_schema:"main"', null, null, null]]);
      const meta = await c.query<{ key: string; value: string; scope: string | null; scope_id: string | null }>('SELECT key, value, scope, scope_id FROM ducklake_metadata ORDER BY key');
      expect(meta.rows.map((r) => r.key)).toEqual(['created_by', 'data_path', 'encrypted', 'version']);
      for (const r of meta.rows) expect({ key: r.key, scope: r.scope, scope_id: r.scope_id }).toEqual({ key: r.key, scope: null, scope_id: null });
      const kv = Object.fromEntries(meta.rows.map((r) => [r.key, r.value]));
      expect(kv.version).toBe('1.0');
      expect(kv.encrypted).toBe('false');
      expect(kv.created_by).toMatch(/\S/);
      expect(kv.data_path).toBe(path.resolve(dataPath) + '/');
      const schema = await c.query({ text: 'SELECT schema_id, schema_uuid IS NOT NULL, begin_snapshot, end_snapshot, schema_name, path, path_is_relative FROM ducklake_schema', rowMode: 'array' });
      expect(schema.rows).toEqual([['0', true, '0', null, 'main', 'main/', true]]);
      for (const t of Object.keys(EXPECTED_CATALOG)) {
        if (['ducklake_snapshot', 'ducklake_snapshot_changes', 'ducklake_metadata', 'ducklake_schema'].includes(t)) continue;
        const n = await c.query(`SELECT count(*)::int AS n FROM ${t}`);
        expect({ table: t, rows: n.rows[0].n }).toEqual({ table: t, rows: 0 });
      }

      // A second start finds the catalog and does not bootstrap again.
      const uuid = (await c.query('SELECT schema_uuid::text AS u FROM ducklake_schema')).rows[0].u;
      const again = await scope.server({ catalog: db.url, dataPath });
      await again.stop();
      expect((await c.query('SELECT count(*)::int AS n FROM ducklake_snapshot')).rows[0].n).toBe(1);
      expect((await c.query('SELECT schema_uuid::text AS u FROM ducklake_schema')).rows[0].u).toBe(uuid);
    }));

  it('puts everything into the metadata schema, records nothing about it, and keeps lakes of different schemas apart', () =>
    withScope(async (scope) => {
      const db = await scope.database();
      const dataA = scope.dir('schema-a');
      const dataB = scope.dir('schema-b');
      const a = await scope.server({ catalog: db.url, metadataSchema: 'lake_meta', dataPath: dataA });
      const ca = await a.client();
      await ca.query('CREATE TABLE t (id INTEGER, s VARCHAR)');
      await ca.query("INSERT INTO t VALUES (1, 'one'), (2, NULL)");
      await a.stop();

      const c = await db.client();
      expect(await catalogLayout(c, 'lake_meta')).toMatchObject(EXPECTED_CATALOG);
      // The extension creates the schema (CREATE SCHEMA IF NOT EXISTS) and every table in it,
      // including the inlined data table; the default schema stays untouched.
      const where = await c.query(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_name LIKE 'ducklake\\_%' ORDER BY 1, 2`);
      expect(new Set(where.rows.map((r) => r.table_schema))).toEqual(new Set(['lake_meta']));
      expect(where.rows.map((r) => r.table_name)).toContain('ducklake_inlined_data_1_1');
      expect(where.rows).toHaveLength(Object.keys(EXPECTED_CATALOG).length + 1);
      // The metadata schema is an ATTACH option of the extension, not a catalog setting: the
      // metadata rows are the same four global keys as in the default schema.
      const meta = await c.query('SELECT key, scope, scope_id FROM lake_meta.ducklake_metadata ORDER BY key');
      expect(meta.rows).toEqual(['created_by', 'data_path', 'encrypted', 'version'].map((key) => ({ key, scope: null, scope_id: null })));
      expect((await c.query(`SELECT value FROM lake_meta.ducklake_metadata WHERE key = 'data_path'`)).rows[0].value).toBe(path.resolve(dataA) + '/');

      // A second lake in another schema of the same database is a lake of its own.
      const b = await scope.server({ catalog: db.url, metadataSchema: 'other_meta', dataPath: dataB });
      const cb = await b.client();
      expect((await cb.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 't'`)).rows[0].n).toBe(0);
      await cb.query('CREATE TABLE u (x INTEGER)');
      await b.stop();
      expect((await c.query('SELECT max(snapshot_id)::int AS n FROM other_meta.ducklake_snapshot')).rows[0].n).toBe(1);
      expect((await c.query('SELECT max(snapshot_id)::int AS n FROM lake_meta.ducklake_snapshot')).rows[0].n).toBe(2);

      // Reopening the first schema finds its data.
      const a2 = await scope.server({ catalog: db.url, metadataSchema: 'lake_meta', dataPath: dataA });
      const r = await (await a2.client()).query({ text: 'SELECT id, s FROM t ORDER BY id', rowMode: 'array' });
      expect(r.rows).toEqual([
        [1, 'one'],
        [2, null],
      ]);
    }));
});

describe('make.sql through lakegres on a PostgreSQL catalog', () => {
  let normaliser: InlinedValueNormaliser;
  beforeAll(async () => {
    normaliser = await InlinedValueNormaliser.create();
  });
  afterAll(() => normaliser?.close());

  for (const fixture of WRITTEN_BY_LAKEGRES) {
    it(`writes the extension's catalog rows for ${fixture} and answers its cases`, () =>
      withScope(async (scope) => {
        const db = await scope.database();
        const dataPath = scope.dir(`make-${fixture}`);
        const server = await scope.server({ catalog: db.url, dataPath });
        const client = await utcClient(server);
        for (const slice of splitStatements(makeStatements(fixture))) {
          if (/^\s*(USE|ATTACH)\b/i.test(slice.text)) continue;
          await client.query(slice.text);
        }
        await server.stop();

        const c = await db.client();
        const ours = await pgCatalogTables(c, 'public');
        const theirs = await duckCatalogTables(path.join(FIXTURES_DIR, fixture, 'metadata.ducklake'));
        expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());

        // Inlined data tables carry the PostgreSQL types the extension gives them there.
        for (const [t, table] of theirs) {
          if (!isInlinedDataTable(t)) continue;
          const want = table.columns.map((col) => `${col.name} ${['row_id', 'begin_snapshot', 'end_snapshot'].includes(col.name) ? 'int8' : pgInlinedType(col.type)}`);
          expect({ table: t, columns: await pgColumnTypes(c, 'public', t) }).toEqual({ table: t, columns: want });
        }

        // Normalisation (the only one): user columns of inlined data tables are stored the
        // PostgreSQL way (strings/JSON/blobs as bytea, dates, timestamps, wide integers and
        // nested values as text, the rest native), so both sides are compared as DuckDB's text
        // of the value, which is what the extension reads back by casting to the column type.
        const duckTypes = new Map<string, string>();
        for (const [t, table] of theirs) if (isInlinedDataTable(t)) for (const col of table.columns) duckTypes.set(`${t}.${col.name}`, col.type);
        for (const [t, table] of ours) {
          if (!isInlinedDataTable(t)) continue;
          for (const row of table.rows) {
            for (const [i, col] of table.columns.entries()) {
              const duckType = duckTypes.get(`${t}.${col.name}`);
              if (!duckType || ['row_id', 'begin_snapshot', 'end_snapshot'].includes(col.name)) continue;
              row[i] = await normaliser.normalise(row[i]!, col.type, duckType);
            }
          }
        }
        const oursMasked = maskedRows(ours);
        for (const [table, rows] of maskedRows(theirs)) expect({ table, rows: oursMasked.get(table) }).toEqual({ table, rows });

        const again = await scope.server({ catalog: db.url, dataPath });
        await expectCases(again, fixture);
      }));
  }
});

describe('DELETE and UPDATE through lakegres on a PostgreSQL catalog', () => {
  // The row order of the files an UPDATE writes is not deterministic (neither is the
  // extension's), so the positions in delete files may differ from the fixture's: these replays
  // compare answers, and the catalog layout of the inlined deletions.
  for (const fixture of ['deletes_updates', 'time_travel']) {
    it(`replays ${fixture} and answers its cases`, () =>
      withScope(async (scope) => {
        const db = await scope.database();
        const dataPath = scope.dir(`dml-${fixture}`);
        const server = await scope.server({ catalog: db.url, dataPath });
        const client = await utcClient(server);
        for (const slice of splitStatements(makeStatements(fixture))) {
          if (/^\s*(USE|ATTACH)\b/i.test(slice.text)) continue;
          await client.query(slice.text);
        }
        await expectCases(server, fixture);
        await server.stop();
        const c = await db.client();
        const theirs = await duckCatalogTables(path.join(FIXTURES_DIR, fixture, 'metadata.ducklake'));
        const ours = await pgCatalogTables(c, 'public');
        expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
        for (const t of ours.keys()) if (/^ducklake_inlined_delete_\d+$/.test(t)) expect(await pgColumnTypes(c, 'public', t)).toEqual(['file_id int8', 'row_id int8', 'begin_snapshot int8']);
        const again = await scope.server({ catalog: db.url, dataPath });
        await expectCases(again, fixture);
      }));
  }
});

describe('fixture lakes read from a PostgreSQL catalog', () => {
  for (const fixture of fixtureNames()) {
    it(`answers every case of ${fixture} exactly`, () =>
      withScope(async (scope) => {
        const db = await scope.database();
        const dataPath = path.join(scope.dir(`read-${fixture}`), 'data');
        // (types has no data directory: all its rows are inlined in the catalog)
        if (existsSync(path.join(FIXTURES_DIR, fixture, 'data'))) cpSync(path.join(FIXTURES_DIR, fixture, 'data'), dataPath, { recursive: true });
        else mkdirSync(dataPath);
        const boot = await scope.server({ catalog: db.url, dataPath });
        await boot.stop();
        const c = await db.client();
        await copyCatalogToPostgres(path.join(FIXTURES_DIR, fixture, 'metadata.ducklake'), c, 'public');
        // The catalog now records the fixture's original data path; the override points at the copy.
        expect((await c.query(`SELECT value FROM ducklake_metadata WHERE key = 'data_path'`)).rows[0].value).toBe(`/lakefixture/${fixture}/data/`);
        const server = await scope.server({ catalog: db.url, dataPath });
        await expectCases(server, fixture);
      }));
  }
});

/** Columns and rows (≤ 10, so inlined) whose values are easy to get wrong in a catalog's encoding. */
const TRICKY_COLUMNS = `id INTEGER, s VARCHAR, b BOOLEAN, f FLOAT, d DOUBLE, bl BLOB, iv INTERVAL, tz TIMETZ, l VARCHAR[], st STRUCT(a VARCHAR, "b c" INTEGER[]), m MAP(VARCHAR, VARCHAR), j JSON, u64 UBIGINT, h HUGEINT, ts TIMESTAMP_NS, dec DECIMAL(38,10), t TIME, i8 TINYINT, u32 UINTEGER, dt DATE, tstz TIMESTAMPTZ, u UUID`;
const TRICKY_ROWS = [
  `(1, 'a' || chr(1) || 'b', NULL, -0.0, 'nan', '\\x00\\x5C\\x27abc'::BLOB, INTERVAL '100 hours 3 microseconds', TIMETZ '23:59:59.5-15:59', ['x,y', NULL, 'it''s', '[', '', 'NULL'], {'a': 'q"uo''te', 'b c': [1, NULL]}, MAP {'k=1': 'v,2', 'e': NULL}, '{"x": "a\\u0000b"}', 18446744073709551615, -170141183460469231731687303715884105728, TIMESTAMP_NS '1677-09-22 00:00:00.000000001', 0.0000000001, TIME '24:00:00', -128, 4294967295, DATE '-infinity', TIMESTAMPTZ '1970-01-01 00:00:00.000001+00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')`,
  `(2, 'Zoë ✓ \\ "', true, 'inf', '-inf', ''::BLOB, INTERVAL '-2 months 3 days -1 second', TIMETZ '00:00:00+15:59', [], {'a': NULL, 'b c': NULL}, MAP {}, 'null', 0, 170141183460469231731687303715884105727, TIMESTAMP_NS '2262-04-11 23:47:16.854775806', -1234567890123456789012345678.0123456789, TIME '00:00:00.000001', 127, 0, DATE '5877642-06-25', TIMESTAMPTZ '2262-01-01 12:00:00+05:30', '00000000-0000-0000-0000-000000000000')`,
  `(3, NULL, false, 3.4028235e38, 0.30000000000000004, NULL, INTERVAL '0 seconds', NULL, [NULL], {'a': '', 'b c': []}, MAP {'': ''}, '[]', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
];

describe('inlined rows in a PostgreSQL catalog', () => {
  it('round-trip tricky values exactly as a DuckDB-file catalog does', () =>
    withScope(async (scope) => {
      const results: string[][] = [];
      const db = await scope.database();
      // Session defaults of the catalog database must not leak into the values lakegres reads.
      const admin = await db.client();
      for (const setting of ['extra_float_digits = 0', `intervalstyle = 'sql_standard'`, `datestyle = 'SQL, DMY'`, `timezone = 'Asia/Kolkata'`, `bytea_output = 'escape'`])
        await admin.query(`ALTER DATABASE "${db.name}" SET ${setting}`);
      for (const overrides of [{}, { catalog: db.url, dataPath: scope.dir('tricky') }]) {
        const server = await scope.server(overrides);
        const client = await utcClient(server);
        await client.query(`CREATE TABLE t (${TRICKY_COLUMNS})`);
        await client.query(`INSERT INTO t VALUES ${TRICKY_ROWS.join(', ')}`);
        const r = await client.query({ text: 'SELECT to_json(q)::VARCHAR FROM (SELECT * FROM t ORDER BY id) q', rowMode: 'array' });
        results.push(r.rows.map((row: unknown[]) => String(row[0])));
        await server.stop();
      }
      const c = await db.client();
      expect((await c.query('SELECT count(*)::int AS n FROM ducklake_inlined_data_1_1')).rows[0].n).toBe(3);
      expect(results[1]![2]).toContain('"d":0.30000000000000004');
      expect(results[1]).toEqual(results[0]);
      // A NULL boolean stays NULL, mixed-sign intervals, offsets and extreme values survive PostgreSQL.
      const [r1, r2] = results[1]!;
      for (const part of ['"b":null', '"iv":"100:00:00.000003"', '"tz":"23:59:59.5-15:59"', '"f":0.0', '"d":NaN', '"dt":"-infinity"', '"h":-170141183460469231731687303715884105728'])
        expect(r1).toContain(part);
      for (const part of ['"iv":"-2 months 3 days -00:00:01"', '"tz":"00:00:00+15:59"', '"h":170141183460469231731687303715884105727', '"dt":"5877642-06-25"', '"u64":0', '"f":Infinity'])
        expect(r2).toContain(part);
    }));

  it('reads strings with NUL bytes (stored as bytea by the extension) and writes them on a DuckDB catalog', () =>
    withScope(async (scope) => {
      const db = await scope.database();
      const dataPath = scope.dir('nul');
      const writer = await scope.server({ catalog: db.url, dataPath });
      const wc = await writer.client();
      await wc.query('CREATE TABLE t (id INTEGER, s VARCHAR, j JSON)');
      await wc.query(`INSERT INTO t VALUES (1, 'x', '{}'), (2, 'hello', NULL)`);
      await writer.stop();
      // What the extension stores for 'goo' || chr(0) || 'se': the UTF-8 bytes as bytea (and NULL statistics).
      const c = await db.client();
      await c.query(`UPDATE ducklake_inlined_data_1_1 SET s = '\\x676f6f007365'::bytea WHERE id = 1`);
      await c.query(`UPDATE ducklake_table_column_stats SET min_value = NULL, max_value = NULL WHERE column_id = 2`);
      const reader = await scope.server({ catalog: db.url, dataPath });
      const r = await (await reader.client()).query({ text: 'SELECT id, length(s)::INTEGER, s, j::VARCHAR FROM t ORDER BY id', rowMode: 'array' });
      expect(r.rows).toEqual([
        [1, 6, 'goo\u0000se', '{}'],
        [2, 5, 'hello', null],
      ]);

      // A DuckDB-file catalog holds the NUL byte itself; its inlined rows read back the same way.
      const embedded = await scope.server({});
      const ec = await embedded.client();
      await ec.query('CREATE TABLE t (id INTEGER, s VARCHAR, l VARCHAR[])');
      await ec.query(`INSERT INTO t VALUES (1, 'goo' || chr(0) || 'se', ['a' || chr(0)])`);
      const e = await ec.query({ text: 'SELECT id, length(s)::INTEGER, s, length(l[1])::INTEGER FROM t', rowMode: 'array' });
      expect(e.rows).toEqual([[1, 6, 'goo\u0000se', 2]]);
    }));
});

describe('two lakegres servers on one PostgreSQL catalog', () => {
  it('see each other’s commits and commit concurrent inserts without losing any', () =>
    withScope(async (scope) => {
      const db = await scope.database();
      const dataPath = scope.dir('shared');
      // Both start at once on an empty database: one bootstraps, the other must wait for it.
      const [a, b] = await Promise.all([scope.server({ catalog: db.url, dataPath }), scope.server({ catalog: db.url, dataPath })]);
      const c = await db.client();
      expect((await c.query('SELECT count(*)::int AS n FROM ducklake_snapshot')).rows[0].n).toBe(1);
      expect((await c.query('SELECT count(*)::int AS n FROM ducklake_schema')).rows[0].n).toBe(1);

      const ca = await a.client();
      const cb = await b.client();
      await ca.query('CREATE TABLE t (id INTEGER, v BIGINT)');
      await ca.query('INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)');
      expect((await cb.query({ text: 'SELECT id, v FROM t ORDER BY id', rowMode: 'array' })).rows).toEqual([
        [1, '10'],
        [2, '20'],
        [3, '30'],
      ]);
      await cb.query('INSERT INTO t VALUES (4, 40)');
      expect((await ca.query('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(4);

      // 4 clients (two per server) x 25 single-row inserts, all at once.
      const writers = await Promise.all([a.client(), a.client(), b.client(), b.client()]);
      const perWriter = 25;
      const results = await Promise.allSettled(
        writers.map(async (w, k) => {
          for (let i = 0; i < perWriter; i++) {
            const id = 100 + k * perWriter + i;
            await w.query(`INSERT INTO t VALUES (${id}, ${id * 3})`);
          }
        }),
      );
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);

      const total = 4 + writers.length * perWriter;
      let wantSum = 100;
      for (let id = 100; id < 100 + writers.length * perWriter; id++) wantSum += id * 3;
      for (const client of [ca, cb]) {
        const r = await client.query('SELECT count(*)::int AS n, sum(v)::bigint AS s, count(DISTINCT id)::int AS d FROM t');
        expect(r.rows[0]).toEqual({ n: total, s: String(wantSum), d: total });
      }
      // One snapshot per commit: bootstrap, CREATE, 2 inserts, then one per concurrent insert.
      const snaps = await c.query('SELECT snapshot_id::int AS id FROM ducklake_snapshot ORDER BY 1');
      const nSnap = 4 + writers.length * perWriter;
      expect(snaps.rows.map((r) => r.id)).toEqual([...Array(nSnap).keys()]);
      const chg = await c.query('SELECT snapshot_id::int AS id, changes_made FROM ducklake_snapshot_changes ORDER BY 1');
      expect(chg.rows.map((r) => r.id)).toEqual([...Array(nSnap).keys()]);
      expect(chg.rows.slice(4).every((r) => r.changes_made === 'inlined_insert:1')).toBe(true);
      const stats = await c.query('SELECT record_count::int AS rc, next_row_id::int AS nr FROM ducklake_table_stats WHERE table_id = 1');
      expect(stats.rows).toEqual([{ rc: total, nr: total }]);
      // Every row got its own row id, from 0 up.
      const ids = await c.query('SELECT count(*)::int AS n, count(DISTINCT row_id)::int AS d, min(row_id)::int AS lo, max(row_id)::int AS hi FROM ducklake_inlined_data_1_1');
      expect(ids.rows[0]).toEqual({ n: total, d: total, lo: 0, hi: total - 1 });
      // next_file_id is bumped by every inlined-only commit.
      const last = await c.query('SELECT next_file_id::int AS f FROM ducklake_snapshot ORDER BY snapshot_id DESC LIMIT 1');
      expect(last.rows[0].f).toBe(2 + writers.length * perWriter);
    }));

  it('lets exactly one of two servers create the same table concurrently', () =>
    withScope(async (scope) => {
      const db = await scope.database();
      const dataPath = scope.dir('conflict');
      const a = await scope.server({ catalog: db.url, dataPath });
      const b = await scope.server({ catalog: db.url, dataPath });
      const [ca, cb] = await Promise.all([a.client(), b.client()]);
      for (let round = 0; round < 5; round++) {
        const results = await Promise.allSettled([ca.query(`CREATE TABLE r${round} (x INTEGER)`), cb.query(`CREATE TABLE r${round} (y VARCHAR)`)]);
        const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        // Either they raced (one loses with a serialization failure) or the second saw the first.
        expect(failed).toHaveLength(1);
        expect(['40001', '42P07']).toContain((failed[0]!.reason as { code?: string }).code);
      }
      const c = await db.client();
      const t = await c.query(`SELECT table_name, count(*)::int AS n FROM ducklake_table GROUP BY 1 ORDER BY 1`);
      expect(t.rows).toEqual([0, 1, 2, 3, 4].map((i) => ({ table_name: `r${i}`, n: 1 })));
      const snaps = await c.query('SELECT snapshot_id::int AS id FROM ducklake_snapshot ORDER BY 1');
      expect(snaps.rows.map((r) => r.id)).toEqual([0, 1, 2, 3, 4, 5]);
    }));
});

describe('catalogs lakegres refuses', () => {
  it('refuses a catalog of another DuckLake version, naming it', () =>
    withScope(async (scope) => {
      const db = await scope.database();
      const dataPath = scope.dir('version');
      const boot = await scope.server({ catalog: db.url, dataPath });
      await boot.stop();
      const c = await db.client();
      await c.query(`UPDATE ducklake_metadata SET value = '0.3' WHERE key = 'version'`);
      const err = await startServer({ catalog: db.url, dataPath }).then(
        async (s) => {
          await s.stop();
          return undefined;
        },
        (e: Error) => e,
      );
      expect(err?.message).toMatch(/version 0\.3\b/);
      expect(err?.message).toMatch(/1\.0/);
    }));

  async function refusal(catalog: string, timeoutMs: number): Promise<{ error?: Error; ms: number }> {
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const dir = tempDir('refused');
    const attempt = startServer({ catalog, dataDir: dir, dataPath: path.join(dir, 'data') }).then(
      async (s) => {
        await s.stop();
        return { error: undefined };
      },
      (e: Error) => ({ error: e }),
    );
    void attempt.finally(() => rmSync(dir, { recursive: true, force: true }));
    const r = await Promise.race([attempt, deadline]);
    clearTimeout(timer);
    if (r === 'timeout') return { error: new Error(`startServer still pending after ${timeoutMs} ms`), ms: Date.now() - t0 };
    return { ...r, ms: Date.now() - t0 };
  }

  async function closedPort(): Promise<number> {
    return new Promise((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
  }

  it('fails fast and clearly on a port nobody listens on', async () => {
    const port = await closedPort();
    const r = await refusal(`postgres://postgres:s3cret@127.0.0.1:${port}/postgres`, 20_000);
    expect(r.error?.message).toMatch(/cannot connect to the PostgreSQL catalog/);
    expect(r.error?.message).toMatch(/ECONNREFUSED/);
    expect(r.ms).toBeLessThan(5_000);
    expect(r.error?.message).not.toContain('s3cret');
  });

  it('fails clearly on a wrong password without echoing it', async () => {
    const r = await refusal(`postgres://postgres:wrong-pw@127.0.0.1:${referencePort()}/postgres`, 20_000);
    expect(r.error?.message).toMatch(/cannot connect to the PostgreSQL catalog/);
    expect(r.error?.message).toMatch(/password authentication failed/);
    expect(r.error?.message).not.toContain('wrong-pw');
    expect(r.ms).toBeLessThan(5_000);
    // The same with the password as a query parameter of the URL.
    const q = await refusal(`postgres://postgres@127.0.0.1:${referencePort()}/postgres?password=wrong-pw2`, 20_000);
    expect(q.error?.message).toMatch(/password authentication failed/);
    expect(q.error?.message).not.toContain('wrong-pw2');
  });

  it('gives up on a server that accepts the connection but never answers', async () => {
    const sockets = new Set<net.Socket>();
    const mute = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (mute.address() as net.AddressInfo).port;
      const r = await refusal(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`, 30_000);
      expect(r.error?.message).toMatch(/cannot connect to the PostgreSQL catalog/);
      expect(r.error?.message).toMatch(/tim(e|ed) ?out/i);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => mute.close(resolve));
    }
  }, 40_000);
});
