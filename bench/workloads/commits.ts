/**
 * 10. Single-row commits (issue 4 §7): autocommit INSERT / UPDATE / DELETE of one row with 1, 8
 * and 32 clients, on lakegres with its embedded catalog and with a PostgreSQL catalog, against
 * PostgreSQL itself and DuckDB in-process:
 *
 * - "own table each": every client writes its own table, so nothing conflicts logically; only
 *   races for the next snapshot id can happen (lakegres retries those internally);
 * - "one shared table": all clients write the same table (contention): DuckLake's conflict rules
 *   make concurrent UPDATEs/DELETEs of one table fail with 40001; the table shows successes,
 *   conflicts and successful commits per second.
 *
 * Every window is bounded in time and in operations.
 */
import pg from 'pg';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Ctx } from '../context.js';
import { errorText, now, percentile, type Cell, type Metric, type WorkloadResult } from '../harness.js';
import { promSum, type LakegresProcess } from '../systems.js';

const CLIENTS = [1, 8, 32];
const OPS = ['INSERT', 'UPDATE', 'DELETE'] as const;
type Op = (typeof OPS)[number];
type Mode = 'own' | 'shared';
/** Rows each table starts with (the ids UPDATE and DELETE pick from). */
const ROWS = 10_000;
const MAX_OPS = 50_000;

type Target = 'lakegres' | 'lakegres-pg' | 'postgres' | 'duckdb';
const TARGET_LABEL: Record<Target, string> = {
  lakegres: 'lakegres (embedded catalog)',
  'lakegres-pg': 'lakegres (PostgreSQL catalog)',
  postgres: 'PostgreSQL',
  duckdb: 'DuckDB in-process',
};

interface Window {
  ok: number;
  conflicts: number;
  otherErrors: number;
  firstError?: string;
  ms: number;
  p50: number;
  /** Internal commit retries lakegres reported meanwhile (undefined: not exposed). */
  retries?: number;
}

/** One client's way of running a statement with parameters. */
type Runner = (sql: string, params: unknown[]) => Promise<unknown>;

interface Session {
  run: Runner;
  close(): Promise<void>;
}

const isConflict = (e: unknown) => {
  const code = (e as { code?: string }).code;
  // DuckDB in-process reports write-write conflicts as TransactionContext errors.
  return code === '40001' || code === '40P01' || /conflict/i.test(String((e as Error)?.message ?? ''));
};

async function sessions(ctx: Ctx, t: Target, n: number, lg?: LakegresProcess): Promise<Session[]> {
  const out: Session[] = [];
  try {
    for (let i = 0; i < n; i++) {
      if (t === 'duckdb') {
        const conn: DuckDBConnection = await ctx.duck.instance.connect();
        out.push({
          run: (sql, params) => conn.run(sql, params.map((v) => (typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v)) as never),
          close: async () => conn.closeSync(),
        });
      } else {
        const c = new pg.Client(t === 'postgres' ? ctx.pgs.config() : lg!.config());
        c.on('error', () => undefined);
        await c.connect();
        out.push({ run: (sql, params) => c.query(sql, params), close: () => c.end().catch(() => undefined) });
      }
    }
    return out;
  } catch (e) {
    await Promise.all(out.map((s) => s.close()));
    throw e;
  }
}

const tableName = (mode: Mode, clients: number, i: number) => (mode === 'own' ? `cm_own_${clients}_${i}` : `cm_shared_${clients}`);

/** Runs `fn` in one transaction (one lake commit for many tables is several times faster). */
async function inTransaction(s: Session, fn: () => Promise<void>): Promise<void> {
  await s.run('BEGIN', []);
  try {
    await fn();
  } catch (e) {
    await s.run('ROLLBACK', []).catch(() => undefined);
    throw e;
  }
  await s.run('COMMIT', []);
}

/** Creates the tables of one block (untimed), each with ROWS rows. */
async function createTables(t: Target, s: Session, names: string[]): Promise<void> {
  for (const name of names) await s.run(`DROP TABLE IF EXISTS ${name}`, []);
  await inTransaction(s, () => createEach(t, s, names));
}

