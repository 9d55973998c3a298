/**
 * One DuckLake lake: its catalog store, its object store, the cached schema states and the
 * live DuckDB database through which sessions read it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { PgError, SqlState } from '../errors/pg-error.js';
import type { CatalogStore, Row } from './catalog/store.js';
import { DuckDBCatalogStore } from './catalog/duckdb-store.js';
import { PgCatalogStore } from './catalog/pg-store.js';
import { bootstrapCatalog, catalogExists, readMetadata, type CatalogMetadata } from './catalog/bootstrap.js';
import { CatalogReader } from './catalog/reader.js';
import type { SchemaState, SnapshotRow, TableEntry, SchemaEntry } from './catalog/model.js';
import type { ObjectStore } from './storage/object-store.js';
import { joinUri } from './storage/object-store.js';
import { LocalObjectStore } from './storage/local-store.js';

export interface LakeConfig {
  name: string;
  /** `postgres://...` / `postgresql://...`, or a path to a DuckDB catalog file. */
  catalog: string;
  metadataSchema?: string;
  /** Data path override (local directory or s3://bucket/prefix/). */
  dataPath?: string;
  /** For the embedded default: the lake's own data directory (self-contained lakes). */
  embeddedDataDir?: string;
  createdBy: string;
  objectStoreFactory?: (root: string) => Promise<ObjectStore>;
}

export class Lake {
  readonly reader: CatalogReader;
  private readonly states = new Map<number, SchemaState>();
  /** Latest snapshot this process knows of (refreshed before statements that read the lake). */
  latest: SnapshotRow;

  private constructor(
    readonly name: string,
    readonly store: CatalogStore,
    readonly objects: ObjectStore,
    readonly metadata: CatalogMetadata,
    latest: SnapshotRow,
    readonly log: Logger,
  ) {
    this.reader = new CatalogReader(store.schemaSql);
    this.latest = latest;
  }

  static async open(cfg: LakeConfig, log: Logger): Promise<Lake> {
    const isPg = /^postgres(ql)?:/i.test(cfg.catalog);
    const store: CatalogStore = isPg
      ? await PgCatalogStore.open(cfg.catalog, cfg.metadataSchema ?? 'public')
      : await DuckDBCatalogStore.open(cfg.catalog.replace(/^duckdb:/, ''), cfg.metadataSchema ?? 'main');
    try {
      if (!(await catalogExists(store))) {
        const dataPath = cfg.dataPath ?? cfg.embeddedDataDir;
        if (!dataPath) throw new PgError(SqlState.configFileError, `creating the lake "${cfg.name}" needs a data path (--data-path)`);
        const root = normalizeDataPath(dataPath);
        if (!root.startsWith('s3://')) mkdirSync(root, { recursive: true });
        await bootstrapCatalog(store, root, cfg.createdBy, cfg.metadataSchema !== undefined);
        log.info({ lake: cfg.name, catalog: store.description, dataPath: root }, 'created a new lake');
      }
      const metadata = await readMetadata(store);
      if (metadata.encrypted) log.warn({ lake: cfg.name }, 'the lake is encrypted: lakegres reads it but refuses writes');
      const root = normalizeDataPath(cfg.dataPath ?? effectiveEmbeddedPath(cfg, metadata.dataPath));
      const objects = cfg.objectStoreFactory ? await cfg.objectStoreFactory(root) : new LocalObjectStore(root);
      const reader = new CatalogReader(store.schemaSql);
      const latest = await reader.latestSnapshot(store);
      return new Lake(cfg.name, store, objects, metadata, latest, log.child({ lake: cfg.name }));
    } catch (e) {
      await store.close().catch(() => undefined);
      throw e;
    }
  }

  async refreshLatest(): Promise<SnapshotRow> {
    // A DuckDB catalog file is open read-write in this process only (DuckDB locks it), and every
    // commit of this process goes through noteCommitted: nothing newer can exist.
    if (this.store.kind === 'duckdb') return this.latest;
    const id = await this.reader.latestSnapshotId(this.store);
    if (id !== this.latest.id) this.latest = await this.reader.snapshot(this.store, id);
    return this.latest;
  }

  private metadataCache?: Promise<Row[]>;

  /**
   * The rows of ducklake_metadata (options). A DuckDB-file catalog is written by this process
   * only, so they are kept until a commit of this process sets options (forgetMetadata); a
   * PostgreSQL catalog is shared with other processes and is asked every time.
   */
  metadataRows(): Promise<Row[]> {
    const read = () => this.store.query(`SELECT key, value, scope, scope_id FROM ${this.store.schemaSql}.ducklake_metadata`);
    if (this.store.kind !== 'duckdb') return read();
    this.metadataCache ??= read().catch((e) => {
      this.metadataCache = undefined;
      throw e;
    });
    return this.metadataCache;
  }

  forgetMetadata(): void {
    this.metadataCache = undefined;
  }

  noteCommitted(snapshot: SnapshotRow): void {
    if (snapshot.id > this.latest.id) this.latest = snapshot;
  }

  /** Schema state at a snapshot, cached by schema_version (the extension does the same). */
  async schemaState(snapshot: SnapshotRow): Promise<SchemaState> {
    const cached = this.states.get(snapshot.schemaVersion);
    if (cached) return cached;
    const state = await this.reader.schemaState(this.store, snapshot.id, snapshot.schemaVersion);
    this.states.set(snapshot.schemaVersion, state);
    if (this.states.size > 16) this.states.delete(this.states.keys().next().value as number);
    return state;
  }

  /**
   * Forgets the cached schema states: maintenance changed what they list without a new
   * schema_version (superseded inlined tables dropped after a flush, §17.1).
   */
  invalidateSchemaStates(): void {
    this.states.clear();
  }

  /** Directory URI of a schema. */
  schemaDir(schema: SchemaEntry): string {
    if (schema.path === null) return this.objects.root;
    return schema.pathIsRelative ? joinUri(this.objects.root, schema.path) : schema.path;
  }

  /** Directory URI of a table. */
  tableDir(state: SchemaState, table: TableEntry): string {
    const schema = state.schemas.get(table.schemaId);
    const base = schema ? this.schemaDir(schema) : this.objects.root;
    if (table.path === null) return base;
    return table.pathIsRelative ? joinUri(base, table.path) : table.path;
  }

  /** URI of a data or delete file given its table directory. */
  fileUri(tableDir: string, filePath: string, relative: boolean): string {
    return relative ? joinUri(tableDir, filePath) : filePath;
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

function normalizeDataPath(p: string): string {
  if (/^s3:\/\//i.test(p)) return p.endsWith('/') ? p : p + '/';
  const abs = path.resolve(p).replace(/\\/g, '/');
  return abs.endsWith('/') ? abs : abs + '/';
}

/**
 * An embedded lake is self-contained: its files live in its own data/ directory even when the
 * catalog remembers the place where the lake was made (a lake that was moved or copied).
 */
function effectiveEmbeddedPath(cfg: LakeConfig, stored: string): string {
  // A lake whose data lives in object storage is not self-contained on local disk.
  if (/^s3:\/\//i.test(stored)) return stored;
  if (cfg.embeddedDataDir && (existsSync(cfg.embeddedDataDir) || !existsSync(stored))) return cfg.embeddedDataDir;
  return stored;
}
