/**
 * A bounded local cache of immutable remote objects, one file per object under
 * `<dir>/<bucket>/<key>`. Least recently used files are evicted when the total passes the
 * bound, except files pinned by running statements (a statement that needs more than the
 * bound may overshoot it until it ends). The cache survives restarts: files already present
 * are indexed at open.
 */
import { readdir, rename, rm, stat, mkdir } from 'node:fs/promises';
import path from 'node:path';

interface Entry {
  size: number;
  pins: number;
  lastUsed: number;
}

export class ObjectCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<void>>();
  /** Files being removed: a new download of the same object waits for the removal. */
  private readonly removing = new Map<string, Promise<void>>();
  private total = 0;
  private clock = 0;

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  static async open(dir: string, maxBytes: number): Promise<ObjectCache> {
    await mkdir(dir, { recursive: true });
    const cache = new ObjectCache(path.resolve(dir), maxBytes);
    await cache.index(cache.dir);
    // Indexed files are older than anything used from now on: rank them by access time on the
    // same clock as new uses (atime in ms would otherwise make them the newest forever).
    for (const e of [...cache.entries.values()].sort((a, b) => a.lastUsed - b.lastUsed)) e.lastUsed = ++cache.clock;
    await cache.evict();
    return cache;
  }

  private async index(dir: string): Promise<void> {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await this.index(full);
      else if (e.isFile()) {
        // Partial downloads of a previous run are garbage.
        if (e.name.endsWith('.part')) {
          await rm(full, { force: true });
          continue;
        }
        const s = await stat(full);
        this.entries.set(full, { size: s.size, pins: 0, lastUsed: s.atimeMs });
        this.total += s.size;
      }
    }
  }

  get usedBytes(): number {
    return this.total;
  }

  pathFor(uri: string): string {
    const rest = uri.replace(/^[a-z0-9]+:\/\//i, '');
    const safe = rest
      .split('/')
      .filter((p) => p !== '' && p !== '.' && p !== '..')
      .join('/');
    return path.join(this.dir, safe);
  }

  /**
   * Makes every uri present locally (fetching missing ones, each once even when asked for
   * concurrently) and pins them; the returned function unpins.
   */
  async acquire(uris: readonly string[], fetch: (uri: string, target: string) => Promise<number>): Promise<() => void> {
    const pinned: string[] = [];
    const release = () => {
      for (const p of pinned.splice(0)) {
        const e = this.entries.get(p);
        if (e) e.pins = Math.max(0, e.pins - 1);
      }
      void this.evict();
    };
    try {
      for (const uri of new Set(uris)) {
        const file = this.pathFor(uri);
        for (;;) {
          const e = this.entries.get(file);
          if (e) {
            e.pins++;
            e.lastUsed = ++this.clock;
            pinned.push(file);
            break;
          }
          let job = this.inflight.get(file);
          if (!job && this.removing.has(file)) {
            await this.removing.get(file);
            continue;
          }
          if (!job) {
            job = fetch(uri, file).then((size) => {
              this.entries.set(file, { size, pins: 0, lastUsed: ++this.clock });
              this.total += size;
            });
            this.inflight.set(file, job);
            void job.finally(() => this.inflight.delete(file)).catch(() => undefined);
          }
          await job;
        }
      }
    } catch (e) {
      release();
      throw e;
    }
    await this.evict();
    return release;
  }

  /** Takes a freshly written local file as the cached copy of `uri`. */
  async adopt(uri: string, localFile: string, size: number): Promise<void> {
    const file = this.pathFor(uri);
    await mkdir(path.dirname(file), { recursive: true });
    await rename(localFile, file);
    const old = this.entries.get(file);
    if (old) this.total -= old.size;
    this.entries.set(file, { size, pins: old?.pins ?? 0, lastUsed: ++this.clock });
    this.total += size;
    await this.evict();
  }

  async forget(uri: string): Promise<void> {
    const file = this.pathFor(uri);
    const e = this.entries.get(file);
    if (!e) return;
    this.entries.delete(file);
    this.total -= e.size;
    await this.remove(file);
  }

  private async remove(file: string): Promise<void> {
    const job = rm(file, { force: true }).finally(() => this.removing.delete(file));
    this.removing.set(file, job);
    await job;
  }

  private async evict(): Promise<void> {
    if (this.total <= this.maxBytes) return;
    const victims = [...this.entries].filter(([, e]) => e.pins === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [file, e] of victims) {
      if (this.total <= this.maxBytes) break;
      // Earlier removals awaited: the file may have been pinned again, or taken by a concurrent
      // eviction (whose total would otherwise be subtracted twice).
      if (this.entries.get(file) !== e || e.pins > 0) continue;
      this.entries.delete(file);
      this.total -= e.size;
      await this.remove(file);
    }
  }
}