async function createEach(t: Target, s: Session, names: string[]): Promise<void> {
  for (const name of names) {
    if (t === 'postgres') {
      await s.run(`CREATE TABLE ${name} AS SELECT i::bigint AS id, (i % 100)::int AS k, i::float8 AS v, 'row ' || i AS s FROM generate_series(0, ${ROWS - 1}) AS g(i)`, []);
      // PostgreSQL as it is normally used: a primary key for the single-row changes.
      await s.run(`ALTER TABLE ${name} ADD PRIMARY KEY (id)`, []);
    } else {
      await s.run(`CREATE TABLE ${name} AS SELECT i::BIGINT AS id, (i % 100)::INTEGER AS k, i::DOUBLE AS v, 'row ' || i::VARCHAR AS s FROM range(${ROWS}) t(i)`, []);
    }
  }
}

async function dropTables(s: Session, names: string[]): Promise<void> {
  await inTransaction(s, async () => {
    for (const name of names) await s.run(`DROP TABLE IF EXISTS ${name}`, []);
  }).catch(() => undefined);
}

/** Internal commit retries counted by lakegres, if it exposes such a counter on /metrics. */
async function retryCounter(lg: LakegresProcess | undefined): Promise<number | undefined> {
  if (!lg) return undefined;
  try {
    return promSum(await lg.metrics(), /retr/i);
  } catch {
    return undefined;
  }
}

async function runWindow(ss: Session[], op: Op, mode: Mode, clients: number, windowMs: number, lg?: LakegresProcess): Promise<Window> {
  const w: Window = { ok: 0, conflicts: 0, otherErrors: 0, ms: 0, p50: NaN };
  const times: number[] = [];
  let total = 0;
  let sharedNext = 0;
  const ownNext = ss.map(() => 0);
  // Ids to delete: each existing id once (per table); the loop ends early when they run out.
  const nextDelete = (client: number): number | undefined => {
    if (mode === 'shared') return sharedNext < ROWS ? sharedNext++ : undefined;
    return ownNext[client]! < ROWS ? ownNext[client]!++ : undefined;
  };
  let seq = 0;
  const stmt = (client: number): { sql: string; params: unknown[] } | undefined => {
    const table = tableName(mode, clients, mode === 'own' ? client : 0);
    const n = seq++;
    switch (op) {
      case 'INSERT':
        return { sql: `INSERT INTO ${table} (id, k, v, s) VALUES ($1, $2, $3, $4)`, params: [ROWS + 1_000_000 * client + n, n % 100, n * 0.5, `new ${n}`] };
      case 'UPDATE':
        // A pseudo-random existing row (multiplicative hash of the sequence number).
        return { sql: `UPDATE ${table} SET v = v + 1 WHERE id = $1`, params: [(n * 2654435761) % ROWS] };
      case 'DELETE': {
        const id = nextDelete(client);
        return id === undefined ? undefined : { sql: `DELETE FROM ${table} WHERE id = $1`, params: [id] };
      }
    }
  };
  // One untimed statement per client first (connections, prepared paths, caches).
  await Promise.all(
    ss.map(async (s, i) => {
      const st = op === 'DELETE' ? undefined : stmt(i);
      if (st) await s.run(st.sql, st.params).catch(() => undefined);
    }),
  );
  const retries0 = await retryCounter(lg);
  const start = now();
  const deadline = start + windowMs;
  await Promise.all(
    ss.map(async (s, i) => {
      while (total < MAX_OPS && now() < deadline) {
        const st = stmt(i);
        if (!st) break;
        total++;
        const t0 = now();
        try {
          await s.run(st.sql, st.params);
          w.ok++;
          times.push(now() - t0);
        } catch (e) {
          if (isConflict(e)) w.conflicts++;
          else {
            w.otherErrors++;
            w.firstError ??= `${st.sql}: ${errorText(e)}`;
          }
        }
      }
    }),
  );
  w.ms = now() - start;
  w.p50 = percentile(times, 50);
  const retries1 = await retryCounter(lg);
  if (retries0 !== undefined && retries1 !== undefined) w.retries = retries1 - retries0;
  return w;
}

