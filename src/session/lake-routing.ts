/**
 * Where a session's statements meet its lake: which snapshot a statement reads, the
 * PostgreSQL `public` schema as DuckLake's `main`, read rewrites (time travel, virtual
 * columns, ducklake_* functions), lake writes prepared for execution, and the lake's part in
 * COMMIT and ROLLBACK.
 */
import { EMULATION_SCHEMA } from '../pgcompat/registry.js';
import { PgError, SqlState } from '../errors/pg-error.js';
import { leadingWords, tokenize, type StatementSlice } from '../sql/lexer.js';
import type { LakeSession, PreparedLakeWrite } from '../lake/lake-session.js';
import { callTarget, type LakeStatement } from '../lake/sql/lake-statements.js';
import { LAKE_FUNCTIONS, SHORTCUTS } from '../lake/functions/index.js';
import type { TransactionParticipant, TransactionState } from './transaction.js';
import { toDuckSearchPath, type SessionSettings } from './settings.js';
import { rewritePostgres } from '../pgcompat/rewrite/index.js';
import { originContext, pgCompatContext } from '../pgcompat/lake-context.js';
import type { OriginContext } from '../pgcompat/column-origins.js';

export interface RoutingHost {
  readonly tx: TransactionState;
  readonly settings: SessionSettings;
  readonly userName: string;
  defaultReadOnly(): boolean;
  notice(message: string): void;
  allLakes(): string[];
  /** The session's default DuckDB database changed: settings tied to it must be applied again. */
  databaseSwitched(): void;
  readonly id: { readonly pid: number; readonly clientAddress: string };
  /** Before a statement that reads these emulated catalog relations (pg_stat_activity is refreshed then). */
  catalogRead?(relations: readonly string[]): Promise<void>;
}

export interface RoutedStatement {
  /** The statement as DuckDB sees it (public → main; for reads, lake rewrites applied). */
  slice: StatementSlice;
  /** Set when the statement changes the lake. */
  write?: LakeStatement;
  /**
   * The text embeds values that can change before a prepared statement runs (lake data, settings,
   * transaction ids): Execute routes it again instead of reusing what Parse prepared.
   */
  reprepare?: boolean;
}

/** txid_current(): one counter for the process, a number per transaction. */
let lastTxid = 1000;

export class LakeRouting implements TransactionParticipant {
  constructor(
    private readonly host: RoutingHost,
    readonly lake: LakeSession,
  ) {
    host.tx.participant = this;
    lake.onDatabaseSwitch = () => host.databaseSwitched();
  }

  get inTransaction(): boolean {
    return this.host.tx.inBlock || this.host.tx.duckOpen;
  }

  /** First schema of search_path that names a lake schema ('main' for public). */
  get defaultSchema(): string {
    const path = toDuckSearchPath(this.host.settings.get('search_path') ?? '', this.host.userName).split(',').filter(Boolean);
    for (const name of path) if (this.lake.schemaByName(name)) return this.lake.schemaByName(name)!.name;
    return 'main';
  }

  /** Before a statement runs: the snapshot it reads (newest, or the transaction's). */
  async begin(): Promise<void> {
    await this.lake.travelTo(this.host.settings.get('lakegres.snapshot') ?? '');
    await this.lake.beginStatement(this.inTransaction);
  }

  /** Classifies the statement; reads are rewritten for the lake. */
  async route(slice: StatementSlice): Promise<RoutedStatement> {
    // Temporary tables shadow lake tables of the same name: remember that the session may have some.
    if (!this.lake.mayHaveTempTables && slice.tokens.some((t) => t.kind === 'word' && (t.value === 'TEMP' || t.value === 'TEMPORARY'))) this.lake.mayHaveTempTables = true;
    let mapped = mapPublicSchema(slice);
    // Inside a transaction that wrote, `<lake>.schema.table` means the transaction's view of it.
    if (this.lake.travel || this.lake.workspace.overlayActive) mapped = mapCatalog(mapped, this.lake.name, this.lake.readDbName);
    // PostgreSQL's SQL where DuckDB reads it differently: catalog names, session values, syntax (pgcompat/rewrite).
    const pg = rewritePostgres(mapped.text, mapped.tokens, pgCompatContext(this.lake, { user: this.host.userName, pid: this.host.id.pid, clientAddress: this.host.id.clientAddress, settings: this.host.settings }, () => this.txid()));
    if (pg.changed) mapped = reslice(pg.text, mapped);
    if (pg.catalogRelations.length > 0) await this.host.catalogRead?.(pg.catalogRelations);
    // A transaction's overlay gets its emulated catalog when a statement first reads it (pgcompat/catalog).
    if (this.lake.workspace.overlayActive && mapped.text.includes(EMULATION_SCHEMA)) await this.lake.workspace.ensureCatalog();
    const write = this.lake.classify(mapped);
    // CALL of a lake query function (CALL ducklake_snapshots('lake'), CALL lake.options()) is its query.
    if (!write && isLakeQueryCall(mapped, this.host.allLakes())) mapped = reslice(`SELECT * FROM ${mapped.text.slice(mapped.tokens[1]!.start)}`, mapped);
    // Writes read too (INSERT ... SELECT, UPDATE ... FROM).
    await this.lake.pinReads(mapped);
    if (write) return { slice: mapped, write };
    const text = await this.lake.rewriteRead(mapped, this.defaultSchema, this.host.allLakes());
    if (text === mapped.text) return { slice: mapped, reprepare: pg.volatile };
    const rewritten = reslice(text, mapped);
    await this.lake.pinReads(rewritten);
    return { slice: rewritten, reprepare: true };
  }

