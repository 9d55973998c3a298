/**
 * Parsing with PostgreSQL's grammar (libpg_query through pgsql-parser), cached by statement
 * text in a bounded LRU. Text that PostgreSQL cannot parse (DuckDB dialect, or an error the
 * engine will report) is cached as such, so it is never tried twice.
 */
import { parseSync } from 'pgsql-parser';
import type { Node } from './ast.js';

/** A least-recently-used map bounded by entry count. */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
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

const cache = new Lru<string, Parsed>(1000);

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
  if (text.length <= MAX_CACHED_TEXT) cache.set(text, { stmt });
  return stmt;
}

export function parseCacheStats(): { size: number; hits: number; misses: number } {
  return { size: cache.size, hits: cache.hits, misses: cache.misses };
}

export function clearParseCache(): void {
  cache.clear();
}
