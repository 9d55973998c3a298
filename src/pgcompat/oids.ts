/**
 * Object identifiers of lake objects in the emulated PostgreSQL catalog. DuckLake gives schemas,
 * tables and views ids from one counter (next_catalog_id), so one offset keeps them unique and
 * stable across sessions, processes and restarts. DuckLake's `main` is PostgreSQL's `public`
 * (OID 2200, as in PostgreSQL).
 */

/** First OID PostgreSQL assigns to user objects. */
export const FIRST_USER_OID = 16384;

export const PG_CATALOG_NAMESPACE_OID = 11;
export const PUBLIC_NAMESPACE_OID = 2200;
export const INFORMATION_SCHEMA_NAMESPACE_OID = 13000;
/** Session-local (temporary) objects, PostgreSQL's pg_temp_N. */
export const TEMP_NAMESPACE_OID = 12999;

/** OID of a lake schema, table or view (by its DuckLake catalog id). */
export function lakeObjectOid(catalogId: number): number {
  // Objects created by a transaction that has not committed yet have negative local ids.
  if (catalogId < 0) return UNCOMMITTED_OBJECT_OID_BASE - catalogId;
  return FIRST_USER_OID + catalogId;
}

/** Objects of a transaction that has not committed yet (their DuckLake ids are not known). */
export const UNCOMMITTED_OBJECT_OID_BASE = 900_000_000;

/** OID of a lake schema: `main` is `public`. */
export function namespaceOid(schemaName: string, schemaId: number): number {
  return schemaName === 'main' ? PUBLIC_NAMESPACE_OID : lakeObjectOid(schemaId);
}

/** OIDs of the session's temporary DuckDB objects: above every lake object. */
export const FIRST_TEMP_OBJECT_OID = 1_000_000_000;
