/**
 * PostgreSQL transaction-block state of a session, mapped onto the DuckDB connection's
 * transactions. Tracks explicit blocks, implicit blocks (multi-statement Query messages and
 * extended-protocol pipelines up to Sync), the failed state, and the savepoint policy.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { PgError, SqlState } from '../errors/pg-error.js';
import { fromDuckDBError } from '../errors/duckdb-errors.js';

export type BlockState = 'idle' | 'block' | 'failed';

export interface Savepoint {
  name: string;
  /** A statement that may have changed data ran after this savepoint. */
  dirty: boolean;
}

/** Something that commits and rolls back with the session's transactions (the lake). */
export interface TransactionParticipant {
  /** Runs before DuckDB's COMMIT; when it throws, the transaction is rolled back instead. */
  commit(): Promise<void>;
  /** Runs after DuckDB's ROLLBACK. */
  rollback(): Promise<void>;
}

export class TransactionState {
  state: BlockState = 'idle';
  /** A DuckDB transaction is open on the connection. */
  duckOpen = false;
  /** The open DuckDB transaction was started implicitly (no BEGIN from the client). */
  implicit = false;
  readOnly = false;
  /** Options of a BEGIN whose DuckDB transaction starts with the block's first statement. */
  private pending?: { readOnly: boolean };
  savepoints: Savepoint[] = [];
  /** Counts rollbacks: objects created inside a rolled-back DuckDB transaction are gone. */
  rollbacks = 0;
  participant?: TransactionParticipant;

  constructor(private readonly conn: DuckDBConnection) {}

  /** ReadyForQuery status byte. */
  get status(): 'I' | 'T' | 'E' {
    return this.state === 'idle' ? 'I' : this.state === 'block' ? 'T' : 'E';
  }

  get inBlock(): boolean {
    return this.state !== 'idle';
  }

  private async duck(sql: string): Promise<void> {
    try {
      await this.conn.run(sql);
    } catch (e) {
      throw fromDuckDBError(e, sql);
    }
  }

  /**
   * BEGIN: the block starts now; the DuckDB transaction (and with it the snapshot) starts with
   * the first statement that needs it, so SET TRANSACTION can still change its options.
   */
  begin(readOnly: boolean): void {
    this.state = 'block';
    this.pending = { readOnly };
    this.readOnly = readOnly;
  }

  /** Sets options of a block whose first statement has not run yet. */
  setPendingReadOnly(readOnly: boolean): void {
    if (this.duckOpen) throw new PgError(SqlState.activeSqlTransaction, 'SET TRANSACTION READ ONLY/WRITE must be called before any query');
    if (this.pending) this.pending.readOnly = readOnly;
    this.readOnly = readOnly;
  }

  get started(): boolean {
    return this.duckOpen;
  }

  /** Starts the DuckDB transaction of an explicit block if it has not started yet. */
  async ensureOpen(): Promise<void> {
    if (this.state === 'idle' || this.duckOpen || !this.pending) return;
    const { readOnly } = this.pending;
    this.pending = undefined;
    await this.duck(readOnly ? 'BEGIN TRANSACTION READ ONLY' : 'BEGIN TRANSACTION');
    this.duckOpen = true;
  }

  /** Opens an implicit block (multi-statement Query, extended pipeline, read-only default). */
  async openImplicit(readOnly: boolean): Promise<void> {
    if (this.duckOpen) return;
    await this.duck(readOnly ? 'BEGIN TRANSACTION READ ONLY' : 'BEGIN TRANSACTION');
    this.duckOpen = true;
    this.implicit = true;
    this.readOnly = readOnly;
  }

  /** BEGIN inside an implicit block turns it into an explicit one. */
  promoteImplicit(): void {
    this.implicit = false;
    this.state = 'block';
  }

  async commit(): Promise<void> {
    if (this.participant) {
      try {
        await this.participant.commit();
      } catch (e) {
        await this.rollback();
        throw e;
      }
    }
    if (!this.duckOpen) return this.reset();
    try {
      await this.duck('COMMIT');
    } finally {
      this.reset();
    }
  }

  async rollback(): Promise<void> {
    if (this.duckOpen) {
      this.rollbacks++;
      try {
        await this.duck('ROLLBACK');
      } catch {
        // DuckDB may already have discarded an aborted transaction.
      }
    }
    this.reset();
    // After DuckDB's ROLLBACK: the participant may need a usable connection again.
    await this.participant?.rollback();
  }

  private reset(): void {
    this.pending = undefined;
    this.duckOpen = false;
    this.implicit = false;
    this.readOnly = false;
    this.state = 'idle';
    this.savepoints = [];
  }

  /** After an error inside a transaction block: everything but ROLLBACK fails with 25P02. */
  fail(): void {
    if (this.state === 'block') this.state = 'failed';
  }

  markWrite(): void {
    for (const s of this.savepoints) s.dirty = true;
  }

  savepoint(name: string): void {
    if (this.state === 'idle') throw new PgError(SqlState.noActiveSqlTransaction, 'SAVEPOINT can only be used in transaction blocks');
    this.savepoints.push({ name, dirty: false });
  }

  private find(name: string, verb: string): number {
    for (let i = this.savepoints.length - 1; i >= 0; i--) if (this.savepoints[i]!.name === name) return i;
    if (this.state === 'idle') throw new PgError(SqlState.noActiveSqlTransaction, `${verb} can only be used in transaction blocks`);
    throw new PgError('3B001', `savepoint "${name}" does not exist`);
  }

  release(name: string): void {
    const i = this.find(name, 'RELEASE SAVEPOINT');
    this.savepoints.length = i;
  }

  /**
   * ROLLBACK TO SAVEPOINT: DuckDB has no subtransactions, so this succeeds only when nothing
   * that could have changed data ran since the savepoint and the DuckDB transaction is still
   * usable; otherwise it fails (0A000) and the block stays failed. Never a silent partial undo.
   */
  async rollbackTo(name: string): Promise<void> {
    const i = this.find(name, 'ROLLBACK TO SAVEPOINT');
    const sp = this.savepoints[i]!;
    const unsupported = () =>
      new PgError(SqlState.featureNotSupported, `cannot roll back to savepoint "${name}": changes made after it cannot be undone separately`, {
        hint: 'lakegres (DuckDB) has no subtransactions. ROLLBACK the whole transaction and retry it.',
      });
    if (sp.dirty) {
      this.fail();
      throw unsupported();
    }
    if (this.state === 'failed') {
      try {
        await this.conn.run('SELECT 1');
      } catch {
        throw unsupported();
      }
      this.state = 'block';
    }
    this.savepoints.length = i + 1;
  }
}
