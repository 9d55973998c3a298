/**
 * One client session: the protocol state machine over one DuckDB connection.
 *
 * Messages are handled strictly in order. The simple-query path splits a Query message into
 * statements (one result each, PostgreSQL's implicit-transaction rules); the extended path
 * keeps named statements and portals, describes without executing, honours Execute row
 * limits with PortalSuspended, and skips to Sync after an error.
 */
import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBResult, DuckDBType } from '@duckdb/node-api';
import { ResultReturnType, StatementType, DuckDBTypeId, VARCHAR } from '@duckdb/node-api';
import type { Logger } from 'pino';
import * as be from '../protocol/backend.js';
import type { FieldDescription } from '../protocol/backend.js';
import type { FrontendMessage } from '../protocol/frontend.js';
import { PgError, SqlState } from '../errors/pg-error.js';
import { fromDuckDBError } from '../errors/duckdb-errors.js';
import { splitStatements, LexError, maxParamNumber, tokenize, type StatementSlice } from '../sql/lexer.js';
import type { LakeSession, PreparedLakeWrite } from '../lake/lake-session.js';
import type { LakeStatement } from '../lake/sql/lake-statements.js';
import { LakeRouting } from './lake-routing.js';
import { classify, type Statement } from '../sql/classify.js';
import { commandTag, statementReturnsRows } from '../sql/command-tag.js';
import { pgTypeOf, pgColumnType, duckTypeNameForOid } from '../types/mapping.js';
import { columnEncoder } from '../types/column-writer.js';
import type { FormatContext } from '../types/format-context.js';
import { TimeZone } from '../types/datetime.js';
import { bindParams } from '../types/params.js';
import { Oid } from '../types/pg-types.js';
import { Channel } from './channel.js';
import { SessionSettings, settingDef } from './settings.js';
import { TransactionState } from './transaction.js';
import { DuckRowSource, StaticRowSource, type RowSource, type RowSink } from './row-source.js';
import { UtilityRunner } from './utility.js';
import { CopyIn } from './copy-in.js';
import { applySessionVariables, refreshActivity } from '../pgcompat/session-vars.js';
import { BufferWriter } from '../protocol/buffer-writer.js';
import type { Metrics } from '../server/http.js';
import { pgResultColumns, pgParameterTypes } from '../pgcompat/result-columns.js';
import { hasBoundedResult } from '../sql/bounded-result.js';
import { StatementCache } from './statement-cache.js';
import { readAll } from '../engine/rows.js';

export interface SessionHost {
  readonly spoolDir: string;
  readonly slowStatementMs: number;
  readonly log: Logger;
  /** Names of the databases (lakes) of the server. */
  readonly databases: readonly string[];
  readonly metrics?: Metrics;
  /** Called when the session ends, for bookkeeping (connection counts, pg_stat_activity). */
  sessionClosed(session: Session): void;
}

export interface SessionIdentity {
  pid: number;
  secret: number;
  user: string;
  database: string;
  applicationName: string;
  clientAddress: string;
}

/** A parsed statement kept for Bind/Execute (named or unnamed). */
export interface PreparedEntry {
  name: string;
  sql: string;
  slice: StatementSlice | null;
  stmt: Statement;
  /** OIDs reported in ParameterDescription (and used to decode binary parameters). */
  paramOids: number[];
  /** DuckDB's parameter types (for text parameter conversion). */
  duckParamTypes: (DuckDBType | undefined)[];
  duck?: DuckDBPreparedStatement;
  /** Columns from prepare metadata; null when the statement returns no rows. */
  columns: { name: string; type: DuckDBType }[] | null;
  /**
   * Parameters DuckDB could not type and the client did not declare, where treating them as
   * text did not bind: each portal gets a statement cast to the types of its bound values.
   */
  deferredParams?: number[];
  /** Parameter types declared by Parse (kept to prepare the statement again). */
  declared?: number[];
  /** Statements that touch the lake: what Execute needs to run them again (see lakeExecution). */
  lake?: LakeEntry;
  /** StatementCache.epoch when prepared (what names and settings meant then). */
  epoch?: number;
}

interface LakeEntry {
  /** The statement as the client sent it. */
  original: StatementSlice;
  write?: LakeStatement;
  /** The write prepared by Parse, until the first Execute uses it. */
  pending?: { w: PreparedLakeWrite; rollbacks: number; inTransaction: boolean };
  /** What the statement was prepared against (LakeSession.stateKey). */
  state: string;
  /** The text DuckDB prepared differs from the client's (it embeds lake data: redo per Execute). */
  rewritten: boolean;
}

export interface Portal {
  name: string;
  entry: PreparedEntry;
  params: (Buffer | null)[];
  paramFormats: number[];
  resultFormats: number[];
  source?: RowSource;
  fields?: FieldDescription[];
  rowsSoFar: number;
  /** Tag to send when the source is exhausted. */
  finalTag?: (rows: number) => string;
  /**
   * Set once the portal ran to completion: the tag a re-Execute sends (PostgreSQL then returns
   * no rows and a count of 0).
   */
  completed?: string;
  /** A portal without a result set ran; PostgreSQL refuses to run it again (55000). */
  ran?: boolean;
  /**
   * Bound while the transaction block was failed (then only ROLLBACK/COMMIT can be bound).
   * Portals bound before the failure cannot run any more, as in PostgreSQL.
   */
  boundWhileFailed?: boolean;
  /** Statement specialised for this portal's parameter values (see PreparedEntry.deferredParams). */
  duck?: DuckDBPreparedStatement;
  columns?: { name: string; type: DuckDBType }[] | null;
  /** RowDescription sent by Describe (portal); Execute encodes to match it. */
  described?: FieldDescription[] | null;
  cursor?: { hold: boolean; binary: boolean; declaredInTransaction: boolean };
  /** A lake statement prepared again for this execution (see lakeExecution). */
  exec?: PreparedEntry;
}

export type CancelReason = 'user' | 'timeout' | 'shutdown' | 'disconnect';

const EMPTY_ENTRY_STMT: Statement = { kind: 'duckdb' };

export class Session {
  readonly settings: SessionSettings;
  readonly tx: TransactionState;
  readonly statements = new Map<string, PreparedEntry>();
  readonly portals = new Map<string, Portal>();
  readonly startedAt = new Date();
  state: 'idle' | 'active' | 'idle in transaction' | 'idle in transaction (aborted)' | 'disabled' = 'idle';
  currentQuery = '';
  queryStartedAt?: Date;

  private queue: FrontendMessage[] = [];
  private queuedBytes = 0;
  private processing = false;
  private skipUntilSync = false;
  /** An error happened in the current extended-protocol pipeline (rolls back its implicit block). */
  private pipelineFailed = false;
  private copyIn: CopyIn | null = null;
  /** Messages that arrived during a COPY but belong to the main flow (processed after it). */
  private copyOverflow: FrontendMessage[] = [];
  private cancelReason: CancelReason | null = null;
  private executing = false;
  private statementTimer?: NodeJS.Timeout;
  private idleTimer?: NodeJS.Timeout;
  private terminated = false;
  private readonly utility: UtilityRunner;
  /** Simple-protocol SELECTs prepared once per text (cleared when names may bind differently). */
  private readonly queryCache: StatementCache;
  private formatCtx!: FormatContext;
  private timeZone!: TimeZone;
  private onQueueDrained?: () => void;

  constructor(
    readonly id: SessionIdentity,
    readonly channel: Channel,
    readonly conn: DuckDBConnection,
    settings: SessionSettings,
    private readonly host: SessionHost,
    private readonly log: Logger,
    lake?: LakeSession,
  ) {
    this.settings = settings;
    this.tx = new TransactionState(conn);
    this.utility = new UtilityRunner(this);
    this.queryCache = new StatementCache(conn);
    this.refreshFormatContext();
    if (lake) this.routing = new LakeRouting(this, lake);
  }

  /** The session's lake (absent only for sessions without one, in tests of the protocol layer). */
  readonly routing?: LakeRouting;

  get userName(): string {
    return this.id.user;
  }

  allLakes(): string[] {
    return [...this.host.databases];
  }

  databaseSwitched(): void {
    this.duckSettingsDirty = true;
    this.queryCache.clear();
  }

  // ---------------------------------------------------------------- queueing

  get pendingBytes(): number {
    return this.queuedBytes + (this.copyIn?.pendingBytes ?? 0);
  }

  /** Registers a callback for when the input queue is empty again (socket resume). */
  whenDrained(cb: () => void): void {
    this.onQueueDrained = cb;
  }