  /** At ReadyForQuery with nothing left to stream: cached remote files may be evicted again. */
  idle(): void {
    this.lake.releaseReads();
  }

  /** Refuses a lake write in a read-only transaction (25006), as PostgreSQL does at execution. */
  assertWritable(slice: StatementSlice): void {
    if (this.lake.travel) {
      throw new PgError(SqlState.readOnlySqlTransaction, `cannot execute ${verbOf(slice)} while reading snapshot ${this.lake.snapshotId} (lakegres.snapshot)`, { hint: 'RESET lakegres.snapshot to write to the latest snapshot.' });
    }
    const tx = this.host.tx;
    if (tx.readOnly || (!this.inTransaction && this.host.defaultReadOnly())) {
      throw new PgError(SqlState.readOnlySqlTransaction, `cannot execute ${verbOf(slice)} in a read-only transaction`);
    }
  }

  /** Prepares a lake write for execution on the session's connection. */
  async prepareWrite(stmt: LakeStatement, slice: StatementSlice, opts: { checkReadOnly?: boolean } = {}): Promise<PreparedLakeWrite> {
    if (stmt.kind === 'unsupported') throw stmt.error;
    if (opts.checkReadOnly !== false) this.assertWritable(slice);
    return this.lake.prepareWrite(stmt, slice, { inBlock: this.inTransaction, defaultSchema: this.defaultSchema, notice: (m) => this.host.notice(m) });
  }

  async commit(): Promise<void> {
    this.currentTxid = undefined;
    await this.lake.commit();
  }

  async rollback(): Promise<void> {
    this.currentTxid = undefined;
    await this.lake.rollback();
  }

  private currentTxid?: number;

  /** txid_current(): stable within a transaction, new for each autocommit statement. */
  private txid(): number {
    if (!this.inTransaction) return ++lastTxid;
    return (this.currentTxid ??= ++lastTxid);
  }

  /** Lake tables by name for RowDescription's table OIDs and column numbers (pgcompat/result-columns). */
  originContext(): OriginContext {
    return originContext(this.lake, { user: this.host.userName, pid: this.host.id.pid, clientAddress: this.host.id.clientAddress, settings: this.host.settings });
  }
}

/**
 * `public.x` → `main.x` (and `<db>.public.x` → `<db>.main.x`): DuckLake's default schema is main.
 * `pg_temp.x` (also `pg_temp_<n>.x`, as PostgreSQL names a session's temporary schema) →
 * `temp.x`: DuckDB keeps temporary tables in its catalog `temp`.
 */
export function mapPublicSchema(slice: StatementSlice): StatementSlice {
  const t = slice.tokens;
  let out = '';
  let last = 0;
  for (let i = 0; i < t.length; i++) {
    const tok = t[i]!;
    if (t[i + 1]?.kind !== 'op' || t[i + 1]!.value !== '.') continue;
    const name = tok.kind === 'word' ? tok.value.toLowerCase() : tok.kind === 'qident' ? tok.value : undefined;
    // A column reference `public.col` is impossible to tell apart from schema.table without
    // binding; a schema named public is what PostgreSQL clients mean.
    const mapped = name === 'public' ? 'main' : name !== undefined && /^pg_temp(_[0-9]+)?$/.test(name) && t[i - 1]?.value !== '.' ? 'temp' : undefined;
    if (!mapped) continue;
    out += slice.text.slice(last, tok.start) + mapped;
    last = tok.end;
  }
  if (last === 0) return slice;
  return reslice(out + slice.text.slice(last), slice);
}

/** `<from>.x` → `"<to>".x` for a catalog qualifier (lake function shortcuts like lake.snapshots() excepted). */
export function mapCatalog(slice: StatementSlice, from: string, to: string): StatementSlice {
  const t = slice.tokens;
  const upper = from.toUpperCase();
  let out = '';
  let last = 0;
  for (let i = 0; i < t.length; i++) {
    const tok = t[i]!;
    const isName = (tok.kind === 'word' && tok.value === upper) || (tok.kind === 'qident' && tok.value === from);
    if (!isName || t[i + 1]?.kind !== 'op' || t[i + 1]!.value !== '.') continue;
    if (t[i - 1]?.kind === 'op' && t[i - 1]!.value === '.') continue;
    if (t[i + 3]?.kind === 'lparen') continue;
    out += slice.text.slice(last, tok.start) + '"' + to.replace(/"/g, '""') + '"';
    last = tok.end;
  }
  if (last === 0) return slice;
  return reslice(out + slice.text.slice(last), slice);
}

function isLakeQueryCall(slice: StatementSlice, lakes: string[]): boolean {
  const fn = callTarget(slice.tokens, slice.text);
  if (!fn) return false;
  if (LAKE_FUNCTIONS.has(fn.name)) return true;
  return fn.qualifier !== null && lakes.some((l) => l.toLowerCase() === fn.qualifier!.toLowerCase()) && SHORTCUTS.has(fn.name);
}

function reslice(text: string, original: StatementSlice): StatementSlice {
  return { text, offset: original.offset, tokens: tokenize(text) };
}

/** "INSERT", "CREATE TABLE", ... as PostgreSQL names the command in read-only errors. */
function verbOf(slice: StatementSlice): string {
  const words = leadingWords(slice.tokens, 4);
  if (['CREATE', 'DROP', 'ALTER'].includes(words[0] ?? '')) {
    const obj = words[1] === 'OR' ? words[3] : words[1];
    return `${words[0]} ${obj ?? ''}`.trim();
  }
  return words[0] ?? 'statement';
}
