/**
 * Row sources feed DataRow messages into a sink (the client channel or a spool).
 *
 * A DuckDB connection can stream only one result at a time, so a suspended portal (Execute
 * with a row limit, or a cursor) that still holds a live DuckDB stream is "detached" into a
 * spool before anything else runs on the connection: its remaining rows are encoded once
 * and kept in memory up to a threshold, then in a temp file. Memory stays bounded either way.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { unlink } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DuckDBMaterializedResult, type DuckDBResult, type DuckDBDataChunk } from '@duckdb/node-api';
import { BufferWriter } from '../protocol/buffer-writer.js';
import type { ColumnEncoder, FieldWriter } from '../types/column-writer.js';

export interface RowSink {
  readonly writer: BufferWriter;
  /** Flushes when the buffer is large; may wait for backpressure. */
  maybeFlush(): Promise<void> | undefined;
  /** True when the consumer went away (client disconnected). */
  readonly closed: boolean;
}

export interface PumpResult {
  rows: number;
  done: boolean;
}

export interface RowSource {
  pump(sink: RowSink, maxRows: number, checkCancel: () => void): Promise<PumpResult>;
  /** Whether this source holds the DuckDB connection's single live stream. */
  readonly holdsConnection: boolean;
  /** Moves the remaining rows off the DuckDB connection (into a spool). */
  detach(spoolDir: string, checkCancel: () => void): Promise<RowSource>;
  close(): void;
  /**
   * Resolves once no DuckDB call of this source is running (a fetch may still be in flight
   * after close()); the connection must not be closed before.
   */
  settle?(): Promise<void>;
  /** Rows a spool holds (known once a stream was detached into it). */
  readonly rowCount?: number;
}

const DATA_ROW = 0x44;

/**
 * Streams a DuckDB result, encoding each chunk with the column encoders. A materialized result
 * (a statement known to return few rows) is read from memory without further DuckDB calls and
 * leaves the connection free.
 */
export class DuckRowSource implements RowSource {
  private chunk: DuckDBDataChunk | null = null;
  private writers: FieldWriter[] = [];
  private rowInChunk = 0;
  private nextChunk: Promise<DuckDBDataChunk | null> | null = null;
  private finished = false;
  private readonly materialized: DuckDBMaterializedResult | null;
  private chunkIndex = 0;
  holdsConnection: boolean;

  constructor(private readonly result: DuckDBResult, private encoders: readonly ColumnEncoder[]) {
    this.materialized = result instanceof DuckDBMaterializedResult ? result : null;
    this.holdsConnection = this.materialized === null;
  }

  get columnTypes() {
    return this.result.columnTypes();
  }

  /** Encodes the rows not sent yet with other encoders (a FETCH asking for another format). */
  setEncoders(encoders: readonly ColumnEncoder[]): void {
    this.encoders = encoders;
    const chunk = this.chunk;
    if (chunk) this.writers = encoders.map((e, i) => e.bind(chunk, i));
  }

  /** The latest DuckDB fetch (fetches run one after another), settled either way. */
  private inflight: Promise<void> | null = null;

  private startFetch(): Promise<DuckDBDataChunk | null> {
    const m = this.materialized;
    if (m) return Promise.resolve(this.chunkIndex < m.chunkCount ? m.getChunk(this.chunkIndex++) : null);
    const p = this.result.fetchChunk();
    this.inflight = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  settle(): Promise<void> {
    return this.inflight ?? Promise.resolve();
  }

  private fetch(): Promise<DuckDBDataChunk | null> {
    const p = this.nextChunk ?? this.startFetch();
    this.nextChunk = null;
    return p;
  }

  async pump(sink: RowSink, maxRows: number, checkCancel: () => void): Promise<PumpResult> {
    let rows = 0;
    const ncols = this.encoders.length;
    while (!this.finished && (maxRows === 0 || rows < maxRows)) {
      if (!this.chunk || this.rowInChunk >= this.chunk.rowCount) {
        checkCancel();
        const chunk = await this.fetch();
        if (!chunk || chunk.rowCount === 0) {
          // An interrupted DuckDB stream ends quietly; a requested cancel must surface as 57014.
          checkCancel();
          this.finished = true;
          this.holdsConnection = false;
          this.chunk = null;
          break;
        }
        this.chunk = chunk;
        this.rowInChunk = 0;
        this.writers = this.encoders.map((e, i) => e.bind(chunk, i));
        // Let DuckDB produce the next chunk while this one is encoded.
        this.nextChunk = this.startFetch();
        this.nextChunk.catch(() => undefined);
      }
      const w = sink.writer;
      const writers = this.writers;
      const n = this.chunk.rowCount;
      let r = this.rowInChunk;
      const limit = maxRows === 0 ? n : Math.min(n, r + (maxRows - rows));
      let rowStart = w.pos;
      try {
        for (; r < limit; r++) {
          rowStart = w.pos;
          w.begin(DATA_ROW);
          w.int16(ncols);
          for (let c = 0; c < ncols; c++) writers[c]!(w, r);
          w.end();
        }
      } catch (e) {
        // Never leave half a DataRow on the wire: the error response follows the complete rows.
        w.rollback(rowStart);
        rows += r - this.rowInChunk;
        this.rowInChunk = r;
        throw e;
      }
      rows += r - this.rowInChunk;
      this.rowInChunk = r;
      const pending = sink.maybeFlush();
      if (pending) await pending;
      if (sink.closed) break;
    }
    return { rows, done: this.finished };
  }

  async detach(spoolDir: string, checkCancel: () => void): Promise<RowSource> {
    const spool = new Spool(spoolDir);
    try {
      const { rows } = await this.pump(spool, 0, checkCancel);
      spool.rowCount = rows;
      await spool.seal();
    } catch (e) {
      spool.close();
      throw e;
    }
    this.close();
    return spool;
  }

  close(): void {
    this.finished = true;
    this.holdsConnection = false;
    this.chunk = null;
    this.nextChunk = null;
  }
}

const SPOOL_MEMORY_LIMIT = 4 * 1024 * 1024;

/** Encoded DataRow messages kept in memory, overflowing to a temp file. */
export class Spool implements RowSource, RowSink {
  writer = new BufferWriter(256 * 1024);
  readonly holdsConnection = false;
  readonly closed = false;
  rowCount?: number;
  private memory: Buffer[] = [];
  private memoryBytes = 0;
  private file?: FileHandle;
  private filePath?: string;
  private fileWritten = 0;
  private fileRead = 0;
  private pending: Buffer = Buffer.alloc(0);
  private done = false;

