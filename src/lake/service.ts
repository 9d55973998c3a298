/**
 * All lakes of the server: opening them, keeping their live DuckDB databases current, and
 * materialising historical snapshots for time travel.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from 'pino';
import type { Engine } from '../engine/engine.js';
import { PgError, SqlState } from '../errors/pg-error.js';
import { Lake, type LakeConfig } from './lake.js';
import { SnapshotDatabase } from './read/live-db.js';
import { TaggedDeleteCache } from './read/tagged-deletes.js';
import type { SnapshotRow } from './catalog/model.js';

const HISTORY_LIMIT = 8;

export class LakeRuntime {
  private readonly history = new Map<number, SnapshotDatabase>();

  constructor(
    readonly lake: Lake,
    readonly live: SnapshotDatabase,
    private readonly conn: DuckDBConnection,
    private readonly taggedDeletes: TaggedDeleteCache,
  ) {}

  get name(): string {
    return this.lake.name;
  }

  /** Brings the live database up to the newest committed snapshot and returns it. */
  async refresh(): Promise<SnapshotRow> {
    const latest = await this.lake.refreshLatest();
    await this.live.ensure(latest);
    return latest;
  }

  /** After a commit by this process: show it without asking the catalog again. */
  async committed(snapshot: SnapshotRow, changes?: string | null): Promise<void> {
    this.lake.noteCommitted(snapshot);
    await this.live.ensure(snapshot, changes);
  }

  /** The snapshot databases a statement's text refers to (the live one and historical ones). */
  databasesIn(names: ReadonlySet<string>): SnapshotDatabase[] {
    const out = [this.live];
    const prefix = `__lake_${this.lake.name}_s`.toLowerCase();
    for (const n of names) {
      if (!n.startsWith(prefix)) continue;
      const db = this.history.get(Number(n.slice(prefix.length)));
      if (db) out.push(db);
    }
    return out;
  }

  /**
   * A read-only database showing snapshot `id` (time travel); cached, least recently used
   * dropped unless a session holds it (see hold()).
   */
  async atSnapshot(id: number): Promise<SnapshotDatabase> {
    const hit = this.history.get(id);
    if (hit) {
      this.history.delete(id);
      this.history.set(id, hit);
      return hit;
    }
    let building = this.building.get(id);
    if (!building) {
      building = (async () => {
        const snapshot = await this.lake.reader.snapshot(this.lake.store, id);
        const db = await SnapshotDatabase.attach(this.lake, this.conn, `__lake_${this.lake.name}_s${id}`, this.taggedDeletes);
        await db.buildAt(snapshot);
        return db;
      })().finally(() => this.building.delete(id));
      this.building.set(id, building);
    }
    const db = await building;
    this.history.set(id, db);
    for (const [oldId, old] of [...this.history]) {
      if (this.history.size <= HISTORY_LIMIT) break;
      if ((this.holders.get(oldId) ?? 0) > 0 || oldId === id) continue;
      this.history.delete(oldId);
      await old.detach();
    }
    return db;
  }

  /** Keeps a historical database attached while a session reads it (SET lakegres.snapshot). */
  hold(id: number): () => void {
    this.holders.set(id, (this.holders.get(id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders.set(id, (this.holders.get(id) ?? 1) - 1);
    };
  }

  /**
   * Drops cached historical databases (all, or those of the given snapshots) that no session
   * holds: maintenance moved or expired what they read (merged files, expired snapshots).
   */
  async forgetHistory(ids?: Iterable<number>): Promise<void> {
    const wanted = ids ? new Set(ids) : undefined;
    for (const [id, db] of [...this.history]) {
      if ((wanted && !wanted.has(id)) || (this.holders.get(id) ?? 0) > 0) continue;
      this.history.delete(id);
      await db.detach();
    }
  }

  private readonly holders = new Map<number, number>();
  private readonly building = new Map<number, Promise<SnapshotDatabase>>();

  async close(): Promise<void> {
    await this.lake.close();
  }
}

export class LakeService {
  private constructor(
    private readonly runtimes: Map<string, LakeRuntime>,
    private readonly conn: DuckDBConnection,
  ) {}

  static async open(configs: LakeConfig[], engine: Engine, log: Logger): Promise<LakeService> {
    const conn = await engine.connect();
    const tagged = new TaggedDeleteCache();
    const runtimes = new Map<string, LakeRuntime>();
    try {
      for (const cfg of configs) {
        const lake = await Lake.open(cfg, log);
        const live = await SnapshotDatabase.attach(lake, conn, cfg.name, tagged);
        runtimes.set(cfg.name, new LakeRuntime(lake, live, conn, tagged));
      }
    } catch (e) {
      for (const r of runtimes.values()) await r.close().catch(() => undefined);
      conn.closeSync();
      throw e;
    }
    return new LakeService(runtimes, conn);
  }

  /** Local directories DuckDB must be allowed to read and write for these lakes. */
  get localDirectories(): string[] {
    return [...this.runtimes.values()].flatMap((r) => r.lake.objects.localDirectories);
  }

  get names(): string[] {
    return [...this.runtimes.keys()];
  }

  get(name: string): LakeRuntime {
    const r = this.runtimes.get(name);
    if (!r) throw new PgError(SqlState.invalidCatalogName, `database "${name}" does not exist`);
    return r;
  }

  has(name: string): boolean {
    return this.runtimes.has(name);
  }

  /** Builds every live database once (at startup). */
  async warmUp(): Promise<void> {
    for (const r of this.runtimes.values()) await r.refresh();
  }

  async close(): Promise<void> {
    for (const r of this.runtimes.values()) await r.close().catch(() => undefined);
    try {
      this.conn.closeSync();
    } catch {
      /* engine already closed */
    }
  }
}
