/**
 * Parsing with PostgreSQL's grammar (libpg_query through pgsql-parser), cached by statement
 * text in a bounded LRU. Text that PostgreSQL cannot parse (DuckDB dialect, or an error the
 * engine will report) is cached as such, so it is never tried twice.
 */
import { parseSync } from 'pgsql-parser';
import type { Node } from './ast.js';

/** A least-recently-used map bounded by entry count and, optionally, by the total weight of its entries. */
export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private weight = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly capacity: number,
    readonly maxWeight = Infinity,
  ) {}

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  set(key: K, value: V, weight = 0): void {
    const old = this.map.get(key);
    if (old) {
      this.weight -= old.weight;
      this.map.delete(key);
    }
    this.map.set(key, { value, weight });
    this.weight += weight;
    while (this.map.size > this.capacity || (this.weight > this.maxWeight && this.map.size > 1)) {
      const k = this.map.keys().next().value as K;
      this.weight -= this.map.get(k)!.weight;
      this.map.delete(k);
    }
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
    this.weight = 0;
    this.hits = 0;
    this.misses = 0;
  }
}

/** Statements longer than this are parsed every time rather than cached (bulk INSERTs). */
export const MAX_CACHED_TEXT = 64 * 1024;

export interface Parsed {
  /** The one statement of the text (payload wrapped: `{ SelectStmt: ... }`), null when it did not parse or held several. */
  stmt: Node | null;
}

/** At most 2000 statements and 2M characters of statement text (the trees are ~30x the text in memory). */
const cache = new Lru<string, Parsed>(2000, 2_000_000);

/** Timings for the report and the benchmark: totals in milliseconds. */
export const parseStats = { parses: 0, parseMs: 0, failures: 0 };

/** The PostgreSQL parse tree of one statement, or null (not PostgreSQL syntax, or not one statement). Do not mutate it. */
export function parsePostgres(text: string): Node | null {
  const cached = cache.get(text);
  if (cached) return cached.stmt;
  const t0 = performance.now();
  let stmt: Node | null = null;
  try {
    const r = parseSync(text) as { stmts?: { stmt: Node }[] };
    if (r.stmts && r.stmts.length === 1) stmt = r.stmts[0]!.stmt;
  } catch {
    parseStats.failures++;
  }
  parseStats.parses++;
  parseStats.parseMs += performance.now() - t0;
  if (text.length <= MAX_CACHED_TEXT) cache.set(text, { stmt }, text.length);
  return stmt;
}

export function parseCacheStats(): { size: number; hits: number; misses: number } {
  return { size: cache.size, hits: cache.hits, misses: cache.misses };
}

export function clearParseCache(): void {
  cache.clear();
}
