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
import { splitStatements, LexError, maxParamNumber, type StatementSlice } from '../sql/lexer.js';
import { classify, type Statement } from '../sql/classify.js';
import { commandTag, statementReturnsRows } from '../sql/command-tag.js';
import { pgTypeOf, duckTypeNameForOid } from '../types/mapping.js';
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
import { BufferWriter } from '../protocol/buffer-writer.js';

export interface SessionHost {
  readonly spoolDir: string;
  readonly slowStatementMs: number;
  readonly log: Logger;
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
  /** Set once the portal ran to completion (PostgreSQL re-Execute then returns nothing). */
  completed?: string;
  /** Statement specialised for this portal's parameter values (see PreparedEntry.deferredParams). */
  duck?: DuckDBPreparedStatement;
  columns?: { name: string; type: DuckDBType }[] | null;
  /** RowDescription sent by Describe (portal); Execute encodes to match it. */
  described?: FieldDescription[] | null;
  cursor?: { hold: boolean; binary: boolean; declaredInTransaction: boolean };
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
  ) {
    this.settings = settings;
    this.tx = new TransactionState(conn);
    this.utility = new UtilityRunner(this);
    this.refreshFormatContext();
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
        return this.simpleQuery(msg.sql);
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
        be.errorResponse(this.channel.writer, new PgError(SqlState.featureNotSupported, 'the fast-path function call interface is not supported'));
        be.readyForQuery(this.channel.writer, this.tx.status);
        return this.channel.flush();
      case 'password':
        throw new PgError(SqlState.protocolViolation, 'unexpected password message', { severity: 'FATAL' });
    }
  }

  // ---------------------------------------------------------------- simple query

  private async simpleQuery(sql: string): Promise<void> {
    const w = this.channel.writer;
    this.beginActivity(sql);
    let slices: StatementSlice[];
    try {
      slices = splitStatements(sql);
    } catch (e) {
      const err = e instanceof LexError ? new PgError(SqlState.syntaxError, e.message, { position: e.position + 1 }) : fromDuckDBError(e);
      this.reportError(err);
      return this.readyForQuery();
    }
    if (slices.length === 0) {
      be.emptyQueryResponse(w);
      return this.readyForQuery();
    }
    const multi = slices.length > 1;
    for (const slice of slices) {
      if (this.terminated) return;
      const stmt = this.classifyOrError(slice);
      try {
        if (this.tx.state === 'failed' && !isTransactionExit(stmt)) throw abortedError();
        // Multi-statement messages run in one implicit transaction unless they manage their own.
        if (multi && this.tx.state === 'idle' && !this.tx.duckOpen && needsImplicitBlock(stmt)) {
          await this.openImplicitBlock();
        }
        await this.runStatement(slice, stmt, { simple: true, offset: slice.offset });
      } catch (e) {
        const err = this.toPgError(e, slice);
        this.reportError(err);
        if (this.tx.implicit) await this.tx.rollback();
        else this.tx.fail();
        this.closeTransactionPortals();
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
      const entry = this.makeEntry('', slice.text, slice, stmt);
      const portal: Portal = { name: '', entry, params: [], paramFormats: [], resultFormats: [], rowsSoFar: 0 };
      await this.utility.run(portal, 0, true);
      return;
    }
    await this.releaseConnection();
    this.startStatementTimer();
    let result: DuckDBResult;
    try {
      const t0 = Date.now();
      try {
        result = await this.withReadOnlyGuard(() => this.conn.stream(slice.text));
      } catch (e) {
        throw this.toPgError(e, slice);
      }
      const source = await this.consumeResult(result, slice, { simple: true, formats: [], maxRows: 0 });
      void source;
      this.noteSlow(slice.text, t0);
    } finally {
      this.stopStatementTimer();
    }
  }

  /**
   * Sends the rows (or the command tag) of a DuckDB result. Returns the row source when the
   * portal was suspended by a row limit, else undefined.
   */
  private async consumeResult(
    result: DuckDBResult,
    slice: StatementSlice,
    opts: { simple: boolean; formats: number[]; maxRows: number; portal?: Portal },
  ): Promise<RowSource | undefined> {
    const w = this.channel.writer;
    const statementType = result.statementType;
    const returnsRows =
      result.returnType === ResultReturnType.QUERY_RESULT && !(statementType === StatementType.CALL && isCheckpoint(slice));
    if (statementType !== StatementType.SELECT && statementType !== StatementType.EXPLAIN && statementType !== StatementType.PRAGMA) this.tx.markWrite();
    if (!returnsRows) {
      const count = await readCount(result);
      be.commandComplete(w, commandTag(slice.tokens, statementType, count));
      this.afterDuckStatement(statementType, slice);
      return undefined;
    }
    const types = result.columnTypes();
    const names = result.columnNames();
    const fields = this.fieldsFor(names, types, opts.formats);
    if (opts.simple) be.rowDescription(w, fields);
    const portal = opts.portal;
    const described = portal ? (portal.described ?? (portal.columns !== undefined ? this.columnFields(portal.columns, portal.resultFormats) : this.columnFields(portal.entry.columns, portal.resultFormats))) : undefined;
    const source = new DuckRowSource(
      result,
      fields.map((f, i) => {
        // A column described as text before its type was known is sent as text in either format.
        const textual = described?.[i]?.typeOid === Oid.text && f.typeOid !== Oid.text;
        return columnEncoder(types[i]!, textual ? 0 : f.format, this.formatCtx);
      }),
    );
    const { rows, done } = await source.pump(this.channel, opts.maxRows, () => this.checkCancel());
    const total = (portal?.rowsSoFar ?? 0) + rows;
    if (done) {
      be.commandComplete(w, commandTag(slice.tokens, statementType, total));
      if (portal) portal.completed = commandTag(slice.tokens, statementType, total);
      return undefined;
    }
    if (portal) {
      portal.rowsSoFar = total;
      portal.source = source;
      portal.fields = fields;
      portal.finalTag = (n) => commandTag(slice.tokens, statementType, n);
    }
    be.portalSuspended(w);
    return source;
  }

  /** Results of INSERT/UPDATE/DELETE/CTAS carry the affected row count in a single "Count" row. */
  fieldsFor(names: readonly string[], types: readonly DuckDBType[], formats: readonly number[]): FieldDescription[] {
    return names.map((name, i) => {
      const pg = pgTypeOf(types[i]!);
      const f = formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : (formats[i] ?? 0);
      return { name, tableOid: 0, columnAttr: 0, typeOid: pg.oid, typeLen: pg.len, typeMod: pg.typmod, format: f as 0 | 1 };
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
        if (msg.name !== '' && this.statements.has(msg.name)) throw new PgError(SqlState.duplicatePreparedStatement, `prepared statement "${msg.name}" already exists`);
        if (this.tx.state === 'failed') throw abortedError();
        const entry = await this.prepare(msg.name, msg.sql, msg.paramTypes);
        const old = this.statements.get(msg.name);
        if (old && msg.name === '') this.dropEntry(old);
        this.statements.set(msg.name, entry);
        be.parseComplete(w);
        return;
      }
      case 'bind': {
        const entry = this.statements.get(msg.statement);
        if (!entry) throw new PgError(SqlState.invalidSqlStatementName, `prepared statement "${msg.statement}" does not exist`);
        if (msg.portal !== '' && this.portals.has(msg.portal)) throw new PgError(SqlState.duplicateCursor, `portal "${msg.portal}" already exists`);
        if (this.tx.state === 'failed' && !isTransactionExit(entry.stmt)) throw abortedError();
        const expected = entry.paramOids.length;
        if (msg.params.length !== expected)
          throw new PgError(SqlState.protocolViolation, `bind message supplies ${msg.params.length} parameters, but prepared statement "${msg.statement}" requires ${expected}`);
        if (msg.paramFormats.length > 1 && msg.paramFormats.length !== msg.params.length)
          throw new PgError(SqlState.protocolViolation, `bind message has ${msg.paramFormats.length} parameter formats but ${msg.params.length} parameters`);
        const nCols = entry.columns?.length ?? 0;
        if (msg.resultFormats.length > 1 && msg.resultFormats.length !== nCols)
          throw new PgError(SqlState.protocolViolation, `bind message has ${msg.resultFormats.length} result formats but query has ${nCols} columns`);
        const old = this.portals.get(msg.portal);
        if (old) await this.closePortal(old);
        const portal: Portal = { name: msg.portal, entry, params: msg.params, paramFormats: msg.paramFormats, resultFormats: msg.resultFormats, rowsSoFar: 0 };
        if (entry.deferredParams) await this.specialise(portal);
        this.portals.set(msg.portal, portal);
        be.bindComplete(w);
        return;
      }
      case 'describe': {
        if (msg.target === 'S') {
          const entry = this.statements.get(msg.name);
          if (!entry) throw new PgError(SqlState.invalidSqlStatementName, `prepared statement "${msg.name}" does not exist`);
          be.parameterDescription(w, entry.paramOids);
          const fields = this.describeFields(entry, []);
          if (fields) be.rowDescription(w, fields);
          else be.noData(w);
        } else {
          const portal = this.portals.get(msg.name);
          if (!portal) throw new PgError(SqlState.invalidCursorName, `portal "${msg.name}" does not exist`);
          const fields = portal.fields ?? (portal.columns !== undefined ? this.columnFields(portal.columns, portal.resultFormats) : this.describeFields(portal.entry, portal.resultFormats, portal));
          portal.described = fields;
          if (fields) be.rowDescription(w, fields);
          else be.noData(w);
        }
        return;
      }
      case 'execute': {
        const portal = this.portals.get(msg.portal);
        if (!portal) throw new PgError(SqlState.invalidCursorName, `portal "${msg.portal}" does not exist`);
        if (this.tx.state === 'failed' && !isTransactionExit(portal.entry.stmt)) throw abortedError();
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
    const slice = slices[0]!;
    const stmt = this.classifyOrError(slice);
    const entry = this.makeEntry(name, sql, slice, stmt);
    if (stmt.kind === 'unsupported') throw stmt.error;
    const nParams = Math.max(declared.length, maxParamNumber(slice.tokens));
    if (stmt.kind !== 'duckdb') {
      entry.paramOids = Array.from({ length: nParams }, (_, i) => declared[i] || Oid.text);
      entry.duckParamTypes = new Array(nParams).fill(undefined);
      entry.columns = this.utility.describe(stmt);
      return entry;
    }
    await this.releaseConnection();
    let prepared = await this.duckPrepare(slice.text, slice);
    // Parameters DuckDB cannot type get the client's declared type, or text.
    const declaredCasts = new Map<number, string>();
    const untyped: number[] = [];
    for (let i = 1; i <= prepared.parameterCount; i++) {
      const known = paramType(prepared, i);
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
    for (let i = 1; i <= count; i++) {
      const t = i <= prepared.parameterCount ? paramType(prepared, i) : undefined;
      entry.duckParamTypes.push(t);
      entry.paramOids.push(declared[i - 1] || (t ? pgTypeOf(t).oid : Oid.text));
    }
    entry.columns = columnsOf(prepared, slice);
    return entry;
  }

  /** Prepares the statement of a deferred-parameter entry with casts from the bound values. */
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
    return this.columnFields(entry.columns, formats);
  }

  private columnFields(columns: { name: string; type: DuckDBType }[] | null, formats: number[]): FieldDescription[] | null {
    if (!columns) return null;
    return this.fieldsFor(
      columns.map((c) => c.name),
      columns.map((c) => c.type),
      formats,
    );
  }

  async executePortal(portal: Portal, maxRows: number): Promise<void> {
    const w = this.channel.writer;
    const entry = portal.entry;
    this.beginActivity(entry.sql);
    try {
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
          portal.completed = portal.finalTag ? portal.finalTag(portal.rowsSoFar) : `SELECT ${portal.rowsSoFar}`;
          be.commandComplete(w, portal.completed);
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
        return;
      }
      await this.maybeOpenPipelineTransaction(entry.stmt);
      await this.releaseConnection();
      const prepared = portal.duck ?? entry.duck!;
      this.startStatementTimer();
      const t0 = Date.now();
      try {
        bindParams(prepared, portal.params, portal.paramFormats, entry.paramOids, entry.duckParamTypes);
        let result: DuckDBResult;
        try {
          result = await this.withReadOnlyGuard(() => prepared.stream());
        } catch (e) {
          throw this.toPgError(e, entry.slice);
        }
        await this.consumeResult(result, entry.slice, { simple: false, formats: portal.resultFormats, maxRows, portal });
      } finally {
        this.stopStatementTimer();
        this.noteSlow(entry.sql, t0);
      }
    } finally {
      this.endActivity();
    }
  }

  /**
   * PostgreSQL runs everything between two Syncs in one implicit transaction. A DuckDB
   * transaction is opened only when that matters: when more than one Execute is pipelined.
   */
  private async maybeOpenPipelineTransaction(stmt: Statement): Promise<void> {
    if (this.tx.duckOpen || this.tx.state !== 'idle' || !needsImplicitBlock(stmt)) return;
    let executes = 0;
    for (const m of this.queue) {
      if (m.kind === 'sync') break;
      if (m.kind === 'execute') executes++;
    }
    if (executes > 0) await this.openImplicitBlock();
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
    try {
      portal.duck?.destroySync();
    } catch {
      /* already gone */
    }
    portal.duck = undefined;
    this.portals.delete(portal.name);
  }

  private dropEntry(entry: PreparedEntry): void {
    try {
      entry.duck?.destroySync();
    } catch {
      /* already destroyed */
    }
    entry.duck = undefined;
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

  /** Re-applies settings to formatting and DuckDB, and reports those with ParameterStatus. */
  settingsChanged(names: readonly string[]): void {
    if (names.length === 0) return;
    this.refreshFormatContext();
    for (const n of names) {
      const def = settingDef(n);
      if (def?.report) be.parameterStatus(this.channel.writer, def.name, this.settings.get(def.name) ?? '');
    }
    if (names.some((n) => n === 'TimeZone' || n === 'search_path')) this.duckSettingsDirty = true;
  }

  duckSettingsDirty = true;

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
    if (err.code !== SqlState.queryCanceled) this.log.info({ code: err.code, message: err.message, statement: truncate(this.currentQuery) }, 'statement error');
  }

  notice(message: string, code: string = SqlState.warning, severity: 'WARNING' | 'NOTICE' = 'WARNING'): void {
    be.noticeResponse(this.channel.writer, new PgError(code, message, { severity }));
  }

  // ---------------------------------------------------------------- COPY hooks used by the utility runner

  startCopyIn(copy: CopyIn): void {
    this.copyIn = copy;
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
    for (const p of this.portals.values()) p.source?.close();
    this.portals.clear();
    // Let a running DuckDB call notice the interrupt before the connection is closed.
    const closeConn = () => {
      for (const s of this.statements.values()) this.dropEntry(s);
      this.statements.clear();
      try {
        this.conn.closeSync();
      } catch {
        /* ignore */
      }
    };
    if (this.processing) setTimeout(closeConn, 50);
    else closeConn();
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

