/**
 * The emulated PostgreSQL catalog of a lake database: static data (static-db.ts), metadata
 * tables written with the lake's views (metadata.ts) and the `__lakegres_pg` objects that
 * present both (emulation.ts). Session values come from ../session-vars.ts.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../../lake/types.js';
import { ensureStaticCatalog } from './static-db.js';
import { metadataTablesSql } from './metadata.js';
import { emulationStatements, type EmulationTarget } from './emulation.js';
import { readAll } from '../../engine/rows.js';

export { EXTRA_FUNCTIONS, LAKE_TABLES_VIEW, TEMP_NAMESPACE_NAME, type EmulationTarget } from './emulation.js';
export { metadataStatements, overlayCatalogStatements, statsStatements, tableStatsOf, lastChangeOf, pgSchemaName, type TableStats, type StatsSource, type OverlaySource } from './metadata.js';
export { STATIC_DB, ensureStaticCatalog } from './static-db.js';

/**
 * Creates the metadata tables and the emulation schema in `target.dbName`. With `inTransaction`
 * the statements run in the caller's open transaction; otherwise in one of their own.
 */
export async function createCatalogEmulation(conn: DuckDBConnection, target: EmulationTarget, opts: { inTransaction?: boolean } = {}): Promise<void> {
  await ensureStaticCatalog(conn);
  // The views read the metadata of the current database: they are bound with the target current.
  const statements = [...metadataTablesSql(quoteIdent(target.dbName)), `USE ${quoteIdent(target.dbName)}`, ...emulationStatements(target)];
  if (opts.inTransaction) {
    for (const s of statements) await conn.run(s);
    return;
  }
  // The connection's default database is restored afterwards (a database that is some
  // connection's default cannot be detached).
  const previous = String((await readAll(conn, 'SELECT current_database()')).getRows()[0]![0]);
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const s of statements) await conn.run(s);
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await conn.run(`USE ${quoteIdent(previous)}`).catch(() => undefined);
  }
}