export async function commitsWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [];
  const errors: string[] = [];
  const windowMs = ctx.full ? 5_000 : 2_000;
  const results = new Map<string, Window | Error>();
  const key = (t: Target, mode: Mode, clients: number, op: Op) => `${t}|${mode}|${clients}|${op}`;
  let lgPg: LakegresProcess | undefined;
  let lgPgError: string | undefined;
  try {
    lgPg = await ctx.pgCatalog();
  } catch (e) {
    lgPgError = errorText(e);
    notes.push(`lakegres on a PostgreSQL catalog did not start: ${lgPgError}`);
  }
  const blocks: { mode: Mode; clients: number }[] = [...CLIENTS.map((clients) => ({ mode: 'own' as Mode, clients })), ...CLIENTS.filter((c) => c > 1).map((clients) => ({ mode: 'shared' as Mode, clients }))];
  for (const t of ['lakegres', 'lakegres-pg', 'postgres', 'duckdb'] as Target[]) {
    const lg = t === 'lakegres' ? ctx.lg : t === 'lakegres-pg' ? lgPg : undefined;
    for (const b of blocks) {
      const fail = (e: unknown) => {
        for (const op of OPS) if (!results.has(key(t, b.mode, b.clients, op))) results.set(key(t, b.mode, b.clients, op), e instanceof Error ? e : new Error(String(e)));
      };
      if (t === 'lakegres-pg' && !lgPg) {
        fail(new Error(`not started: ${lgPgError}`));
        continue;
      }
      let ss: Session[] = [];
      const names = b.mode === 'own' ? Array.from({ length: b.clients }, (_, i) => tableName('own', b.clients, i)) : [tableName('shared', b.clients, 0)];
      try {
        ss = await sessions(ctx, t, b.clients, lg);
        await createTables(t, ss[0]!, names);
        for (const op of OPS) {
          try {
            results.set(key(t, b.mode, b.clients, op), await runWindow(ss, op, b.mode, b.clients, windowMs, lg));
          } catch (e) {
            results.set(key(t, b.mode, b.clients, op), e as Error);
          }
        }
        await dropTables(ss[0]!, names);
      } catch (e) {
        fail(e);
      } finally {
        await Promise.all(ss.map((s) => s.close()));
      }
      ctx.log(`commits: ${TARGET_LABEL[t]}, ${b.clients} client(s), ${b.mode === 'own' ? 'own table each' : 'one shared table'} done`);
    }
  }

  const get = (t: Target, mode: Mode, clients: number, op: Op, f: (w: Window) => number, note?: string): Cell => {
    const w = results.get(key(t, mode, clients, op));
    if (!w) return { error: 'not run' };
    if (w instanceof Error) return { error: errorText(w) };
    if (w.ok === 0 && w.otherErrors > 0) return { error: w.firstError ?? 'every statement failed' };
    return { value: f(w), note };
  };
  const rate = (w: Window) => w.ok / (w.ms / 1000);
  const conflictPct = (w: Window) => (100 * w.conflicts) / Math.max(1, w.ok + w.conflicts + w.otherErrors);
  const metrics: Metric[] = [];
  for (const b of blocks) {
    for (const op of OPS) {
      const what = `${op} 1 row, ${b.clients} client${b.clients > 1 ? 's' : ''}, ${b.mode === 'own' ? 'own table each' : 'one shared table'}`;
      // Concurrent changes of one table conflict by DuckLake's rules: those rows are reported but
      // left out of the summary's means, which they would dominate.
      const byDesign = b.mode === 'shared' && op !== 'INSERT';
      metrics.push({
        name: `${what}: commits/s, embedded catalog`,
        unit: 'commits/s',
        better: 'higher',
        cells: { lakegres: get('lakegres', b.mode, b.clients, op, rate), duckdb: get('duckdb', b.mode, b.clients, op, rate, 'in-process'), postgres: get('postgres', b.mode, b.clients, op, rate) },
        noSummary: byDesign ? true : ['duckdb'],
      });
      metrics.push({
        name: `${what}: commits/s, PostgreSQL catalog`,
        unit: 'commits/s',
        better: 'higher',
        cells: { lakegres: get('lakegres-pg', b.mode, b.clients, op, rate), postgres: get('postgres', b.mode, b.clients, op, rate) },
        noSummary: byDesign,
      });
      if (b.mode === 'shared' && op !== 'INSERT') {
        for (const [t, label] of [
          ['lakegres', 'embedded catalog'],
          ['lakegres-pg', 'PostgreSQL catalog'],
        ] as const) {
          metrics.push({
            name: `${what}: conflicts (40001) per 100 attempts, ${label}`,
            unit: '%',
            better: 'lower',
            cells: { lakegres: get(t, b.mode, b.clients, op, conflictPct), duckdb: get('duckdb', b.mode, b.clients, op, conflictPct, 'in-process'), postgres: get('postgres', b.mode, b.clients, op, conflictPct) },
            noSummary: true,
            noRatio: true,
          });
        }
      }
    }
  }

  // Successes, conflicts and ops/s of every window, and internal retries where lakegres reports them.
  let retriesExposed = false;
  const lines: string[] = [];
  for (const t of ['lakegres', 'lakegres-pg', 'postgres', 'duckdb'] as Target[]) {
    const parts: string[] = [];
    for (const b of blocks) {
      for (const op of OPS) {
        const w = results.get(key(t, b.mode, b.clients, op));
        if (!w || w instanceof Error) continue;
        if (w.retries !== undefined) retriesExposed = true;
        parts.push(
          `${op}/${b.clients}${b.mode === 'shared' ? '/shared' : ''}: ${w.ok} ok, ${w.conflicts} conflicts, ${w.otherErrors} other errors, ${rate(w).toFixed(1)} commits/s, p50 ${w.p50.toFixed(1)} ms${w.retries !== undefined ? `, ${w.retries} internal retries` : ''}`,
        );
        if (w.firstError) errors.push(`${TARGET_LABEL[t]}, ${op}, ${b.clients} clients, ${b.mode === 'own' ? 'own tables' : 'shared table'}: ${w.otherErrors} statement(s) failed, first: ${w.firstError}`);
      }
    }
    if (parts.length) lines.push(`${TARGET_LABEL[t]} — ${parts.join('; ')}`);
  }
  notes.push(
    `Each window: ${windowMs / 1000} s (at most ${MAX_OPS.toLocaleString('en-US')} statements) after one untimed statement per client; autocommit statements with parameters (extended protocol): INSERT INTO t VALUES ($1..$4), UPDATE t SET v = v + 1 WHERE id = $1 (pseudo-random existing id), DELETE FROM t WHERE id = $1 (each id once; a window ends early when they run out).`,
    `Tables: ${ROWS.toLocaleString('en-US')} rows each (id, k, v, s), created (in one transaction) per block of windows (INSERT, then UPDATE, then DELETE on the same tables); PostgreSQL with a primary key on id, lakegres with the default inlining limit (single-row inserts and deletes are inlined in the catalog).`,
    'UPDATE and DELETE on one shared table are left out of the summary\'s means: DuckLake makes concurrent changes of one table conflict by design, so those rows measure the conflict rules (see the conflict rows) more than commit speed.',
    'lakegres on a PostgreSQL catalog = a second lakegres process with --catalog postgres://.../lakegres_catalog on the benchmark\'s PostgreSQL (so PostgreSQL\'s CPU figures include that catalog work). commits/s counts successful statements only; conflicts = SQLSTATE 40001 (DuckDB in-process: its "Conflict" errors).',
    retriesExposed
      ? 'Internal retries: the increase of lakegres\' retry counter on /metrics during each window.'
      : 'Internal retries (lost snapshot-id races lakegres retries itself) are not measured: lakegres exposes no counter for them (none of its /metrics names contains "retr"); only conflicts that reach the client are counted.',
    ...lines,
  );
  return { name: 'commits', title: '10. Single-row commits: 1, 8 and 32 clients, embedded and PostgreSQL catalogs, contention on one table', metrics, notes, errors, seconds: 0 };
}
