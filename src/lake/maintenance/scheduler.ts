/**
 * Opt-in background maintenance of a lake (--maintenance): every --maintenance-interval, on a
 * DuckDB connection of its own (sessions keep running their queries meanwhile), one bounded run
 *
 *   1. flushes the inlined data of tables with at least --maintenance-flush-rows inlined rows
 *      and deletions (at most --maintenance-max-files tables per run),
 *   2. merges adjacent data files smaller than --maintenance-small-file-size (at most
 *      --maintenance-max-files merges per table),
 *   3. rewrites files whose deleted share reached the lake's rewrite_delete_threshold,
 *   4. expires snapshots older than --maintenance-retention (or the lake's expire_older_than),
 *   5. deletes files scheduled for deletion longer ago than --maintenance-cleanup (or the lake's
 *      delete_older_than, 2 days by default), and with --maintenance-delete-orphans also
 *      unreferenced Parquet files that old.
 *
 * A run never overlaps the previous one (a tick that finds it still going is skipped), a step
 * that loses a commit race to a session (40001) is left for the next run, and stop() waits for
 * the running step and then ends the schedule. What each run did is logged (pino, structured).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from 'pino';
import type { Engine } from '../../engine/engine.js';
import { ConfigError, parseByteSize, type LakegresConfig } from '../../config/options.js';
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { LakeRuntime } from '../service.js';
import type { MaintenanceEnv } from './common.js';
import { latest } from './common.js';
import { flushInlinedData, inlinedBacklog } from './flush.js';
import { mergeAdjacentFiles, rewriteDataFiles } from './compaction.js';
import { expireSnapshots } from './expire.js';
import { cleanupOldFiles, deleteOrphanedFiles } from './cleanup.js';
import type { Instant } from './args.js';

export interface ScheduleOptions {
  intervalMs: number;
  flushRows: number;
  smallFileSize: number;
  maxFiles: number;
  /** Expire snapshots older than this many ms; 'auto' = the lake's expire_older_than; null = never. */
  retentionMs: number | 'auto' | null;
  /** Delete scheduled files older than this many ms; 'auto' = the lake's delete_older_than; null = never. */
  cleanupMs: number | 'auto' | null;
  deleteOrphans: boolean;
}

const UNITS: [RegExp, number][] = [
  [/^(ms|msecs?|milliseconds?)$/, 1],
  [/^(s|secs?|seconds?)$/, 1000],
  [/^(m|mins?|minutes?)$/, 60_000],
  [/^(h|hrs?|hours?)$/, 3_600_000],
  [/^(d|days?)$/, 86_400_000],
  [/^(w|weeks?)$/, 7 * 86_400_000],
];

/** '500ms', '30s', '5m', '1h', '7d', '2 weeks', '90' (seconds) → milliseconds; undefined when invalid. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const mult = unit === '' ? 1000 : UNITS.find(([re]) => re.test(unit))?.[1];
  return mult === undefined ? undefined : Math.round(Number(m[1]) * mult);
}

/** The schedule from the server configuration (ConfigError for invalid values). */
export function scheduleOptions(config: LakegresConfig): ScheduleOptions {
  const duration = (flag: string, text: string, special: boolean): number | 'auto' | null => {
    const t = text.trim().toLowerCase();
    if (special && t === 'auto') return 'auto';
    if (special && (t === 'off' || t === 'never')) return null;
    const ms = parseDuration(t);
    if (ms === undefined) throw new ConfigError(`invalid value for ${flag}: ${JSON.stringify(text)} (expected a duration such as 30s, 5m, 2h or 7d${special ? ', auto or off' : ''})`);
    return ms;
  };
  const intervalMs = duration('--maintenance-interval', config.maintenanceInterval, false) as number;
  if (intervalMs < 100) throw new ConfigError(`invalid value for --maintenance-interval: at least 100ms, got ${JSON.stringify(config.maintenanceInterval)}`);
  const smallFileSize = parseByteSize(config.maintenanceSmallFileSize);
  if (smallFileSize === undefined || smallFileSize < 1)
    throw new ConfigError(`invalid value for --maintenance-small-file-size: ${JSON.stringify(config.maintenanceSmallFileSize)} (expected a size such as 16MB)`);
  if (config.maintenanceMaxFiles < 1) throw new ConfigError('invalid value for --maintenance-max-files: must be at least 1');
  return {
    intervalMs,
    flushRows: config.maintenanceFlushRows,
    smallFileSize,
    maxFiles: config.maintenanceMaxFiles,
    retentionMs: duration('--maintenance-retention', config.maintenanceRetention, true),
    cleanupMs: duration('--maintenance-cleanup', config.maintenanceCleanup, true),
    deleteOrphans: config.maintenanceDeleteOrphans,
  };
}

/** What one run did. */
export interface RunReport {
  flushed: { table: string; rows: number }[];
  merged: { table: string; files: number }[];
  rewritten: { table: string; files: number }[];
  expired: number;
  cleaned: number;
  orphans: number;
  /** Steps that lost a commit race or failed (left for the next run). */
  skipped: { step: string; reason: string }[];
  ms: number;
}

