/** The DuckLake fixture lakes written by the official extension (../shared/ducklake/fixtures). */
import { cpSync, mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../../../shared/ducklake/fixtures');

export interface FixtureCase {
  name: string;
  sql: string;
  expected: string;
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(FIXTURES_DIR, d.name, 'cases.json')))
    .map((d) => d.name)
    .sort();
}

export function fixtureCases(name: string): FixtureCase[] {
  const cases = JSON.parse(readFileSync(path.join(FIXTURES_DIR, name, 'cases.json'), 'utf8')).cases as FixtureCase[];
  // The cases were answered by DuckDB: `information_schema` is DuckDB's there. Through lakegres it is
  // PostgreSQL's (docs/COMPATIBILITY.md); DuckDB's own stays reachable as system.information_schema.
  return cases.map((c) => ({ ...c, sql: c.sql.replace(/(?<![.\w"])information_schema\./gi, 'system.information_schema.') }));
}

export function expectedLines(name: string, c: FixtureCase): string[] {
  const text = readFileSync(path.join(FIXTURES_DIR, name, c.expected), 'utf8');
  return text.split('\n').filter((l) => l !== '');
}

/** A writable copy of a fixture lake (the fixtures themselves are read-only inputs). */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `lakegres-fx-${name}-`));
  cpSync(path.join(FIXTURES_DIR, name), dir, { recursive: true });
  return dir;
}

/** The statements of a fixture's make.sql that lakegres runs (without the ATTACH/USE preamble). */
export function makeStatements(name: string): string {
  return readFileSync(path.join(FIXTURES_DIR, name, 'make.sql'), 'utf8');
}

/** Columns whose values legitimately differ between two writers of the same lake. */
const VOLATILE = new Set(['snapshot_time', 'schema_uuid', 'table_uuid', 'view_uuid', 'path', 'file_size_bytes', 'footer_size', 'column_size_bytes', 'schedule_start']);

/**
 * Catalog rows of every ducklake_* table of a DuckDB-file catalog, volatile columns masked,
 * each table's rows sorted: two lakes made by the same statements compare equal.
 */
export async function catalogRows(catalogFile: string, options: { positionsOfUpdatedFiles?: Set<number> } = {}): Promise<Map<string, string[]>> {
  const db = await DuckDBInstance.create(catalogFile, { access_mode: 'READ_ONLY' });
  const c = await db.connect();
  try {
    const tables = (await c.runAndReadAll("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'ducklake_%' ORDER BY 1")).getRows().map((r) => String(r[0]));
    const out = new Map<string, string[]>();
    for (const t of tables) {
      const r = await c.runAndReadAll(`SELECT * FROM "${t}"`);
      const names = r.columnNames();
      const rows = r.getRowsJson().map((row) =>
        JSON.stringify(
          row.map((v, i) => {
            if (t === 'ducklake_metadata') return names[i] === 'value' && ['created_by', 'data_path'].includes(String(row[0])) ? '*' : v;
            // Positions inside a file written by UPDATE follow the order in which the writer's
            // threads produced its rows, which is not deterministic (not even for the extension).
            if (t.startsWith('ducklake_inlined_delete_') && names[i] === 'row_id' && options.positionsOfUpdatedFiles?.has(Number(row[0]))) return '*';
            return VOLATILE.has(names[i]!) ? '*' : v;
          }),
        ),
      );
      out.set(t, rows.sort());
    }
    return out;
  } finally {
    c.closeSync();
    db.closeSync();
  }
}
