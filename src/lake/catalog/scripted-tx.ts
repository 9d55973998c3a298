/**
 * A catalog transaction that sends its statements in as few round trips as it can: BEGIN goes
 * out with the first statement, deferred writes with the next query, and COMMIT with the last
 * statement (see CatalogTransaction.defer and commitWith). A commit of a small write thus takes
 * two or three round trips instead of one per statement.
 */
import type { CatalogTransaction, Row } from './store.js';
import { renderLiteralSql } from './literal-sql.js';

/** How a backend runs statements. */
export interface ScriptRunner {
  /**
   * Runs statements as one script and returns the rows of the statement at `resultIndex` (-1:
   * none wanted). Only that statement may return rows.
   */
  script(statements: string[], resultIndex: number): Promise<Row[]>;
  /** Runs one statement with bound parameters. */
  bound(sql: string, params: readonly unknown[]): Promise<Row[]>;
}

interface Pending {
  sql: string;
  params: readonly unknown[];
}

export class ScriptedTransaction implements CatalogTransaction {
  private queue: Pending[] = [];
  private beginSql: string | null;
  private done = false;

  constructor(
    readonly kind: 'duckdb' | 'postgres',
    private readonly runner: ScriptRunner,
    beginSql: string,
  ) {
    this.beginSql = beginSql;
  }

  /** Whether BEGIN was sent (the transaction must be rolled back on failure). */
  get began(): boolean {
    return this.beginSql === null;
  }

  get committed(): boolean {
    return this.done;
  }

  defer(sql: string, params: readonly unknown[] = []): void {
    this.assertOpen();
    this.queue.push({ sql, params });
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.assertOpen();
    return (await this.send({ sql, params })) as T[];
  }

  async exec(sql: string): Promise<void> {
    this.assertOpen();
    await this.send({ sql, params: [] });
  }

  async commitWith<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.assertOpen();
    const rows = await this.send({ sql, params }, 'COMMIT');
    this.done = true;
    return rows as T[];
  }

  /** COMMIT with whatever is still queued; nothing at all when nothing was ever run. */
  async commit(): Promise<void> {
    if (this.done) return;
    if (this.began || this.queue.length > 0) await this.send(undefined, 'COMMIT');
    this.done = true;
  }

  private assertOpen(): void {
    if (this.done) throw new Error('catalog transaction already committed');
  }

  /** Runs the queue, then `last` (its rows are returned), then `tail`. */
  private async send(last: Pending | undefined, tail?: string): Promise<Row[]> {
    const items = this.queue;
    this.queue = [];
    if (last) items.push(last);
    let segment: string[] = [];
    if (this.beginSql !== null) {
      segment.push(this.beginSql);
      this.beginSql = null;
    }
    let rows: Row[] = [];
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      const wanted = last !== undefined && k === items.length - 1;
      const text = renderLiteralSql(item.sql, item.params);
      if (text !== undefined) {
        segment.push(text);
        if (wanted) {
          const index = segment.length - 1;
          if (tail) segment.push(tail);
          tail = undefined;
          rows = await this.runner.script(segment, index);
          segment = [];
        }
        continue;
      }
      if (segment.length) await this.runner.script(segment, -1);
      segment = [];
      const r = await this.runner.bound(item.sql, item.params);
      if (wanted) rows = r;
    }
    if (tail) segment.push(tail);
    if (segment.length) await this.runner.script(segment, -1);
    return rows;
  }
}
