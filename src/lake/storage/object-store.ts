/**
 * Where Parquet data and delete files live: a local directory or an S3 prefix. DuckDB reads
 * local paths only (httpfs is not available), so S3 objects are read through a local cache
 * and new files are written locally and uploaded before the catalog commit.
 */

export interface StoredObject {
  uri: string;
  size: number;
  lastModified: Date;
}

export interface ObjectStore {
  readonly kind: 'local' | 's3';
  /** The data path as stored in the catalog: absolute, ending with '/'. */
  readonly root: string;
  /** The local file DuckDB reads for `uri` (for remote stores: its place in the cache). */
  localPath(uri: string): Promise<string>;
  /** Makes the files local (downloading what the cache lacks) and keeps them until released. */
  ensureLocal(uris: readonly string[]): Promise<() => void>;
  /** A local path to write a new file that will become `uri`. */
  stagingPath(uri: string): Promise<string>;
  /** Makes a staged file durable at `uri` (no-op for local storage, upload for S3). */
  publish(localPath: string, uri: string): Promise<void>;
  /** Deletes objects; missing ones are ignored. */
  delete(uris: readonly string[]): Promise<void>;
  /** Lists objects under a prefix (recursively). */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** Local directories DuckDB must be allowed to read and write. */
  readonly localDirectories: readonly string[];
}

/** Joins a directory URI (ending with '/') and a relative path with '/' separators. */
export function joinUri(dir: string, rel: string): string {
  if (!dir.endsWith('/')) dir += '/';
  return dir + rel.replace(/^\/+/, '');
}