  enqueue(msg: FrontendMessage, size: number): void {
    if (this.terminated) return;
    if (this.copyIn) {
      // COPY data flows while the COPY statement itself is still executing.
      this.copyIn.enqueue(msg, size, (other) => this.copyOverflow.push(other));
      return;
    }
    this.queue.push(msg);
    this.queuedBytes += size;
    (msg as { __size?: number }).__size = size;
    this.clearIdleTimer();
    if (!this.processing) void this.processQueue();
  }

  private async processQueue(): Promise<void> {
    this.processing = true;
    try {
      while (this.queue.length > 0 && !this.terminated) {
        const msg = this.queue.shift()!;
        this.queuedBytes -= (msg as { __size?: number }).__size ?? 0;
        try {
          await this.handle(msg);
        } catch (e) {
          await this.fatal(e);
          return;
        }
        if (this.queue.length === 0 || this.queuedBytes < 1024 * 1024) {
          const cb = this.onQueueDrained;
          this.onQueueDrained = undefined;
          cb?.();
        }
      }
    } finally {
      this.processing = false;
    }
    if (!this.terminated) this.armIdleTimer();
  }

  /** Unrecoverable: report FATAL and close the connection. */
  async fatal(e: unknown): Promise<void> {
    const err = e instanceof PgError ? e : new PgError(SqlState.internalError, (e as Error)?.message ?? String(e));
    const fatalErr = err.severity === 'FATAL' ? err : new PgError(err.code, err.message, { severity: 'FATAL', detail: err.detail, hint: err.hint });
    if (err.code === SqlState.internalError) this.log.error({ err: e }, 'session failed');
    try {
      be.errorResponse(this.channel.writer, fatalErr);
      await this.channel.end();
    } catch {
      /* connection already gone */
    }
    await this.terminate('disconnect');
  }

  // ---------------------------------------------------------------- message dispatch

  private async handle(msg: FrontendMessage): Promise<void> {
    switch (msg.kind) {
      case 'query':
        // After an extended-protocol error PostgreSQL ignores everything up to Sync, Query included.
        if (this.skipUntilSync) return;
        return this.simpleQuery(msg.sql);
      case 'invalid':
        // FATAL (unknown message type, bad length) ends the session in order (processQueue).
        if (msg.error.severity === 'FATAL') throw msg.error;
        if (this.skipUntilSync && msg.type !== 0x53) return;
        if (msg.extended) return this.extendedError(msg.error);
        // A malformed Query/Sync/FunctionCall: ERROR, the transaction aborts, ReadyForQuery.
        this.reportError(msg.error);
        this.pipelineFailed = true;
        if (!this.tx.implicit) this.tx.fail();
        return this.sync();
      case 'parse':
      case 'bind':
      case 'describe':
      case 'execute':
      case 'close':
        if (this.skipUntilSync) return;
        try {
          await this.extended(msg);
        } catch (e) {
          await this.extendedError(e);
        }
        return;
      case 'sync':
        return this.sync();
      case 'flush':
        return this.channel.flush();
      case 'terminate':
        await this.channel.flush();
        this.channel.destroy();
        return this.terminate('disconnect');
      case 'copyData':
      case 'copyDone':
      case 'copyFail':
        // Ignored outside COPY, as PostgreSQL does (the client may still be sending after a failed COPY).
        return;
      case 'functionCall':
        if (this.skipUntilSync) return;
        // An error like any other: a transaction block becomes failed.
        this.reportError(new PgError(SqlState.featureNotSupported, 'the fast-path function call interface is not supported'));
        this.pipelineFailed = true;
        if (!this.tx.implicit) this.tx.fail();
        return this.sync();
      case 'password':
        throw new PgError(SqlState.protocolViolation, 'unexpected password message', { severity: 'FATAL' });
    }
  }

  // ---------------------------------------------------------------- simple query

  private async simpleQuery(sql: string): Promise<void> {
    const w = this.channel.writer;
    this.beginActivity(sql);
    // A Query message drops the unnamed statement, as in PostgreSQL (the unnamed portal goes
    // when a statement of the message runs).
    this.dropUnnamedStatement();
    let slices: StatementSlice[];
    try {
      slices = splitStatements(sql);
      // An empty query still ends the transaction of the message (below), as in PostgreSQL.
      if (slices.length === 0) be.emptyQueryResponse(w);
    } catch (e) {
      const err = e instanceof LexError ? new PgError(SqlState.syntaxError, e.message, { position: e.position + 1 }) : fromDuckDBError(e);
      this.reportError(err);
      // Like any error: a block fails, an implicit transaction rolls back.
      if (this.tx.implicit) await this.tx.rollback();
      else this.tx.fail();
      slices = [];
    }
    const multi = slices.length > 1;
    for (const slice of slices) {
      if (this.terminated) return;
      const stmt = this.classifyOrError(slice);
      try {
        if (this.tx.state === 'failed' && !isTransactionExit(stmt)) throw abortedError();
        const unnamedPortal = this.portals.get('');
        if (unnamedPortal) await this.closePortal(unnamedPortal);
        // Multi-statement messages run in one implicit transaction unless they manage their own.
        if (multi && this.tx.state === 'idle' && !this.tx.duckOpen && needsImplicitBlock(stmt)) {
          await this.openImplicitBlock();
        }
        await this.runStatement(slice, stmt, { simple: true, offset: slice.offset });
      } catch (e) {
        const err = this.toPgError(e, slice);
        // Positions are relative to the statement; the client counts from the start of its query string.
        if (err.position !== undefined && slice.offset > 0) err.position += [...sql.slice(0, slice.offset)].length;
        this.reportError(err);
        if (this.tx.implicit) await this.tx.rollback();
        else this.tx.fail();
        break;
      }
    }
    if (this.tx.implicit && this.tx.duckOpen && this.tx.state === 'idle') {
      try {
        await this.tx.commit();
      } catch (e) {
        this.reportError(this.toPgError(e));
      }
      this.afterTransactionEnd(true);
    }
    // Outside a block the Query's transaction ended: its portals (and those of an extended
    // pipeline it joined) go away. A failed block keeps them until ROLLBACK, as PostgreSQL does.
    if (this.tx.state === 'idle') this.closeTransactionPortals();
    this.endActivity();
    return this.readyForQuery();
  }

  private classifyOrError(slice: StatementSlice): Statement {
    try {
      return classify(slice, { isKnownSetting: (n) => settingDef(n) !== undefined });
    } catch (e) {
      return { kind: 'unsupported', error: e instanceof PgError ? e : new PgError(SqlState.syntaxError, (e as Error).message) };
    }
  }

  private async readyForQuery(): Promise<void> {
    if (this.routing && this.tx.state === 'idle' && ![...this.portals.values()].some((p) => p.source)) this.routing.idle();
    for (const [name, value] of this.settings.pendingReports()) be.parameterStatus(this.channel.writer, name, value);
    be.readyForQuery(this.channel.writer, this.tx.status);
    this.updateIdleState();
    await this.channel.flush();
  }

  // ---------------------------------------------------------------- statement execution (both protocols)

  /**
   * Runs one statement. In simple mode RowDescription is sent before rows; extended mode
   * goes through a portal instead (see executePortal).
   */
  private async runStatement(slice: StatementSlice, stmt: Statement, opts: { simple: boolean; offset: number }): Promise<void> {
    if (stmt.kind !== 'duckdb') {
      if (!KEEPS_BINDINGS.has(stmt.kind)) this.queryCache.clear();
      const entry = this.makeEntry('', slice.text, slice, stmt);
      const portal: Portal = { name: '', entry, params: [], paramFormats: [], resultFormats: [], rowsSoFar: 0 };
      await this.utility.run(portal, 0, true);
      return;
    }
    await this.releaseConnection();
    this.startStatementTimer();
    let result: DuckDBResult;
    let lakeWrite: PreparedLakeWrite | undefined;
    try {
      const t0 = Date.now();
      let target = slice;
      let cacheable = true;
      if (this.routing) {
        await this.routing.begin();
        const routed = await this.routing.route(slice);
        target = routed.slice;
        cacheable = routed.reprepare !== true;
        if (routed.write) {
          this.routing.assertWritable(routed.slice);
          lakeWrite = await this.routing.prepareWrite(routed.write, routed.slice);
          const staged = lakeWrite.sql === null ? null : sliceOf(lakeWrite.sql, slice.offset);
          await this.executeLakeWrite(lakeWrite, routed.slice, staged, () => this.conn.stream(staged!.text), { simple: true, formats: [], maxRows: 0, source: slice.text });
          this.noteSlow(slice.text, t0);
          return;
        }
      }
      try {
        result = await this.withReadOnlyGuard(() => this.startQuery(target, cacheable));
      } catch (e) {
        throw this.toPgError(e, target);
      }
      await this.consumeResult(result, target, { simple: true, formats: [], maxRows: 0, source: slice.text });
      this.noteSlow(slice.text, t0);
    } catch (e) {
      await lakeWrite?.abort();
      throw e;
    } finally {
      this.stopStatementTimer();
    }
  }

