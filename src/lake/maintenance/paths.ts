/**
 * Where catalog rows put their files: data and delete file paths are relative to their table's
 * directory, which is relative to its schema's, which is relative to the data path (§8); rows of
 * ended tables and schemas still count (expire and orphan removal need them).
 */
import type { Lake } from '../lake.js';
import type { CatalogQueryable } from '../catalog/store.js';
import { joinUri } from '../storage/object-store.js';

export type FileResolver = (tableId: number, path: string, relative: boolean) => string;

export async function fileResolver(lake: Lake, q: CatalogQueryable): Promise<FileResolver> {
  const m = lake.store.schemaSql;
  const root = lake.objects.root;
  const schemas = new Map<number, string>();
  for (const r of await q.query(`SELECT schema_id, path, path_is_relative, begin_snapshot FROM ${m}.ducklake_schema ORDER BY begin_snapshot`)) {
    const p = r.path as string | null;
    schemas.set(Number(r.schema_id), p === null ? root : r.path_is_relative !== false ? joinUri(root, p) : p);
  }
  const tables = new Map<number, string>();
  for (const r of await q.query(`SELECT table_id, schema_id, path, path_is_relative, begin_snapshot FROM ${m}.ducklake_table ORDER BY begin_snapshot`)) {
    const base = schemas.get(Number(r.schema_id)) ?? root;
    const p = r.path as string | null;
    tables.set(Number(r.table_id), p === null ? base : r.path_is_relative !== false ? joinUri(base, p) : p);
  }
  return (tableId, path, relative) => (relative ? joinUri(tables.get(tableId) ?? root, path) : path);
}

/** Normalised form for comparing paths (separators, duplicate slashes, `.` segments). */
export function normalizePath(p: string): string {
  const s3 = /^s3:\/\//i.test(p);
  const body = (s3 ? p.slice(5) : p).replace(/\\/g, '/').replace(/\/{2,}/g, '/');
  const parts: string[] = [];
  for (const seg of body.split('/')) {
    if (seg === '.') continue;
    if (seg === '..' && parts.length > 1) parts.pop();
    else parts.push(seg);
  }
  return (s3 ? 's3://' : '') + parts.join('/');
}

/** Every file the catalog knows: data and delete files of any version, and scheduled deletions. */
export async function knownFiles(lake: Lake, q: CatalogQueryable): Promise<{ referenced: Set<string>; scheduled: Set<string> }> {
  const m = lake.store.schemaSql;
  const resolve = await fileResolver(lake, q);
  const referenced = new Set<string>();
  for (const r of await q.query(`SELECT table_id, path, path_is_relative FROM ${m}.ducklake_data_file UNION ALL SELECT table_id, path, path_is_relative FROM ${m}.ducklake_delete_file`)) {
    referenced.add(normalizePath(resolve(Number(r.table_id), String(r.path), r.path_is_relative !== false)));
  }
  const scheduled = new Set<string>();
  for (const r of await q.query(`SELECT path, path_is_relative FROM ${m}.ducklake_files_scheduled_for_deletion`)) {
    scheduled.add(normalizePath(r.path_is_relative !== false ? joinUri(lake.objects.root, String(r.path)) : String(r.path)));
  }
  return { referenced, scheduled };
}

export function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