  constructor(private readonly dir: string) {}

  maybeFlush(): Promise<void> | undefined {
    if (this.writer.length >= 256 * 1024) return this.spill();
    return undefined;
  }

  private async spill(): Promise<void> {
    if (this.writer.length === 0) return;
    const data = this.writer.take();
    if (!this.file && this.memoryBytes + data.length <= SPOOL_MEMORY_LIMIT) {
      this.memory.push(data);
      this.memoryBytes += data.length;
      return;
    }
    if (!this.file) {
      this.filePath = path.join(this.dir, `lakegres-spool-${process.pid}-${randomBytes(6).toString('hex')}`);
      this.file = await open(this.filePath, 'w+');
    }
    await this.file.write(data, 0, data.length, this.fileWritten);
    this.fileWritten += data.length;
  }

  /** Ends the writing phase. */
  async seal(): Promise<void> {
    await this.spill();
  }

  private async readMore(): Promise<boolean> {
    if (this.memory.length > 0) {
      const next = this.memory.shift()!;
      this.pending = this.pending.length ? Buffer.concat([this.pending, next]) : next;
      return true;
    }
    if (this.file && this.fileRead < this.fileWritten) {
      const size = Math.min(1024 * 1024, this.fileWritten - this.fileRead);
      const buf = Buffer.allocUnsafe(size);
      const { bytesRead } = await this.file.read(buf, 0, size, this.fileRead);
      this.fileRead += bytesRead;
      const got = buf.subarray(0, bytesRead);
      this.pending = this.pending.length ? Buffer.concat([this.pending, got]) : got;
      return bytesRead > 0;
    }
    return false;
  }

  async pump(sink: RowSink, maxRows: number, checkCancel: () => void): Promise<PumpResult> {
    let rows = 0;
    while (maxRows === 0 || rows < maxRows) {
      if (this.pending.length < 5 || this.pending.length < 1 + this.pending.readInt32BE(1)) {
        checkCancel();
        if (!(await this.readMore())) {
          this.done = true;
          break;
        }
        continue;
      }
      const len = 1 + this.pending.readInt32BE(1);
      sink.writer.bytes(this.pending.subarray(0, len));
      this.pending = this.pending.subarray(len);
      rows++;
      const p = sink.maybeFlush();
      if (p) await p;
      if (sink.closed) break;
    }
    if (this.done) this.close();
    return { rows, done: this.done };
  }

  async detach(): Promise<RowSource> {
    return this;
  }

  close(): void {
    this.memory = [];
    this.pending = Buffer.alloc(0);
    const file = this.file;
    const filePath = this.filePath;
    this.file = undefined;
    this.filePath = undefined;
    if (file) void file.close().catch(() => undefined);
    if (filePath) unlink(filePath, () => undefined);
  }
}

/** Rows computed in JS (SHOW, synthesized results), already as text fields. */
export class StaticRowSource implements RowSource {
  readonly holdsConnection = false;
  private index = 0;

  constructor(private readonly rows: (string | null)[][]) {}

  async pump(sink: RowSink, maxRows: number): Promise<PumpResult> {
    let n = 0;
    while (this.index < this.rows.length && (maxRows === 0 || n < maxRows)) {
      const row = this.rows[this.index++]!;
      const w = sink.writer;
      w.begin(DATA_ROW).int16(row.length);
      for (const v of row) {
        if (v === null) w.int32(-1);
        else w.lenString(v);
      }
      w.end();
      n++;
      const p = sink.maybeFlush();
      if (p) await p;
    }
    // A row limit that is reached exactly suspends the portal, as in PostgreSQL (it does not
    // look ahead); the next Execute then finds no rows and completes.
    return { rows: n, done: this.index >= this.rows.length && (maxRows === 0 || n < maxRows) };
  }

  async detach(): Promise<RowSource> {
    return this;
  }

  close(): void {
    this.index = this.rows.length;
  }
}