  /**
   * Starts a simple-protocol statement: materialized in one DuckDB call when its text bounds the
   * result to a few rows, streamed otherwise; SELECTs are prepared once per text.
   */
  private async startQuery(slice: StatementSlice, cacheable: boolean): Promise<DuckDBResult> {
    const key = `${this.routing?.lake.stateKey ?? ''}\u0000${slice.text}`;
    let prepared: DuckDBPreparedStatement;
    try {
      prepared = cacheable ? await this.queryCache.get(key, slice.text) : await this.conn.prepare(slice.text);
    } catch (e) {
      // Text DuckDB reads as several statements (lakegres split it as one): run them in turn.
      if (e instanceof Error && /multiple statements/i.test(e.message)) return this.conn.stream(slice.text);
      throw e;
    }
    try {
      return hasBoundedResult(slice.tokens) ? await prepared.run() : await prepared.stream();
    } finally {
      if (!this.queryCache.owns(key, prepared)) prepared.destroySync();
    }
  }

  /**
   * A query run for a utility statement (DECLARE, COPY ... TO): it reads the lake like any
   * query; lake writes cannot appear there.
   */
  async routeRead(slice: StatementSlice): Promise<StatementSlice> {
    if (!this.routing) return slice;
    await this.routing.begin();
    const routed = await this.routing.route(slice);
    if (routed.write) throw new PgError(SqlState.featureNotSupported, 'a statement that changes the lake cannot be used here', { hint: 'Run it on its own.' });
    return routed.slice;
  }

  /**
   * Runs an INSERT that lakegres generated (COPY FROM STDIN's final step), through the lake when
   * it targets a lake table. Returns the row count.
   */
  async runInternalInsert(sql: string): Promise<number> {
    const slice = sliceOf(sql, 0);
    if (this.routing) {
      await this.routing.begin();
      const routed = await this.routing.route(slice);
      if (routed.write) {
        const w = await this.routing.prepareWrite(routed.write, routed.slice);
        try {
          const reader = await readAll(this.conn, w.sql!);
          const count = Number(reader.getRows()[0]?.[0] ?? 0);
          await w.finish(count);
          return count;
        } catch (e) {
          await w.abort();
          throw lakeError(this.toPgError(e, sliceOf(w.sql!, 0)), w);
        }
      }
    }
    const reader = await readAll(this.conn, sql);
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }

  /**
   * Runs a prepared lake write: DDL happens in finish(); a staged statement runs first (its rows,
   * INSERT ... RETURNING, are held back until the write is applied); DELETE/UPDATE ... RETURNING
   * send the rows of the staged change after it was applied.
   */
  private async executeLakeWrite(
    write: PreparedLakeWrite,
    original: StatementSlice,
    staged: StatementSlice | null,
    start: () => Promise<DuckDBResult>,
    opts: { simple: boolean; formats: number[]; maxRows: number; portal?: Portal; source?: string },
  ): Promise<void> {
    const w = this.channel.writer;
    this.tx.markWrite();
    this.queryCache.clear();
    if (staged === null) {
      const r = await write.finish(0);
      // CALL of a lake function: its result rows.
      const rows = write.returning;
      if (rows) {
        const out = await this.conn.stream(rows.sql);
        await this.consumeResult(out, sliceOf(rows.sql, original.offset), { ...opts, tag: r.tag });
        return;
      }
      if (opts.portal) opts.portal.ran = true;
      be.commandComplete(w, r.tag ?? commandTag(original.tokens, StatementType.CREATE, 0));
      return;
    }
    let result: DuckDBResult;
    try {
      result = await this.withReadOnlyGuard(start);
    } catch (e) {
      throw lakeError(this.toPgError(e, staged), write);
    }
    if (!write.returning) {
      await this.consumeResult(result, staged, { ...opts, lakeWrite: write });
      return;
    }
    await readCount(result);
    const applied = await write.finish(0);
    const rows = sliceOf(write.returning.sql, staged.offset);
    try {
      const out = await this.conn.stream(rows.text);
      await this.consumeResult(out, rows, { ...opts, tag: applied.tag, spoolThen: () => write.cleanup?.() ?? Promise.resolve() });
    } finally {
      await write.cleanup?.();
    }
  }

  /**
   * Sends the rows (or the command tag) of a DuckDB result. Returns the row source when the
   * portal was suspended by a row limit, else undefined.
   */
  private async consumeResult(
    result: DuckDBResult,
    slice: StatementSlice,
    opts: {
      simple: boolean;
      formats: number[];
      maxRows: number;
      portal?: Portal;
      /** A lake write whose finish() applies the rows first (they are spooled until then). */
      lakeWrite?: PreparedLakeWrite;
      /** Command tag instead of the one derived from the statement. */
      tag?: string;
      /** Rows are spooled, then this runs (the staging table they came from goes away). */
      spoolThen?: () => Promise<void>;
      /** The client's statement: RowDescription gets PostgreSQL's column names and origins from it. */
      source?: string;
    },
  ): Promise<RowSource | undefined> {
    const w = this.channel.writer;
    const statementType = result.statementType;
    const returnsRows =
      result.returnType === ResultReturnType.QUERY_RESULT && !(statementType === StatementType.CALL && isCheckpoint(slice));
    if (statementType !== StatementType.SELECT && statementType !== StatementType.EXPLAIN && statementType !== StatementType.PRAGMA) this.tx.markWrite();
    if (statementType !== StatementType.SELECT) this.queryCache.clear();
    if (!returnsRows) {
      if (opts.portal) opts.portal.ran = true;
      const count = await readCount(result);
      let tag = commandTag(slice.tokens, statementType, count);
      if (opts.lakeWrite) tag = (await opts.lakeWrite.finish(count)).tag ?? tag;
      be.commandComplete(w, tag);
      this.afterDuckStatement(statementType, slice);
      return undefined;
    }
    const types = result.columnTypes();
    const names = result.columnNames();
    const fields = this.fieldsFor(names, types, opts.formats, opts.source);
    if (opts.simple) be.rowDescription(w, fields);
    const portal = opts.portal;
    const described = portal ? (portal.described ?? (portal.columns !== undefined ? this.columnFields(portal.columns, portal.resultFormats) : this.columnFields(portal.entry.columns, portal.resultFormats))) : undefined;
    let source: RowSource = new DuckRowSource(
      result,
      fields.map((f, i) => {
        // A column described as text before its type was known is sent as text in either format.
        const textual = described?.[i]?.typeOid === Oid.text && f.typeOid !== Oid.text;
        return columnEncoder(types[i]!, textual ? 0 : f.format, this.formatCtx, f.typeOid);
      }),
    );
    let tagOf = (n: number) => opts.tag ?? commandTag(slice.tokens, statementType, n);
    if (opts.lakeWrite) {
      // RETURNING rows of a lake write go out only once the write is committed (or recorded in
      // the transaction): collect them first.
      source = await source.detach(this.host.spoolDir, () => this.checkCancel());
      const applied = await opts.lakeWrite.finish(source.rowCount ?? 0);
      if (applied.tag) tagOf = () => applied.tag!;
    } else if (opts.spoolThen) {
      source = await source.detach(this.host.spoolDir, () => this.checkCancel());
      await opts.spoolThen();
    }
    const { rows, done } = await source.pump(this.channel, opts.maxRows, () => this.checkCancel());
    const total = (portal?.rowsSoFar ?? 0) + rows;
    if (done) {
      // Like PostgreSQL, the count is of the rows sent by this Execute.
      be.commandComplete(w, tagOf(rows));
      if (portal) portal.completed = tagOf(0);
      return undefined;
    }
    if (portal) {
      portal.rowsSoFar = total;
      portal.source = source;
      portal.fields = fields;
      portal.finalTag = (n) => tagOf(n);
    }
    be.portalSuspended(w);
    return source;
  }

  /** Results of INSERT/UPDATE/DELETE/CTAS carry the affected row count in a single "Count" row. */
  fieldsFor(names: readonly string[], types: readonly DuckDBType[], formats: readonly number[], source?: string): FieldDescription[] {
    // With the client's statement: PostgreSQL's column names, and the lake table columns they come from.
    const cols = source !== undefined ? pgResultColumns(source, names, this.routing?.originContext()) : undefined;
    return names.map((name, i) => {
      const pg = pgColumnType(types[i]!, cols?.[i]?.typeOid, cols?.[i]?.typeMod);
      const f = formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : (formats[i] ?? 0);
      const c = cols?.[i];
      return { name: c?.name ?? name, tableOid: c?.tableOid ?? 0, columnAttr: c?.attnum ?? 0, typeOid: pg.oid, typeLen: pg.len, typeMod: pg.typmod, format: f as 0 | 1 };
    });
  }

