/**
 * Two node-postgres "submittables" (the mechanism pg-cursor and pg-copy-streams use): COPY FROM
 * STDIN fed from a file, and a query whose rows are only counted (rows and bytes of DataRow
 * messages), in text (simple protocol) or binary (extended protocol, binary result format).
 */
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import type pg from 'pg';

/* node-postgres' Connection is not part of its typings. */
interface PgConnection {
  query(text: string): void;
  parse(q: { text: string; name?: string; types?: number[] }): void;
  bind(c: { portal?: string; statement?: string; values?: unknown[]; binary?: boolean }): void;
  describe(c: { type: 'P' | 'S'; name?: string }): void;
  execute(c: { portal?: string; rows?: number }): void;
  sync(): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(msg: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean; destroyed?: boolean };
}

abstract class Submittable<T> {
  callback?: (err: Error | null, res?: T) => void;
  protected error?: Error;
  private resolve!: (v: T) => void;
  private reject!: (e: Error) => void;
  readonly done: Promise<T>;

  constructor() {
    this.done = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.done.catch(() => undefined);
  }
  abstract submit(connection: PgConnection): void;
  protected abstract result(): T;
  handleRowDescription(): void {}
  handleDataRow(_msg: { length: number }): void {}
  handleCommandComplete(_msg: { text: string }): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(_connection: PgConnection): void {}
  handleCopyData(): void {}
  handleError(err: Error): void {
    this.error ??= err;
  }
  handleReadyForQuery(): void {
    if (this.error) {
      this.callback?.(this.error);
      this.reject(this.error);
    } else {
      const r = this.result();
      this.callback?.(null, r);
      this.resolve(r);
    }
  }
}

export interface CopyResult {
  rows: number;
  bytes: number;
}

/** `COPY ... FROM STDIN` with the bytes of `file`, sent in 256 kB CopyData messages with backpressure. */
export class CopyFromFile extends Submittable<CopyResult> {
  private rows = 0;
  private bytes = 0;
  constructor(
    private readonly sql: string,
    private readonly file: string,
  ) {
    super();
  }
  submit(connection: PgConnection): void {
    connection.query(this.sql);
  }
  override handleCopyInResponse(connection: PgConnection): void {
    void (async () => {
      try {
        const input = createReadStream(this.file, { highWaterMark: 256 * 1024 });
        for await (const chunk of input as AsyncIterable<Buffer>) {
          if (this.error) break;
          connection.sendCopyFromChunk(chunk);
          this.bytes += chunk.length;
          if (connection.stream.writableNeedDrain) await once(connection.stream, 'drain');
        }
        if (this.error) return;
        connection.endCopyFrom();
      } catch (e) {
        this.error ??= e as Error;
        connection.sendCopyFail(String((e as Error).message));
      }
    })();
  }
  override handleCommandComplete(msg: { text: string }): void {
    const m = /(\d+)$/.exec(msg.text);
    if (m) this.rows = Number(m[1]);
  }
  protected result(): CopyResult {
    return { rows: this.rows, bytes: this.bytes };
  }
}

export interface CountResult {
  rows: number;
  /** Bytes of the DataRow messages (type byte and length word included). */
  bytes: number;
  /** Time from submit to the first DataRow, ms. */
  firstRowMs: number;
}

/** Runs a query and only counts its rows; binary = extended protocol with binary results. */
export class CountRows extends Submittable<CountResult> {
  private rows = 0;
  private bytes = 0;
  private start = 0;
  private first = NaN;
  constructor(
    private readonly sql: string,
    private readonly binary: boolean,
    private readonly onRow?: (rows: number) => void,
  ) {
    super();
  }
  submit(connection: PgConnection): void {
    this.start = performance.now();
    if (!this.binary) {
      connection.query(this.sql);
      return;
    }
    connection.parse({ text: this.sql, name: '', types: [] });
    connection.bind({ portal: '', statement: '', values: [], binary: true });
    connection.describe({ type: 'P', name: '' });
    connection.execute({ portal: '', rows: 0 });
    connection.sync();
  }
  override handleDataRow(msg: { length: number }): void {
    if (this.rows === 0) this.first = performance.now() - this.start;
    this.rows++;
    this.bytes += msg.length + 1;
    if (this.onRow && (this.rows & 0x3fff) === 0) this.onRow(this.rows);
  }
  protected result(): CountResult {
    return { rows: this.rows, bytes: this.bytes, firstRowMs: this.first };
  }
}

export async function copyFromFile(client: pg.Client, sql: string, file: string): Promise<CopyResult> {
  const q = new CopyFromFile(sql, file);
  client.query(q as unknown as pg.QueryConfig);
  return q.done;
}

export async function countRows(client: pg.Client, sql: string, binary: boolean): Promise<CountResult> {
  const q = new CountRows(sql, binary);
  client.query(q as unknown as pg.QueryConfig);
  return q.done;
}
