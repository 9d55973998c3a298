/** Data files in a local directory: DuckDB reads and writes them in place. */
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStore, StoredObject } from './object-store.js';

export class LocalObjectStore implements ObjectStore {
  readonly kind = 'local' as const;
  readonly root: string;
  readonly localDirectories: readonly string[];

  constructor(root: string) {
    const abs = path.resolve(root).replace(/\\/g, '/');
    this.root = abs.endsWith('/') ? abs : abs + '/';
    this.localDirectories = [this.root];
  }

  async localPath(uri: string): Promise<string> {
    return uri;
  }

  async ensureLocal(): Promise<() => void> {
    return () => undefined;
  }

  async stagingPath(uri: string): Promise<string> {
    await mkdir(path.dirname(uri), { recursive: true });
    return uri;
  }

  async publish(): Promise<void> {
    /* already in place */
  }

  async delete(uris: readonly string[]): Promise<void> {
    for (const u of uris) await unlink(u).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let entries;
    try {
      entries = await readdir(prefix, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(prefix, e.name);
      if (e.isDirectory()) yield* this.list(full);
      else if (e.isFile()) {
        const s = await stat(full);
        yield { uri: full.replace(/\\/g, '/'), size: s.size, lastModified: s.mtime };
      }
    }
  }
}