  private afterDuckStatement(statementType: StatementType, slice: StatementSlice): void {
    if (statementType === StatementType.SET && slice.tokens[0]?.value === 'USE') this.log.debug({ sql: slice.text }, 'USE changed the default catalog');
  }

  /**
   * With default_transaction_read_only on, autocommit statements run inside an implicit
   * read-only DuckDB transaction so that writes are refused (25006); it ends with the message
   * (simple query) or at Sync (extended protocol).
   */
  private async withReadOnlyGuard<T>(run: () => Promise<T>): Promise<T> {
    if (!this.tx.duckOpen && this.tx.state === 'idle' && this.defaultReadOnly()) await this.openImplicitBlock();
    return run();
  }

  async openImplicitBlock(): Promise<void> {
    await this.tx.openImplicit(this.defaultReadOnly());
    this.settings.beginTransaction();
  }

  defaultReadOnly(): boolean {
    return this.settings.get('default_transaction_read_only') === 'on';
  }

  // ---------------------------------------------------------------- extended protocol

  private async extended(msg: Extract<FrontendMessage, { kind: 'parse' | 'bind' | 'describe' | 'execute' | 'close' }>): Promise<void> {
    const w = this.channel.writer;
    switch (msg.kind) {
      case 'parse': {
        // The same unnamed statement parsed again (node-postgres parses every query) stays.
        if (msg.name === '' && this.unnamedStillValid(msg.sql, msg.paramTypes)) {
          be.parseComplete(w);
          return;
        }
        // A Parse of the unnamed statement drops the old one first, even if it then fails.
        if (msg.name === '') this.dropUnnamedStatement();
        // PostgreSQL still parses ROLLBACK/COMMIT (and empty strings) in a failed transaction.
        if (this.tx.state === 'failed' && !this.isTransactionExitSql(msg.sql)) throw abortedError();
        const entry = await this.prepare(msg.name, msg.sql, msg.paramTypes);
        // As in PostgreSQL, errors in the statement win over a duplicate name.
        if (msg.name !== '' && this.statements.has(msg.name)) {
          this.dropEntry(entry);
          throw new PgError(SqlState.duplicatePreparedStatement, `prepared statement "${msg.name}" already exists`);
        }
        const old = this.statements.get(msg.name);
        if (old && msg.name === '') this.dropEntry(old);
        this.statements.set(msg.name, entry);
        be.parseComplete(w);
        return;
      }
      case 'bind': {
        const entry = this.statements.get(msg.statement);
        if (!entry) throw new PgError(SqlState.invalidSqlStatementName, `prepared statement "${msg.statement}" does not exist`);
        // Checks in PostgreSQL's order: counts, aborted transaction, duplicate portal, result formats.
        if (msg.paramFormats.length > 1 && msg.paramFormats.length !== msg.params.length)
          throw new PgError(SqlState.protocolViolation, `bind message has ${msg.paramFormats.length} parameter formats but ${msg.params.length} parameters`);
        const expected = entry.paramOids.length;
        if (msg.params.length !== expected)
          throw new PgError(SqlState.protocolViolation, `bind message supplies ${msg.params.length} parameters, but prepared statement "${msg.statement}" requires ${expected}`);
        if (this.tx.state === 'failed' && (!isTransactionExit(entry.stmt) || msg.params.length > 0)) throw abortedError();
        if (msg.portal !== '' && this.portals.has(msg.portal)) throw new PgError(SqlState.duplicateCursor, `portal "${msg.portal}" already exists`);
        const nCols = entry.columns?.length ?? 0;
        if (msg.resultFormats.length > 1 && msg.resultFormats.length !== nCols)
          throw new PgError(SqlState.protocolViolation, `bind message has ${msg.resultFormats.length} result formats but query has ${nCols} columns`);
        const old = this.portals.get(msg.portal);
        if (old) await this.closePortal(old);
        const portal: Portal = { name: msg.portal, entry, params: msg.params, paramFormats: msg.paramFormats, resultFormats: msg.resultFormats, rowsSoFar: 0 };
        if (this.tx.state === 'failed') portal.boundWhileFailed = true;
        if (entry.deferredParams) await this.specialise(portal);
        else if (entry.duck && entry.columns && hasUntypedColumns(entry.duck)) await this.probeColumns(portal);
        this.portals.set(msg.portal, portal);
        be.bindComplete(w);
        return;
      }
      case 'describe': {
        if (msg.target === 'S') {
          const entry = this.statements.get(msg.name);
          if (!entry) throw new PgError(SqlState.invalidSqlStatementName, `prepared statement "${msg.name}" does not exist`);
          const fields = this.describeFields(entry, []);
          // PostgreSQL cannot describe result columns in a failed transaction (parameters it can).
          if (fields && this.tx.state === 'failed') throw abortedError();
          be.parameterDescription(w, entry.paramOids);
          if (fields) be.rowDescription(w, fields);
          else be.noData(w);
        } else {
          const portal = this.portals.get(msg.name);
          if (!portal) throw new PgError(SqlState.invalidCursorName, `portal "${msg.name}" does not exist`);
          const fields = portal.fields ?? (portal.columns !== undefined ? this.columnFields(portal.columns, portal.resultFormats, sourceOf(portal.entry)) : this.describeFields(portal.entry, portal.resultFormats, portal));
          if (fields && this.tx.state === 'failed') throw abortedError();
          portal.described = fields;
          if (fields) be.rowDescription(w, fields);
          else be.noData(w);
        }
        return;
      }
      case 'execute': {
        const portal = this.portals.get(msg.portal);
        if (!portal) throw new PgError(SqlState.invalidCursorName, `portal "${msg.portal}" does not exist`);
        // An empty statement answers EmptyQueryResponse even in a failed transaction.
        if (this.tx.state === 'failed' && portal.entry.slice && (!portal.boundWhileFailed || !isTransactionExit(portal.entry.stmt))) throw abortedError();
        await this.executePortal(portal, msg.maxRows);
        return;
      }
      case 'close': {
        if (msg.target === 'S') {
          const entry = this.statements.get(msg.name);
          if (entry) {
            this.dropEntry(entry);
            this.statements.delete(msg.name);
          }
        } else {
          const portal = this.portals.get(msg.name);
          if (portal) await this.closePortal(portal);
        }
        be.closeComplete(w);
        return;
      }
    }
  }

  /** Whether Parse accepts `sql` in a failed transaction: ROLLBACK/COMMIT, or nothing at all. */
  private isTransactionExitSql(sql: string): boolean {
    try {
      const slices = splitStatements(sql);
      return slices.length === 0 || (slices.length === 1 && isTransactionExit(this.classifyOrError(slices[0]!)));
    } catch {
      return false;
    }
  }

  /**
   * Whether the unnamed statement is this text with these declared types and would be prepared
   * exactly the same again: a read whose text is the client's, against the same lake schema, with
   * nothing since that could bind names differently (StatementCache.epoch).
   */
  private unnamedStillValid(sql: string, declared: readonly number[]): boolean {
    const e = this.statements.get('');
    if (!e || e.sql !== sql || !e.duck || e.stmt.kind !== 'duckdb' || e.deferredParams || e.epoch !== this.queryCache.epoch) return false;
    if (this.tx.state === 'failed') return false;
    if ((e.declared ?? []).length !== declared.length || e.declared!.some((oid, i) => oid !== declared[i])) return false;
    if (e.lake && (e.lake.write || e.lake.rewritten || e.lake.state !== this.routing?.lake.stateKey)) return false;
    return true;
  }

  private dropUnnamedStatement(): void {
    const unnamed = this.statements.get('');
    if (unnamed) {
      this.dropEntry(unnamed);
      this.statements.delete('');
    }
  }

  private makeEntry(name: string, sql: string, slice: StatementSlice | null, stmt: Statement): PreparedEntry {
    return { name, sql, slice, stmt, paramOids: [], duckParamTypes: [], columns: null };
  }

