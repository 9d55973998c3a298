/** The lake catalog as lakegres holds it in memory: one snapshot's schema state and file lists. */
import type { LakeColumn } from '../types.js';

export interface SnapshotRow {
  id: number;
  time: string;
  schemaVersion: number;
  nextCatalogId: number;
  nextFileId: number;
}

export interface SchemaEntry {
  id: number;
  uuid: string;
  name: string;
  path: string | null;
  pathIsRelative: boolean;
  beginSnapshot: number;
}

export interface PartitionKey {
  index: number;
  columnId: number;
  transform: string;
}

export interface PartitionSpec {
  id: number;
  keys: PartitionKey[];
}

export interface SortKey {
  index: number;
  expression: string;
  direction: 'ASC' | 'DESC';
  nullOrder: 'NULLS_FIRST' | 'NULLS_LAST';
}

export interface InlinedTableRef {
  name: string;
  schemaVersion: number;
}

export interface TableEntry {
  id: number;
  uuid: string;
  schemaId: number;
  name: string;
  path: string | null;
  pathIsRelative: boolean;
  beginSnapshot: number;
  columns: LakeColumn[];
  comment: string | null;
  /** Other table tags (key → value). */
  tags: Map<string, string>;
  columnComments: Map<number, string>;
  partition: PartitionSpec | null;
  sort: { id: number; keys: SortKey[] } | null;
  inlined: InlinedTableRef[];
}

export interface ViewEntry {
  id: number;
  uuid: string;
  schemaId: number;
  name: string;
  dialect: string;
  sql: string;
  columnAliases: string;
  beginSnapshot: number;
  comment: string | null;
}

export interface MacroImpl {
  implId: number;
  dialect: string;
  sql: string;
  type: 'scalar' | 'table';
  params: { name: string; type: string; defaultValue: string; defaultType: string }[];
}

export interface MacroEntry {
  id: number;
  schemaId: number;
  name: string;
  beginSnapshot: number;
  impls: MacroImpl[];
}

/** Everything the schema loader returns; identical for all snapshots with the same schema_version. */
export interface SchemaState {
  schemaVersion: number;
  /** Snapshot the state was loaded at (any snapshot with the same schema_version gives the same state). */
  loadedAt: number;
  schemas: Map<number, SchemaEntry>;
  tables: Map<number, TableEntry>;
  views: Map<number, ViewEntry>;
  macros: Map<number, MacroEntry>;
}

export interface DataFileEntry {
  id: number;
  path: string;
  pathIsRelative: boolean;
  recordCount: number;
  fileSizeBytes: number;
  footerSize: number | null;
  rowIdStart: number | null;
  beginSnapshot: number;
  endSnapshot: number | null;
  partialMax: number | null;
  mappingId: number | null;
  partitionId: number | null;
  encryptionKey: string | null;
  deleteFile: DeleteFileEntry | null;
}

export interface DeleteFileEntry {
  id: number;
  path: string;
  pathIsRelative: boolean;
  deleteCount: number;
  fileSizeBytes: number;
  footerSize: number | null;
  format: string;
  beginSnapshot: number;
  encryptionKey: string | null;
}

export function schemaByName(state: SchemaState, name: string): SchemaEntry | undefined {
  for (const s of state.schemas.values()) if (s.name === name) return s;
  return undefined;
}

export function tableByName(state: SchemaState, schemaId: number, name: string): TableEntry | undefined {
  for (const t of state.tables.values()) if (t.schemaId === schemaId && t.name === name) return t;
  return undefined;
}

export function viewByName(state: SchemaState, schemaId: number, name: string): ViewEntry | undefined {
  for (const v of state.views.values()) if (v.schemaId === schemaId && v.name === name) return v;
  return undefined;
}
