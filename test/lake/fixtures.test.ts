/**
 * Lakes written by the official DuckLake extension, read over the wire; and their make.sql
 * run through lakegres, compared with the extension's catalog row for row.
 */
import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { startServer, type TestServer } from '../helpers/server.js';
import { catalogRows, copyFixture, expectedLines, fixtureCases, fixtureNames, FIXTURES_DIR, makeStatements } from '../helpers/fixtures.js';
import { splitStatements } from '../../src/sql/lexer.js';

/** Fixtures whose make.sql needs only part 1 of the engine (no DELETE/UPDATE/maintenance). */
const WRITTEN_BY_LAKEGRES = ['basic', 'deletes_updates', 'inlined', 'maintenance', 'nested', 'partitioned', 'schema_evolution', 'time_travel', 'types'];

/** Data files written by UPDATE (row order inside them is the writer threads', see catalogRows). */
const UPDATED_FILES: Record<string, Set<number>> = { deletes_updates: new Set([6]) };

async function utcClient(server: TestServer): Promise<pg.Client> {
  return server.client({ options: '-c TimeZone=UTC' });
}

async function runCases(client: pg.Client, fixture: string): Promise<{ name: string; got: string[]; want: string[] }[]> {
  const out = [];
  for (const c of fixtureCases(fixture)) {
    const r = await client.query({ text: `SELECT to_json(q)::VARCHAR AS j FROM (${c.sql}) q`, rowMode: 'array' });
    out.push({ name: c.name, got: r.rows.map((row) => String(row[0])), want: expectedLines(fixture, c) });
  }
  return out;
}

describe('fixture lakes written by the DuckLake extension', () => {
  for (const fixture of fixtureNames()) {
    it(`reads ${fixture} over the wire exactly as DuckDB does`, async () => {
      const dir = copyFixture(fixture);
      const server = await startServer({ dataDir: dir });
      try {
        const client = await utcClient(server);
        for (const r of await runCases(client, fixture)) expect({ case: r.name, rows: r.got }).toEqual({ case: r.name, rows: r.want });
      } finally {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('make.sql through lakegres', () => {
  for (const fixture of WRITTEN_BY_LAKEGRES) {
    it(`writes a lake equivalent to the extension's for ${fixture}, readable after a restart`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), `lakegres-make-${fixture}-`));
      try {
        let server = await startServer({ dataDir: dir });
        try {
          const client = await utcClient(server);
          for (const slice of splitStatements(makeStatements(fixture))) {
            if (/^\s*(USE|ATTACH)\b/i.test(slice.text)) continue;
            await client.query(slice.text);
          }
        } finally {
          await server.stop();
        }
        const options = { positionsOfUpdatedFiles: UPDATED_FILES[fixture] };
        const ours = await catalogRows(path.join(dir, 'metadata.ducklake'), options);
        const theirs = await catalogRows(path.join(FIXTURES_DIR, fixture, 'metadata.ducklake'), options);
        expect([...ours.keys()]).toEqual([...theirs.keys()]);
        for (const [table, rows] of theirs) expect({ table, rows: ours.get(table) }).toEqual({ table, rows });
        // The lake lakegres wrote answers the fixture's queries like the extension's lake.
        server = await startServer({ dataDir: dir });
        try {
          const client = await utcClient(server);
          for (const r of await runCases(client, fixture)) expect({ case: r.name, rows: r.got }).toEqual({ case: r.name, rows: r.want });
        } finally {
          await server.stop();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