  /** Parse: classify, and for DuckDB statements prepare to learn parameter and column types. */
  private async prepare(name: string, sql: string, declared: number[]): Promise<PreparedEntry> {
    let slices: StatementSlice[];
    try {
      slices = splitStatements(sql);
    } catch (e) {
      if (e instanceof LexError) throw new PgError(SqlState.syntaxError, e.message, { position: e.position + 1 });
      throw e;
    }
    if (slices.length > 1) throw new PgError(SqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
    if (slices.length === 0) {
      const entry = this.makeEntry(name, sql, null, EMPTY_ENTRY_STMT);
      entry.paramOids = declared.slice();
      return entry;
    }
    let slice = slices[0]!;
    const stmt = this.classifyOrError(slice);
    const entry = this.makeEntry(name, sql, slice, stmt);
    entry.declared = declared.slice();
    entry.epoch = this.queryCache.epoch;
    if (stmt.kind === 'unsupported') throw stmt.error;
    const nParams = Math.max(declared.length, maxParamNumber(slice.tokens));
    const untypedEntry = () => {
      entry.paramOids = Array.from({ length: nParams }, (_, i) => declared[i] || Oid.text);
      entry.duckParamTypes = new Array(nParams).fill(undefined);
    };
    if (stmt.kind !== 'duckdb') {
      untypedEntry();
      entry.columns = this.utility.describe(stmt);
      return entry;
    }
    await this.releaseConnection();
    if (this.routing) {
      await this.routing.begin();
      const routed = await this.routing.route(slice);
      const info: LakeEntry = { original: slice, state: this.routing.lake.stateKey, rewritten: !routed.write && routed.reprepare === true };
      entry.lake = info;
      slice = routed.slice;
      if (routed.write) {
        const w = await this.routing.prepareWrite(routed.write, routed.slice, { checkReadOnly: false });
        info.write = routed.write;
        info.pending = { w, rollbacks: this.tx.rollbacks, inTransaction: this.tx.duckOpen };
        if (w.sql === null) {
          untypedEntry();
          if (w.returning) entry.columns = await this.describeQuery(w.returning.describe, slice);
          return entry;
        }
        slice = sliceOf(w.sql, 0);
      }
      entry.slice = slice;
    }
    const returning = entry.lake?.pending?.w.returning;
    let prepared: DuckDBPreparedStatement;
    try {
      prepared = await this.duckPrepare(slice.text, slice);
    } catch (e) {
      await entry.lake?.pending?.w.abort();
      throw lakeError(this.toPgError(e, slice), entry.lake?.pending?.w);
    }
    // Parameters DuckDB cannot type get the client's declared type, or text.
    const declaredCasts = new Map<number, string>();
    const untyped: number[] = [];
    const knownBefore: (DuckDBType | undefined)[] = [];
    for (let i = 1; i <= prepared.parameterCount; i++) {
      const known = paramType(prepared, i);
      knownBefore[i] = known;
      const oid = declared[i - 1] ?? 0;
      const declaredType = oid ? duckTypeNameForOid(oid) : undefined;
      if (!known) {
        if (declaredType) declaredCasts.set(i, declaredType);
        else untyped.push(i);
      } else if (declaredType && !sameFamily(known, oid)) declaredCasts.set(i, declaredType);
    }
    if (declaredCasts.size > 0 || untyped.length > 0) {
      const withText = new Map(declaredCasts);
      for (const i of untyped) withText.set(i, 'VARCHAR');
      let cast: DuckDBPreparedStatement | undefined;
      let textWorked = false;
      try {
        cast = await this.conn.prepare(castParameters(slice, withText));
        // Table functions bind only with values: a statement that still has untyped columns cannot be trusted.
        if (untyped.length > 0 && hasUntypedColumns(cast)) {
          cast.destroySync();
          cast = undefined;
        } else textWorked = true;
      } catch (e) {
        if (untyped.length === 0) throw this.toPgError(e, slice);
      }
      if (!cast && declaredCasts.size > 0) cast = await this.duckPrepare(castParameters(slice, declaredCasts), slice);
      if (cast) {
        prepared.destroySync();
        prepared = cast;
      }
      // e.g. range($1): no text overload. Such parameters are typed per portal from the bound values.
      if (untyped.length > 0 && !textWorked) entry.deferredParams = untyped;
    }
    entry.duck = prepared;
    const count = Math.max(nParams, prepared.parameterCount);
    const castTo = pgParameterTypes(sql, this.routing?.originContext());
    for (let i = 1; i <= count; i++) {
      // DuckDB loses the type of a cast parameter in INSERT ... VALUES (($1::T)): text values are
      // then converted for the type DuckDB inferred before the cast (e.g. '{5,6}' for INTEGER[]).
      const t = (i <= prepared.parameterCount ? paramType(prepared, i) : undefined) ?? knownBefore[i];
      entry.duckParamTypes.push(t);
      entry.paramOids.push(declared[i - 1] || (t ? pgColumnType(t, castTo?.get(i)).oid : Oid.text));
    }
    entry.columns = columnsOf(prepared, slice);
    if (returning) {
      // Columns of DELETE/UPDATE ... RETURNING: a query with the same columns (prepare only).
      try {
        entry.columns = await this.describeQuery(returning.describe, entry.lake!.original);
      } catch (e) {
        await entry.lake?.pending?.w.abort();
        throw e;
      }
    }
    return entry;
  }

  /** Result columns of a query, from DuckDB's prepare metadata (nothing runs). */
  private async describeQuery(sql: string, slice: StatementSlice): Promise<{ name: string; type: DuckDBType }[] | null> {
    try {
      const probe = await this.conn.prepare(sql);
      const cols = columnsOf(probe, sliceOf(sql, 0));
      probe.destroySync();
      return cols;
    } catch (e) {
      throw this.toPgError(e, slice);
    }
  }

  /** Prepares the statement of a deferred-parameter entry with casts from the bound values. */
  /**
   * DuckDB types the result of a table function with parameters (generate_series(1, $1)) only
   * once values are bound: describe a copy with the portal's text values inlined as literals
   * (prepare only; nothing runs), so Describe reports the real column names and types.
   */
  private async probeColumns(portal: Portal): Promise<void> {
    const entry = portal.entry;
    const literals = new Map<number, string>();
    for (let i = 1; i <= portal.params.length; i++) {
      const raw = portal.params[i - 1];
      const format = portal.paramFormats.length === 1 ? portal.paramFormats[0] : portal.paramFormats[i - 1];
      const type = entry.duckParamTypes[i - 1]?.toString() ?? 'VARCHAR';
      if (raw === null || raw === undefined) literals.set(i, `CAST(NULL AS ${type})`);
      else if (format === 1) return; // binary values: keep the untyped description
      else literals.set(i, `CAST(${sqlLiteral(raw.toString('utf8'))} AS ${type})`);
    }
    await this.releaseConnection();
    try {
      const probe = await this.conn.prepare(inlineParameters(entry.slice!, literals));
      if (!hasUntypedColumns(probe)) portal.columns = columnsOf(probe, entry.slice!);
      probe.destroySync();
    } catch {
      /* keep the untyped description; Execute reports any error */
    }
  }

  private async specialise(portal: Portal): Promise<void> {
    const entry = portal.entry;
    const casts = new Map<number, string>();
    for (const i of entry.deferredParams!) {
      const raw = portal.params[i - 1];
      const format = portal.paramFormats.length === 1 ? portal.paramFormats[0] : portal.paramFormats[i - 1];
      if (raw === null || raw === undefined) casts.set(i, 'VARCHAR');
      else if (format === 1) casts.set(i, duckTypeNameForOid(entry.paramOids[i - 1]!) ?? 'VARCHAR');
      else casts.set(i, guessTextType(raw.toString('utf8')));
    }
    await this.releaseConnection();
    const slice = entry.slice!;
    const prepared = await this.duckPrepare(castParameters(slice, casts), slice);
    portal.duck = prepared;
    portal.columns = columnsOf(prepared, slice);
    if (hasUntypedColumns(prepared)) {
      // Result types of table functions depend on argument values: describe a copy with the
      // values inlined as literals (prepare only; nothing runs).
      const literals = new Map<number, string>();
      for (const i of entry.deferredParams!) {
        const raw = portal.params[i - 1];
        const format = portal.paramFormats.length === 1 ? portal.paramFormats[0] : portal.paramFormats[i - 1];
        if (raw !== null && raw !== undefined && format !== 1) literals.set(i, `CAST(${sqlLiteral(raw.toString('utf8'))} AS ${casts.get(i)})`);
      }
      try {
        const probe = await this.conn.prepare(inlineParameters(slice, literals));
        portal.columns = columnsOf(probe, slice);
        probe.destroySync();
      } catch {
        /* keep the untyped description */
      }
    }
  }

  private async duckPrepare(text: string, slice: StatementSlice): Promise<DuckDBPreparedStatement> {
    try {
      return await this.conn.prepare(text);
    } catch (e) {
      throw this.toPgError(e, slice);
    }
  }

  private describeFields(entry: PreparedEntry, formats: number[], portal?: Portal): FieldDescription[] | null {
    if (entry.stmt.kind === 'fetch') return this.utility.describeFetch(entry.stmt, portal);
    return this.columnFields(entry.columns, formats, sourceOf(entry));
  }

  private columnFields(columns: { name: string; type: DuckDBType }[] | null, formats: number[], source?: string): FieldDescription[] | null {
    if (!columns) return null;
    return this.fieldsFor(
      columns.map((c) => c.name),
      columns.map((c) => c.type),
      formats,
      source,
    );
  }

  async executePortal(portal: Portal, maxRows: number): Promise<void> {
    const w = this.channel.writer;
    const entry = portal.entry;
    this.beginActivity(entry.sql);
    try {
      if (portal.ran) throw new PgError(SqlState.objectNotInPrerequisiteState, `portal "${portal.name}" cannot be run`);
      if (portal.completed !== undefined) {
        // Re-executing a finished portal returns no more rows.
        be.commandComplete(w, portal.completed);
        return;
      }
      if (portal.source) {
        const { rows, done } = await portal.source.pump(this.channel, maxRows, () => this.checkCancel());
        portal.rowsSoFar += rows;
        if (done) {
          portal.source = undefined;
          // The count is of the rows sent by this Execute, as in PostgreSQL.
          const tag = portal.finalTag ?? ((n: number) => `SELECT ${n}`);
          portal.completed = tag(0);
          be.commandComplete(w, tag(rows));
        } else be.portalSuspended(w);
        return;
      }
      if (!entry.slice) {
        be.emptyQueryResponse(w);
        return;
      }
      if (entry.stmt.kind !== 'duckdb') {
        await this.maybeOpenPipelineTransaction(entry.stmt);
        await this.utility.run(portal, maxRows, false);
        if (entry.columns === null && entry.stmt.kind !== 'fetch' && !portal.source) portal.ran = true;
        // A completed SHOW portal sends no more rows when executed again.
        else if (!portal.source && (entry.stmt.kind === 'show' || entry.stmt.kind === 'showAll')) portal.completed = 'SHOW';
        return;
      }
      await this.maybeOpenPipelineTransaction(entry.stmt);
      await this.releaseConnection();
      this.startStatementTimer();
      const t0 = Date.now();
      let lakeWrite: PreparedLakeWrite | undefined;
      try {
        let exec = entry;
        if (entry.lake) {
          ({ exec, write: lakeWrite } = await this.lakeExecution(portal));
          if (lakeWrite && lakeWrite.sql === null) {
            await this.executeLakeWrite(lakeWrite, entry.lake.original, null, () => Promise.reject(new Error('unreachable')), { simple: false, formats: portal.resultFormats, maxRows, portal, source: sourceOf(entry) });
            return;
          }
        }
        const prepared = portal.duck ?? exec.duck!;
        // Parse may declare more parameter types than the statement uses (PostgreSQL accepts
        // values for them); DuckDB knows only the parameters that occur.
        const used = portal.params.length > prepared.parameterCount ? portal.params.slice(0, prepared.parameterCount) : portal.params;
        bindParams(prepared, used, portal.paramFormats, entry.paramOids, exec.duckParamTypes, this.formatCtx);
        const opts = { simple: false, formats: portal.resultFormats, maxRows, portal, source: sourceOf(entry) };
        if (lakeWrite) {
          await this.executeLakeWrite(lakeWrite, entry.lake!.original, exec.slice!, () => prepared.stream(), opts);
          return;
        }
        let result: DuckDBResult;
        try {
          result = await this.withReadOnlyGuard(() => (hasBoundedResult(exec.slice!.tokens) ? prepared.run() : prepared.stream()));
        } catch (e) {
          throw this.toPgError(e, exec.slice);
        }
        await this.consumeResult(result, exec.slice!, opts);
      } catch (e) {
        await lakeWrite?.abort();
        throw e;
      } finally {
        this.stopStatementTimer();
        this.noteSlow(entry.sql, t0);
      }
    } finally {
      this.endActivity();
    }
  }

  /**
   * What Execute runs for a statement that touches the lake. The write prepared by Parse serves
   * the first Execute while the lake's schema is unchanged and its staging table still exists;
   * otherwise (and for reads whose text embeds lake data) the statement is prepared anew, for
   * this portal only.
   */
  private async lakeExecution(portal: Portal): Promise<{ exec: PreparedEntry; write?: PreparedLakeWrite }> {
    const routing = this.routing!;
    const entry = portal.entry;
    const info = entry.lake!;
    await routing.begin();
    if (info.write) routing.assertWritable(info.original);
    const unchanged = info.state === routing.lake.stateKey;
    if (info.write) {
      const pending = info.pending;
      info.pending = undefined;
      // A write prepared outside a transaction cannot serve an Execute inside one (e.g. the
      // implicit transaction of a pipeline): it would commit on its own.
      const sameMode = pending?.inTransaction === routing.inTransaction;
      if (pending && unchanged && sameMode && (!pending.inTransaction || pending.rollbacks === this.tx.rollbacks)) return { exec: entry, write: pending.w };
      await pending?.w.abort();
    } else if (!info.rewritten && (unchanged || portal.duck)) {
      return { exec: entry };
    }
    const fresh = await this.prepare(entry.name, entry.sql, entry.declared ?? []);
    if (portal.exec) this.dropEntry(portal.exec);
    portal.exec = fresh;
    const write = fresh.lake?.pending?.w;
    if (fresh.lake) fresh.lake.pending = undefined;
    if (fresh.deferredParams) {
      const probe: Portal = { ...portal, entry: fresh, duck: undefined };
      await this.specialise(probe);
      portal.duck?.destroySync();
      portal.duck = probe.duck;
    }
    return { exec: fresh, write };
  }

  /**
   * PostgreSQL runs everything between two Syncs in one implicit transaction. A DuckDB
   * transaction is opened only when that matters: when more than one Execute is pipelined,
   * or when the Sync has not arrived yet (a pipelining client such as psycopg 3 or libpq
   * pipeline mode may still send more Executes that belong to the same transaction).
   */
  private async maybeOpenPipelineTransaction(stmt: Statement): Promise<void> {
    if (this.tx.duckOpen || this.tx.state !== 'idle' || !needsImplicitBlock(stmt)) return;
    let executes = 0;
    let synced = false;
    for (const m of this.queue) {
      if (m.kind === 'sync') {
        synced = true;
        break;
      }
      // Not only Executes: a later Parse/Bind/Describe that fails before Sync also undoes this
      // statement in PostgreSQL. Only Flush cannot fail.
      if (m.kind !== 'flush') executes++;
    }
    if (executes > 0 || !synced) await this.openImplicitBlock();
  }

  private async extendedError(e: unknown): Promise<void> {
    const err = this.toPgError(e);
    this.reportError(err);
    this.skipUntilSync = true;
    this.pipelineFailed = true;
    if (!this.tx.implicit) this.tx.fail();
  }

  private async sync(): Promise<void> {
    this.skipUntilSync = false;
    if (this.tx.implicit && this.tx.duckOpen) {
      if (this.pipelineFailed) await this.tx.rollback();
      else {
        try {
          await this.releaseConnection();
          await this.tx.commit();
        } catch (e) {
          this.reportError(this.toPgError(e));
        }
      }
      this.afterTransactionEnd(!this.pipelineFailed);
    }
    this.pipelineFailed = false;
    // Outside a transaction block, Sync ends the implicit transaction and its portals.
    if (this.tx.state === 'idle') this.closeTransactionPortals();
    await this.readyForQuery();
  }

  // ---------------------------------------------------------------- portals and the DuckDB stream

  /**
   * Before anything else runs on the DuckDB connection, a suspended portal that still holds the
   * connection's live stream is moved into a spool.
   */
  async releaseConnection(): Promise<void> {
    for (const portal of this.portals.values()) {
      if (portal.source?.holdsConnection) portal.source = await portal.source.detach(this.host.spoolDir, () => this.checkCancel());
    }
    await this.syncDuckSettings();
    await this.tx.ensureOpen();
  }

  async closePortal(portal: Portal): Promise<void> {
    portal.source?.close();
    portal.source = undefined;
    if (portal.exec) {
      this.dropEntry(portal.exec);
      portal.exec = undefined;
    }
    try {
      portal.duck?.destroySync();
    } catch {
      /* already gone */
    }
    portal.duck = undefined;
    this.portals.delete(portal.name);
  }

  private dropEntry(entry: PreparedEntry): void {
    // A portal outlives the statement it was bound from (Close, or a new unnamed Parse, as in
    // PostgreSQL): its DuckDB statement is then left to the garbage collector.
    for (const p of this.portals.values()) if (p.entry === entry) return;
    try {
      entry.duck?.destroySync();
    } catch {
      /* already destroyed */
    }
    entry.duck = undefined;
    const pending = entry.lake?.pending;
    if (pending) {
      entry.lake!.pending = undefined;
      void pending.w.abort().catch(() => undefined);
    }
  }

  /** At transaction end: non-holdable portals and cursors go away. */
  closeTransactionPortals(): void {
    for (const portal of [...this.portals.values()]) {
      if (portal.cursor?.hold && !portal.cursor.declaredInTransaction) continue;
      portal.source?.close();
      this.portals.delete(portal.name);
    }
  }

  /** Holdable cursors survive COMMIT: their rows are materialized before the transaction ends. */
  async materializeHoldableCursors(): Promise<void> {
    for (const portal of this.portals.values()) {
      if (portal.cursor?.hold && portal.source?.holdsConnection) {
        portal.source = await portal.source.detach(this.host.spoolDir, () => this.checkCancel());
      }
      if (portal.cursor) portal.cursor.declaredInTransaction = false;
    }
  }

  /** Bookkeeping after COMMIT/ROLLBACK: settings undo, ParameterStatus for changed values. */
  afterTransactionEnd(committed: boolean): void {
    const changed = this.settings.endTransaction(committed);
    this.settingsChanged(changed);
  }

  // ---------------------------------------------------------------- settings

  /** Re-applies settings to formatting and DuckDB (ParameterStatus goes out before ReadyForQuery). */
  settingsChanged(names: readonly string[]): void {
    if (names.length === 0) return;
    this.queryCache.clear();
    this.pgVars = { session: this.pgVars?.session ?? false, settings: true };
    this.refreshFormatContext();
    if (names.some((n) => n === 'TimeZone' || n === 'search_path')) this.duckSettingsDirty = true;
  }

  duckSettingsDirty = true;
  /** Session values of the emulated PostgreSQL catalog to set again (pgcompat/session-vars.ts). */
  private pgVars?: { session: boolean; settings: boolean } = { session: true, settings: true };

  /** Before a statement reads the emulated catalog: the server's sessions for pg_stat_activity / pg_stat_database. */
  async catalogRead(relations: readonly string[]): Promise<void> {
    if (relations.includes('pg_stat_activity') || relations.includes('pg_stat_database')) await refreshActivity(this);
  }

  /** The server's sessions (pg_stat_activity). */
  serverSessions(): Iterable<Session> {
    return (this.host as Partial<{ sessions(): Iterable<Session> }>).sessions?.() ?? [this];
  }

  refreshFormatContext(): void {
    const zone = TimeZone.resolve(this.settings.timeZoneName) ?? TimeZone.resolve('UTC')!;
    this.timeZone = zone;
    this.formatCtx = {
      timeZone: zone,
      intervalStyle: this.settings.intervalStyle,
      extraFloatDigits: this.settings.extraFloatDigits,
      byteaOutput: this.settings.byteaOutput,
    };
  }

  get format(): FormatContext {
    return this.formatCtx;
  }

  // ---------------------------------------------------------------- cancel, timeouts, activity

  /** CancelRequest or server shutdown: interrupt what runs now. */
  cancel(reason: CancelReason): void {
    if (!this.executing) return;
    this.cancelReason = reason;
    this.conn.interrupt();
  }

  checkCancel(): void {
    if (this.cancelReason) throw this.cancelError();
  }

  private cancelError(): PgError {
    switch (this.cancelReason) {
      case 'timeout':
        return new PgError(SqlState.queryCanceled, 'canceling statement due to statement timeout');
      case 'shutdown':
        return new PgError(SqlState.adminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' });
      default:
        return new PgError(SqlState.queryCanceled, 'canceling statement due to user request');
    }
  }

  private startStatementTimer(): void {
    const ms = this.settings.statementTimeoutMs;
    if (ms > 0) {
      this.statementTimer = setTimeout(() => {
        if (this.executing) {
          this.cancelReason = 'timeout';
          this.conn.interrupt();
        }
      }, ms);
    }
  }

  private stopStatementTimer(): void {
    if (this.statementTimer) clearTimeout(this.statementTimer);
    this.statementTimer = undefined;
  }

  private beginActivity(sql: string): void {
    this.executing = true;
    this.cancelReason = null;
    this.currentQuery = sql;
    this.queryStartedAt = new Date();
    this.state = 'active';
  }

  private endActivity(): void {
    this.executing = false;
    this.cancelReason = null;
  }

  private updateIdleState(): void {
    this.executing = false;
    this.state = this.tx.state === 'idle' ? 'idle' : this.tx.state === 'block' ? 'idle in transaction' : 'idle in transaction (aborted)';
  }

  /** The startup ReadyForQuery was sent: the session is idle now (idle_session_timeout from startup applies). */
  ready(): void {
    if (!this.processing && !this.terminated) this.armIdleTimer();
  }

  private armIdleTimer(): void {
    this.clearIdleTimer();
    const inTx = this.tx.state !== 'idle';
    const ms = inTx ? this.settings.idleInTransactionTimeoutMs : this.settings.idleSessionTimeoutMs;
    if (ms <= 0 || this.copyIn) return;
    this.idleTimer = setTimeout(() => {
      const err = inTx
        ? new PgError(SqlState.idleInTransactionSessionTimeout, 'terminating connection due to idle-in-transaction timeout', { severity: 'FATAL' })
        : new PgError('57P05', 'terminating connection due to idle-session timeout', { severity: 'FATAL' });
      void this.fatal(err);
    }, ms);
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private noteSlow(sql: string, t0: number): void {
    const ms = Date.now() - t0;
    this.host.metrics?.statement(ms / 1000, true);
    if (this.host.slowStatementMs > 0 && ms >= this.host.slowStatementMs) {
      this.log.warn({ durationMs: ms, statement: sql.length > 2000 ? sql.slice(0, 2000) + '…' : sql }, 'slow statement');
    }
  }

  // ---------------------------------------------------------------- errors

  toPgError(e: unknown, slice?: StatementSlice | null): PgError {
    let err: PgError;
    if (e instanceof PgError) err = e;
    else err = fromDuckDBError(e, slice?.text, 0);
    if (err.code === SqlState.queryCanceled && this.cancelReason) err = this.cancelError();
    if (err.code === SqlState.readOnlySqlTransaction && !(e instanceof PgError)) err = readOnlyError(slice);
    return err;
  }

  reportError(err: PgError): void {
    if (err.severity === 'FATAL') throw err;
    be.errorResponse(this.channel.writer, err);
    this.host.metrics?.statementError(err.code);
    if (err.code !== SqlState.queryCanceled) this.log.info({ code: err.code, message: err.message, statement: truncate(this.currentQuery) }, 'statement error');
  }

  notice(message: string, code: string = SqlState.warning, severity: 'WARNING' | 'NOTICE' = 'WARNING'): void {
    be.noticeResponse(this.channel.writer, new PgError(code, message, { severity }));
  }

  // ---------------------------------------------------------------- COPY hooks used by the utility runner

  startCopyIn(copy: CopyIn): void {
    this.copyIn = copy;
    // What the client pipelined behind the COPY statement (asyncpg sends the data without waiting
    // for CopyInResponse) is the COPY's, up to its CopyDone or CopyFail; Flush and Sync in between
    // are ignored there, as in PostgreSQL. What follows stays queued for after the COPY.
    while (this.queue.length > 0) {
      const msg = this.queue[0]!;
      if (msg.kind !== 'copyData' && msg.kind !== 'copyDone' && msg.kind !== 'copyFail' && msg.kind !== 'flush' && msg.kind !== 'sync') break;
      this.queue.shift();
      const size = (msg as { __size?: number }).__size ?? 0;
      this.queuedBytes -= size;
      copy.enqueue(msg, size, (other) => this.copyOverflow.push(other));
      if (msg.kind === 'copyDone' || msg.kind === 'copyFail') break;
    }
  }

  endCopyIn(): void {
    this.copyIn = null;
    if (this.copyOverflow.length > 0) {
      this.queue.unshift(...this.copyOverflow);
      this.copyOverflow = [];
    }
  }

  /** Ends the session: interrupt running work, release DuckDB, forget everything. */
  async terminate(reason: CancelReason): Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    this.clearIdleTimer();
    this.stopStatementTimer();
    if (this.executing) {
      this.cancelReason = reason;
      try {
        this.conn.interrupt();
      } catch {
        /* ignore */
      }
    }
    this.copyIn?.abort(new PgError(SqlState.connectionFailure, 'connection closed during COPY'));
    if (this.routing) this.routing.idle();
    const sources: RowSource[] = [];
    for (const p of this.portals.values()) {
      if (!p.source) continue;
      p.source.close();
      sources.push(p.source);
    }
    this.portals.clear();
    const closeConn = async () => {
      for (const s of this.statements.values()) {
        // A lake write prepared by Parse is discarded on the connection: before it closes.
        const pending = s.lake?.pending;
        if (pending) {
          s.lake!.pending = undefined;
          await pending.w.abort().catch(() => undefined);
        }
        this.dropEntry(s);
      }
      this.statements.clear();
      this.queryCache.clear();
      try {
        this.conn.closeSync();
      } catch {
        /* ignore */
      }
    };
    // DuckDB must not be used concurrently nor closed under a running call (that crashes the
    // process): wait, bounded, for the message being handled to notice the interrupt and for
    // the next chunk a suspended portal may be fetching; then discard the lake transaction the
    // client abandoned (it writes nothing; its files go away); then close.
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    void (async () => {
      const deadline = Date.now() + 30_000;
      while (this.processing && Date.now() < deadline) await sleep(10);
      await Promise.race([Promise.all(sources.map((src) => src.settle?.())), sleep(Math.max(0, deadline - Date.now()))]);
      if (this.routing) await this.routing.lake.rollback().catch((e) => this.log.warn({ err: e }, 'discarding an abandoned lake transaction failed'));
      // Nothing of this session keeps lake resources (a held time-travel database, cache pins).
      this.routing?.lake.close();
      await closeConn();
    })();
    this.host.sessionClosed(this);
  }

  get spoolDir(): string {
    return this.host.spoolDir;
  }

  get isTerminated(): boolean {
    return this.terminated;
  }

  get isExecuting(): boolean {
    return this.executing;
  }

  /** Row sink used by MOVE (rows are skipped, not sent). */
  discardSink(): RowSink {
    const writer = new BufferWriter(64 * 1024);
    return {
      writer,
      closed: false,
      maybeFlush: () => {
        writer.pos = 0;
        return undefined;
      },
    };
  }

  staticSource(rows: (string | null)[][]): RowSource {
    return new StaticRowSource(rows);
  }

  /** Applies TimeZone/search_path to the DuckDB connection when they changed. */
  async syncDuckSettings(): Promise<void> {
    const pgVars = this.pgVars;
    this.pgVars = undefined;
    if (pgVars) await applySessionVariables(this, pgVars).catch(() => (this.pgVars = pgVars));
    if (!this.duckSettingsDirty) return;
    this.duckSettingsDirty = false;
    await this.utility.applyDuckSettings();
  }
}

// ---------------------------------------------------------------- helpers

function isTransactionExit(stmt: Statement): boolean {
  return stmt.kind === 'commit' || stmt.kind === 'rollback' || stmt.kind === 'rollbackTo';
}

/** Statements that manage transactions themselves do not start an implicit block. */
function needsImplicitBlock(stmt: Statement): boolean {
  switch (stmt.kind) {
    case 'begin':
    case 'commit':
    case 'rollback':
    case 'savepoint':
    case 'release':
    case 'rollbackTo':
    case 'set':
    case 'reset':
    case 'resetAll':
    case 'show':
    case 'showAll':
    case 'setTransaction':
    case 'discard':
    case 'listen':
    case 'unsupported':
      return false;
    default:
      return true;
  }
}

const abortedError = () => new PgError(SqlState.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');

function readOnlyError(slice?: StatementSlice | null): PgError {
  const verb = slice?.tokens.find((t) => t.kind === 'word')?.value ?? 'statement';
  return new PgError(SqlState.readOnlySqlTransaction, `cannot execute ${verb} in a read-only transaction`);
}

function isCheckpoint(slice: StatementSlice): boolean {
  const w = slice.tokens.filter((t) => t.kind === 'word').slice(0, 2).map((t) => t.value);
  return w[0] === 'CHECKPOINT' || (w[0] === 'FORCE' && w[1] === 'CHECKPOINT');
}

/** Utility statements after which a cached statement still binds to the same objects. */
const KEEPS_BINDINGS = new Set<Statement['kind']>(['begin', 'commit', 'show', 'showAll', 'declare', 'fetch', 'close', 'copyToStdout', 'listen']);

async function readCount(result: DuckDBResult): Promise<number> {
  if (result.returnType === ResultReturnType.CHANGED_ROWS || result.columnCount === 1) {
    try {
      const chunk = await result.fetchChunk();
      if (chunk && chunk.rowCount > 0 && result.columnName(0) === 'Count') {
        const v = chunk.getColumnVector(0).getItem(0);
        return Number(v ?? 0);
      }
    } catch {
      /* no count available */
    }
  }
  return result.rowsChanged;
}

function hasUntypedColumns(p: DuckDBPreparedStatement): boolean {
  for (let i = 0; i < p.columnCount; i++) if (p.columnTypeId(i) === DuckDBTypeId.INVALID) return true;
  return false;
}

function sqlLiteral(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

/** Replaces `$n` parameters by SQL text. */
function inlineParameters(slice: StatementSlice, values: Map<number, string>): string {
  let out = '';
  let last = 0;
  for (const t of slice.tokens) {
    if (t.kind !== 'param') continue;
    const v = values.get(Number(t.value));
    if (v === undefined) continue;
    out += slice.text.slice(last, t.start) + `(${v})`;
    last = t.end;
  }
  return out + slice.text.slice(last);
}

function columnsOf(prepared: DuckDBPreparedStatement, slice: StatementSlice): { name: string; type: DuckDBType }[] | null {
  if (!statementReturnsRows(prepared.statementType, slice.tokens)) return null;
  const columns: { name: string; type: DuckDBType }[] = [];
  for (let i = 0; i < prepared.columnCount; i++) {
    let type: DuckDBType;
    try {
      type = prepared.columnType(i);
    } catch {
      type = VARCHAR;
    }
    columns.push({ name: prepared.columnName(i), type });
  }
  return columns;
}

/** A DuckDB type for an untyped text parameter, from what its value looks like. */
function guessTextType(text: string): string {
  if (/^\s*[+-]?\d{1,18}\s*$/.test(text)) return 'BIGINT';
  if (/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text)) return 'DOUBLE';
  return 'VARCHAR';
}

function paramType(p: DuckDBPreparedStatement, index: number): DuckDBType | undefined {
  try {
    const id = p.parameterTypeId(index);
    if (id === DuckDBTypeId.INVALID || id === DuckDBTypeId.ANY || id === DuckDBTypeId.SQLNULL) return undefined;
    return p.parameterType(index);
  } catch {
    return undefined;
  }
}

/** Whether DuckDB's inferred parameter type already agrees with the client's declared OID. */
function sameFamily(t: DuckDBType, oid: number): boolean {
  const pg = pgTypeOf(t).oid;
  if (pg === oid) return true;
  const numeric = new Set<number>([Oid.int2, Oid.int4, Oid.int8, Oid.numeric, Oid.float4, Oid.float8, Oid.oid]);
  const text = new Set<number>([Oid.text, Oid.varchar, Oid.bpchar, Oid.name, Oid.char, Oid.json, Oid.jsonb, Oid.unknown]);
  if (numeric.has(pg) && numeric.has(oid)) return true;
  if (text.has(pg) && text.has(oid)) return true;
  if (oid === Oid.unknown) return true;
  return false;
}

/** Rewrites `$n` parameters to `($n::TYPE)` for the given parameters. */
function castParameters(slice: StatementSlice, casts: Map<number, string>): string {
  let out = '';
  let last = 0;
  for (const t of slice.tokens) {
    if (t.kind !== 'param') continue;
    const type = casts.get(Number(t.value));
    if (!type) continue;
    out += slice.text.slice(last, t.start) + `($${t.value}::${type})`;
    last = t.end;
  }
  return out + slice.text.slice(last);
}

function truncate(s: string): string {
  return s.length > 1000 ? s.slice(0, 1000) + '…' : s;
}

/** The statement as the client sent it (for PostgreSQL's column names). */
function sourceOf(entry: PreparedEntry): string | undefined {
  return (entry.lake?.original ?? entry.slice)?.text;
}

function sliceOf(text: string, offset: number): StatementSlice {
  return { text, offset, tokens: tokenize(text) };
}

/** Errors of a staged lake write name the lake table, not the staging table. */
function lakeError(err: PgError, write?: PreparedLakeWrite): PgError {
  const r = write?.rename;
  if (r && err.message.includes(r.from)) err.message = err.message.split(r.from).join(r.to);
  return err;
}