export class MaintenanceScheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<RunReport>;
  private stopping = false;
  /** Completed runs, ticks skipped because a run was still going, and the last report. */
  runs = 0;
  overlapped = 0;
  last?: RunReport;
  /** Sums over all runs: rows flushed, files merged and rewritten, snapshots expired, files deleted, steps skipped. */
  readonly totals = { flushed: 0, merged: 0, rewritten: 0, expired: 0, cleaned: 0, orphans: 0, skipped: 0 };

  private constructor(
    readonly runtime: LakeRuntime,
    private readonly conn: DuckDBConnection,
    readonly options: ScheduleOptions,
    private readonly log: Logger,
  ) {}

  static async start(runtime: LakeRuntime, engine: Engine, options: ScheduleOptions, log: Logger): Promise<MaintenanceScheduler> {
    const conn = await engine.connect();
    const s = new MaintenanceScheduler(runtime, conn, options, log.child({ lake: runtime.name, component: 'maintenance' }));
    s.timer = setInterval(() => s.tick(), options.intervalMs);
    s.timer.unref();
    s.log.info(
      {
        intervalMs: options.intervalMs,
        flushRows: options.flushRows,
        smallFileSize: options.smallFileSize,
        maxFiles: options.maxFiles,
        retention: options.retentionMs,
        cleanup: options.cleanupMs,
        deleteOrphans: options.deleteOrphans,
      },
      'maintenance scheduled',
    );
    return s;
  }

  private tick(): void {
    if (this.stopping) return;
    if (this.running) {
      this.overlapped++;
      this.log.debug('previous maintenance run still going: skipped');
      return;
    }
    void this.runNow();
  }

  /** Runs now (or returns the running run). */
  runNow(): Promise<RunReport> {
    if (this.running) return this.running;
    const run = this.run().finally(() => {
      this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /** Stops the schedule after the running step (if any). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    try {
      this.conn.closeSync();
    } catch {
      /* engine already closed */
    }
  }

  private async run(): Promise<RunReport> {
    const t0 = Date.now();
    const o = this.options;
    const env: MaintenanceEnv = { runtime: this.runtime, conn: this.conn };
    const lake = this.runtime.lake;
    const report: RunReport = { flushed: [], merged: [], rewritten: [], expired: 0, cleaned: 0, orphans: 0, skipped: [], ms: 0 };
    const step = async (name: string, fn: () => Promise<void>) => {
      if (this.stopping) return;
      try {
        await fn();
      } catch (e) {
        const err = e as PgError;
        const reason = err.message ?? String(e);
        report.skipped.push({ step: name, reason });
        if (err instanceof PgError && err.code === SqlState.serializationFailure) this.log.info({ step: name, reason }, 'maintenance step lost to a concurrent commit; next run retries');
        else this.log.warn({ step: name, err: reason }, 'maintenance step failed');
      }
    };
    const writable = !lake.metadata.encrypted;
    if (writable) {
      await step('flush', async () => {
        const { snapshot, state } = await latest(env);
        const due: number[] = [];
        for (const t of [...state.tables.values()].sort((a, b) => a.id - b.id)) {
          if (due.length >= o.maxFiles) break;
          const n = await inlinedBacklog(lake, t, snapshot.id);
          if (n > 0 && n >= o.flushRows) due.push(t.id);
        }
        if (due.length === 0) return;
        for (const r of await flushInlinedData(env, { tableIds: due })) report.flushed.push({ table: `${r.schema}.${r.table}`, rows: r.rows });
      });
      await step('merge', async () => {
        for (const r of await mergeAdjacentFiles(env, { maxFileSize: o.smallFileSize, maxCompactedFiles: o.maxFiles }))
          report.merged.push({ table: `${r.schema}.${r.table}`, files: r.filesProcessed });
      });
      await step('rewrite', async () => {
        for (const r of await rewriteDataFiles(env, {})) report.rewritten.push({ table: `${r.schema}.${r.table}`, files: r.filesProcessed });
      });
    }
    const before = (ms: number): Instant => ({ text: new Date(Date.now() - ms).toISOString(), ms: Date.now() - ms });
    if (o.retentionMs !== null) {
      await step('expire', async () => {
        const ms = o.retentionMs;
        report.expired = (await expireSnapshots(env, ms === 'auto' ? {} : { olderThan: before(ms as number) })).length;
      });
    }
    if (o.cleanupMs !== null) {
      const ms = o.cleanupMs;
      const opts = ms === 'auto' ? {} : { olderThan: before(ms) };
      await step('cleanup', async () => {
        report.cleaned = (await cleanupOldFiles(env, opts)).length;
      });
      if (o.deleteOrphans) {
        await step('orphans', async () => {
          report.orphans = (await deleteOrphanedFiles(env, opts)).length;
        });
      }
    }
    report.ms = Date.now() - t0;
    this.runs++;
    this.last = report;
    const t = this.totals;
    t.flushed += report.flushed.reduce((n, f) => n + f.rows, 0);
    t.merged += report.merged.reduce((n, f) => n + f.files, 0);
    t.rewritten += report.rewritten.reduce((n, f) => n + f.files, 0);
    t.expired += report.expired;
    t.cleaned += report.cleaned;
    t.orphans += report.orphans;
    t.skipped += report.skipped.length;
    const did = report.flushed.length + report.merged.length + report.rewritten.length + report.expired + report.cleaned + report.orphans;
    if (did > 0 || report.skipped.length) this.log.info({ ...report }, 'maintenance run');
    else this.log.debug({ ms: report.ms }, 'maintenance run: nothing to do');
    return report;
  }
}
