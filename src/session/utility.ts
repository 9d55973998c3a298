/**
 * Statements lakegres answers itself: transaction control, SET/SHOW/RESET/DISCARD,
 * cursors (DECLARE/FETCH/MOVE/CLOSE), COPY to and from the client, and the refusals.
 */
import { VARCHAR, ResultReturnType, type DuckDBType } from '@duckdb/node-api';
import * as be from '../protocol/backend.js';
import type { FieldDescription } from '../protocol/backend.js';
import { PgError, SqlState } from '../errors/pg-error.js';
import type { Statement } from '../sql/classify.js';
import { splitStatements } from '../sql/lexer.js';
import { columnEncoder } from '../types/column-writer.js';
import { Oid } from '../types/pg-types.js';
import { TimeZone } from '../types/datetime.js';
import { allSettingDefs, displayValue, settingDef, toDuckSearchPath } from './settings.js';
import { DuckRowSource } from './row-source.js';
import type { Portal, Session } from './session.js';
import { CopyIn } from './copy-in.js';
import { copyOut } from './copy-out.js';
import { readAll } from '../engine/rows.js';

const textField = (name: string): FieldDescription => ({ name, tableOid: 0, columnAttr: 0, typeOid: Oid.text, typeLen: -1, typeMod: -1, format: 0 });

export class UtilityRunner {
  constructor(private readonly s: Session) {}

  /** Column layout for Describe, or null for statements without rows. */
  describe(stmt: Statement): { name: string; type: DuckDBType }[] | null {
    switch (stmt.kind) {
      case 'show':
        return [{ name: this.showColumnName(stmt.name), type: VARCHAR }];
      case 'showAll':
        return ['name', 'setting', 'description'].map((name) => ({ name, type: VARCHAR }));
      default:
        return null;
    }
  }

  describeFetch(stmt: Extract<Statement, { kind: 'fetch' }>, portal?: Portal): FieldDescription[] | null {
    if (stmt.move) return null;
    const cursor = this.s.portals.get(stmt.name);
    const fields = cursor?.fields;
    if (!fields) return null;
    // A FETCH portal returns rows in the formats of its Bind, whatever the cursor was declared with.
    return portal ? fields.map((f, i) => ({ ...f, format: formatAt(portal.resultFormats, i) })) : fields;
  }

  private showColumnName(name: string): string {
    const lower = name.toLowerCase();
    if (lower === 'transaction_isolation') return 'transaction_isolation';
    return settingDef(name)?.name ?? lower;
  }

  /** Executes a utility statement; `simple` sends RowDescription for statements with rows. */
  async run(portal: Portal, maxRows: number, simple: boolean): Promise<void> {
    const stmt = portal.entry.stmt;
    const s = this.s;
    const w = s.channel.writer;
    switch (stmt.kind) {
      case 'unsupported':
        throw stmt.error;
      case 'begin': {
        if (s.tx.state !== 'idle') {
          s.notice('there is already a transaction in progress', SqlState.activeSqlTransaction);
        } else if (s.tx.implicit) {
          s.tx.promoteImplicit();
        } else {
          s.tx.begin(stmt.options.readOnly ?? s.defaultReadOnly());
          s.settings.beginTransaction();
          this.applyTransactionOptions(stmt.options);
        }
        be.commandComplete(w, stmt.tag);
        return;
      }
      case 'commit':
      case 'rollback': {
        const wasFailed = s.tx.state === 'failed';
        if (s.tx.state === 'idle') {
          s.notice('there is no transaction in progress', SqlState.noActiveSqlTransaction);
          if (stmt.chain) throw new PgError(SqlState.noActiveSqlTransaction, `${stmt.kind === 'commit' ? 'COMMIT' : 'ROLLBACK'} AND CHAIN can only be used in transaction blocks`);
        }
        const readOnly = s.tx.readOnly;
        const commit = stmt.kind === 'commit' && !wasFailed;
        if (commit) {
          await s.materializeHoldableCursors();
          try {
            await s.tx.commit();
          } catch (e) {
            s.closeTransactionPortals();
            s.afterTransactionEnd(false);
            throw e;
          }
        } else await s.tx.rollback();
        s.closeTransactionPortals();
        s.afterTransactionEnd(commit);
        if (stmt.chain) {
          s.tx.begin(readOnly);
          s.settings.beginTransaction();
        }
        be.commandComplete(w, commit ? 'COMMIT' : 'ROLLBACK');
        return;
      }
      case 'savepoint':
        s.tx.savepoint(stmt.name);
        be.commandComplete(w, 'SAVEPOINT');
        return;
      case 'release':
        if (s.tx.state === 'failed') throw abortedError();
        s.tx.release(stmt.name);
        be.commandComplete(w, 'RELEASE');
        return;
      case 'rollbackTo':
        await s.tx.rollbackTo(stmt.name);
        be.commandComplete(w, 'ROLLBACK');
        return;
      case 'set': {
        const before = s.settings.get('lakegres.snapshot') ?? '';
        this.set(stmt.name, stmt.value, stmt.local);
        const after = s.settings.get('lakegres.snapshot') ?? '';
        if (after !== before && s.routing) {
          // Checked now, as PostgreSQL checks a setting's value at SET.
          try {
            await s.routing.lake.travelTo(after);
          } catch (e) {
            this.setValue('lakegres.snapshot', before, stmt.local);
            throw e;
          }
        }
        be.commandComplete(w, 'SET');
        return;
      }
      case 'setTransaction':
        if (stmt.session) {
          if (stmt.options.readOnly !== undefined) this.setValue('default_transaction_read_only', stmt.options.readOnly ? 'on' : 'off', false);
          if (stmt.options.isolation) this.setValue('default_transaction_isolation', stmt.options.isolation, false);
        } else {
          if (s.tx.state === 'idle') s.notice('SET TRANSACTION can only be used in transaction blocks', SqlState.noActiveSqlTransaction);
          else this.applyTransactionOptions(stmt.options);
        }
        be.commandComplete(w, 'SET');
        return;
      case 'reset': {
        const r = s.settings.reset(stmt.name);
        s.settingsChanged([r.name]);
        be.commandComplete(w, 'RESET');
        return;
      }
      case 'resetAll':
        s.settingsChanged(s.settings.resetAll());
        be.commandComplete(w, 'RESET');
        return;
      case 'show': {
        const value = s.settings.get(stmt.name);
        if (value === undefined) throw new PgError(SqlState.undefinedObject, `unrecognized configuration parameter "${stmt.name}"`);
        return this.sendRows(portal, [textField(this.showColumnName(stmt.name))], [[displayValue(stmt.name, value)]], 'SHOW', maxRows, simple);
      }
      case 'showAll': {
        const rows = s.settings
          .entries()
          .filter(([k]) => settingDef(k) !== undefined)
          .sort(([a], [b]) => a.toLowerCase().localeCompare(b.toLowerCase()))
          .map(([k, v]) => [k, displayValue(k, v), settingDef(k)?.description ?? null]);
        return this.sendRows(portal, ['name', 'setting', 'description'].map(textField), rows, 'SHOW', maxRows, simple);
      }
      case 'discard':
        await this.discard(stmt.target);
        be.commandComplete(w, `DISCARD ${stmt.target.toUpperCase()}`);
        return;
      case 'listen':
        if (stmt.tag === 'UNLISTEN') {
          be.commandComplete(w, 'UNLISTEN');
          return;
        }
        throw new PgError(SqlState.featureNotSupported, `${stmt.tag} is not supported by lakegres`, { hint: 'Asynchronous notifications are not available; poll instead.' });
      case 'declare':
        await this.declare(stmt);
        be.commandComplete(w, 'DECLARE CURSOR');
        return;
      case 'fetch':
        await this.fetch(stmt, simple, portal);
        return;
      case 'close':
        if (stmt.name === null) {
          for (const p of [...s.portals.values()]) if (p.cursor) await s.closePortal(p);
          be.commandComplete(w, 'CLOSE CURSOR ALL');
          return;
        }
        {
          const p = s.portals.get(stmt.name);
          if (!p || !p.cursor) throw new PgError(SqlState.invalidCursorName, `cursor "${stmt.name}" does not exist`);
          await s.closePortal(p);
        }
        be.commandComplete(w, 'CLOSE CURSOR');
        return;
      case 'copyFromStdin': {
        await s.releaseConnection();
        const copy = await CopyIn.start(s, stmt);
        s.startCopyIn(copy);
        await s.channel.flush();
        let rows: number;
        try {
          rows = await copy.done;
        } finally {
          s.endCopyIn();
        }
        s.tx.markWrite();
        be.commandComplete(w, `COPY ${rows}`);
        return;
      }
      case 'copyToStdout':
        await s.releaseConnection();
        await copyOut(s, stmt);
        return;
      case 'deallocate':
        await this.deallocate(stmt.name);
        be.commandComplete(w, stmt.name === null ? 'DEALLOCATE ALL' : 'DEALLOCATE');
        return;
      case 'duckdb':
        throw new PgError(SqlState.internalError, 'utility runner got a DuckDB statement');
    }
  }

  private sendRows(portal: Portal, fields: FieldDescription[], rows: (string | null)[][], tag: string, maxRows: number, simple: boolean): Promise<void> {
    const w = this.s.channel.writer;
    if (simple) be.rowDescription(w, fields);
    const source = this.s.staticSource(rows);
    return source.pump(this.s.channel, maxRows, () => undefined).then(({ rows: n, done }) => {
      portal.rowsSoFar += n;
      if (done) be.commandComplete(w, tag === 'SHOW' ? 'SHOW' : `${tag} ${portal.rowsSoFar}`);
      else {
        portal.source = source;
        portal.fields = fields;
        portal.finalTag = () => 'SHOW';
        be.portalSuspended(w);
      }
    });
  }

  private applyTransactionOptions(options: { readOnly?: boolean; isolation?: string }): void {
    const s = this.s;
    if (options.readOnly !== undefined) {
      s.tx.setPendingReadOnly(options.readOnly);
      s.settings.set('transaction_read_only', options.readOnly ? 'on' : 'off', { local: true, inTransaction: true });
    }
    if (options.isolation) s.settings.set('transaction_isolation', options.isolation, { local: true, inTransaction: true });
  }

  private set(name: string, value: string | null, local: boolean): void {
    const s = this.s;
    const lower = name.toLowerCase();
    if (lower === 'session_authorization') {
      if (value !== null && value !== s.id.user) throw new PgError(SqlState.insufficientPrivilege, 'permission denied to set session authorization');
      return;
    }
    if (lower === 'transaction_read_only') {
      if (s.tx.state === 'idle') return s.notice('SET TRANSACTION can only be used in transaction blocks', SqlState.noActiveSqlTransaction);
      this.applyTransactionOptions({ readOnly: value === null ? s.defaultReadOnly() : ['on', 'true', '1', 'yes'].includes(value.toLowerCase()) });
      return;
    }
    if (value === null) {
      const r = s.settings.reset(name);
      s.settingsChanged([r.name]);
      return;
    }
    if (local && s.tx.state === 'idle') {
      // Validate anyway, as PostgreSQL does, then warn that nothing changes.
      s.settings.canonicalName(name);
      s.notice('SET LOCAL can only be used in transaction blocks', SqlState.noActiveSqlTransaction);
      return;
    }
    this.setValue(name, value, local);
  }

  private setValue(name: string, value: string, local: boolean): void {
    const s = this.s;
    const before = s.settings.get(name);
    const r = s.settings.set(name, value, { local, inTransaction: s.tx.state !== 'idle' });
    if (before !== r.value || settingDef(r.name)?.report) s.settingsChanged([r.name]);
  }

  private async discard(target: 'all' | 'plans' | 'sequences' | 'temp'): Promise<void> {
    const s = this.s;
    if (target === 'all' && s.tx.state !== 'idle') throw new PgError(SqlState.activeSqlTransaction, 'DISCARD ALL cannot run inside a transaction block');
    if (target === 'all') {
      for (const p of [...s.portals.values()]) await s.closePortal(p);
      for (const [name, entry] of [...s.statements]) {
        try {
          entry.duck?.destroySync();
        } catch {
          /* ignore */
        }
        s.statements.delete(name);
      }
      s.settingsChanged(s.settings.resetAll());
    }
    if (target === 'all' || target === 'temp') await this.dropTempObjects();
  }

  /**
   * DEALLOCATE name | ALL: drops protocol-level named statements (Parse); a name lakegres does
   * not hold is a statement of DuckDB's own SQL-level PREPARE and goes to DuckDB.
   */
  private async deallocate(name: string | null): Promise<void> {
    const s = this.s;
    const drop = (n: string) => {
      try {
        s.statements.get(n)?.duck?.destroySync();
      } catch {
        /* already destroyed */
      }
      s.statements.delete(n);
    };
    if (name === null) {
      for (const n of [...s.statements.keys()]) if (n !== '') drop(n);
      return;
    }
    if (s.statements.has(name) && name !== '') return drop(name);
    await s.releaseConnection();
    try {
      await s.conn.run(`DEALLOCATE "${name.replace(/"/g, '""')}"`);
    } catch {
      throw new PgError(SqlState.invalidSqlStatementName, `prepared statement "${name}" does not exist`);
    }
  }

  private async dropTempObjects(): Promise<void> {
    const s = this.s;
    await s.releaseConnection();
    const reader = await readAll(s.conn,
      "SELECT 'TABLE', table_name FROM duckdb_tables() WHERE temporary UNION ALL SELECT 'VIEW', view_name FROM duckdb_views() WHERE temporary AND NOT internal",
    );
    for (const [kind, name] of reader.getRows() as [string, string][]) {
      await s.conn.run(`DROP ${kind} IF EXISTS temp.main."${name.replace(/"/g, '""')}"`);
    }
  }

  private async declare(stmt: Extract<Statement, { kind: 'declare' }>): Promise<void> {
    const s = this.s;
    if (!stmt.hold && s.tx.state === 'idle') throw new PgError(SqlState.noActiveSqlTransaction, 'DECLARE CURSOR can only be used in transaction blocks');
    if (stmt.scroll)
      throw new PgError(SqlState.featureNotSupported, 'SCROLL cursors are not supported by lakegres', { hint: 'Declare the cursor NO SCROLL (the default) and fetch forward.' });
    if (s.portals.has(stmt.name)) throw new PgError(SqlState.duplicateCursor, `cursor "${stmt.name}" already exists`);
    const slices = splitStatements(stmt.query);
    if (slices.length !== 1) throw new PgError(SqlState.syntaxError, 'DECLARE CURSOR needs exactly one query');
    await s.releaseConnection();
    const slice = await s.routeRead(slices[0]!);
    let result;
    try {
      result = await s.conn.stream(slice.text);
    } catch (e) {
      const err = s.toPgError(e, slice);
      if (err.position !== undefined) err.position += stmt.queryOffset;
      throw err;
    }
    if (result.returnType !== ResultReturnType.QUERY_RESULT) throw new PgError('42P11', 'cannot open a non-SELECT query as a cursor');
    const types = result.columnTypes();
    const format = stmt.binary ? 1 : 0;
    const fields = s.fieldsFor(result.columnNames(), types, [format], slices[0]!.text);
    const source = new DuckRowSource(result, fields.map((f, i) => columnEncoder(types[i]!, f.format, s.format, f.typeOid)));
    const entry = { name: stmt.name, sql: stmt.query, slice, stmt: { kind: 'duckdb' } as Statement, paramOids: [], duckParamTypes: [], columns: null };
    const portal: Portal = {
      name: stmt.name,
      entry,
      params: [],
      paramFormats: [],
      resultFormats: [format],
      rowsSoFar: 0,
      source,
      fields,
      cursor: { hold: stmt.hold, binary: stmt.binary, declaredInTransaction: s.tx.state !== 'idle' },
    };
    s.portals.set(stmt.name, portal);
    // A holdable cursor declared outside a block is materialized at once: its transaction ends now.
    if (stmt.hold && s.tx.state === 'idle') portal.source = await source.detach(s.spoolDir, () => s.checkCancel());
  }

  private async fetch(stmt: Extract<Statement, { kind: 'fetch' }>, simple: boolean, fetchPortal: Portal): Promise<void> {
    const s = this.s;
    const w = s.channel.writer;
    const portal = s.portals.get(stmt.name);
    if (!portal || !portal.cursor) throw new PgError(SqlState.invalidCursorName, `cursor "${stmt.name}" does not exist`);
    if (!simple && !stmt.move) this.useFetchFormats(portal, fetchPortal.resultFormats);
    const verb = stmt.move ? 'MOVE' : 'FETCH';
    const position = portal.rowsSoFar;
    let skip = 0;
    let count: number;
    switch (stmt.direction) {
      case 'backward':
        if (stmt.count === 0) {
          count = 0;
          break;
        }
        throw backwardError();
      case 'absolute':
        if (stmt.count <= position) throw backwardError();
        skip = stmt.count - position - 1;
        count = 1;
        break;
      case 'relative':
        if (stmt.count < 0 || (stmt.count === 0 && position > 0)) throw backwardError();
        skip = Math.max(0, stmt.count - 1);
        count = stmt.count === 0 ? 0 : 1;
        break;
      default:
        count = stmt.count;
    }
    if (simple && !stmt.move && portal.fields) be.rowDescription(w, portal.fields);
    let sent = 0;
    if (portal.source && skip > 0) {
      const r = await portal.source.pump(s.discardSink(), skip, () => s.checkCancel());
      portal.rowsSoFar += r.rows;
      if (r.done) portal.source = undefined;
    }
    if (portal.source && count > 0) {
      const maxRows = count >= 2147483647 ? 0 : count;
      const r = await portal.source.pump(stmt.move ? s.discardSink() : s.channel, maxRows, () => s.checkCancel());
      sent = r.rows;
      portal.rowsSoFar += r.rows;
      if (r.done) portal.source = undefined;
    }
    be.commandComplete(w, `${verb} ${sent}`);
  }

  /**
   * Extended-protocol FETCH (psycopg 3 binary server cursors): rows go out in the formats of the
   * FETCH's Bind. Rows still in the live DuckDB stream are re-encoded; rows already spooled in
   * another format cannot be, which is refused rather than sent in the wrong format.
   */
  private useFetchFormats(cursor: Portal, resultFormats: number[]): void {
    const fields = cursor.fields;
    if (!fields) return;
    const wanted = fields.map((_, i) => formatAt(resultFormats, i));
    if (wanted.every((f, i) => f === fields[i]!.format)) return;
    const src = cursor.source;
    if (src instanceof DuckRowSource && src.holdsConnection) {
      const types = src.columnTypes;
      src.setEncoders(types.map((t, i) => columnEncoder(t, wanted[i]!, this.s.format, fields[i]!.typeOid)));
    } else if (src) {
      throw new PgError(SqlState.featureNotSupported, `cannot fetch from cursor "${cursor.name}" in another format after its rows were buffered`, {
        hint: 'Fetch in the same format (text or binary) throughout, or declare the cursor BINARY.',
      });
    }
    cursor.fields = fields.map((f, i) => ({ ...f, format: wanted[i]! }));
  }

  /** Applies TimeZone and search_path to the DuckDB connection. */
  async applyDuckSettings(): Promise<void> {
    const s = this.s;
    const tz = duckTimeZone(s.settings.timeZoneName);
    if (tz) await s.conn.run(`SET TimeZone = '${tz.replace(/'/g, "''")}'`);
    const wanted = toDuckSearchPath(s.settings.get('search_path') ?? '', s.id.user);
    const schemas = new Set(
      ((await readAll(s.conn, 'SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database()')).getRows() as [string][]).map((r) => r[0]),
    );
    const usable = wanted.split(',').filter((x) => x && schemas.has(x));
    await s.conn.run(`SET search_path = '${(usable.length ? usable : ['main']).join(',').replace(/'/g, "''")}'`);
  }
}

/** A TimeZone DuckDB's ICU accepts for the session zone (fixed offsets need whole hours). */
export function duckTimeZone(name: string): string | undefined {
  const tz = TimeZone.resolve(name);
  if (!tz) return undefined;
  if (!tz.isFixed) return tz.name;
  const offset = tz.offsetAt(0n);
  if (offset === 0) return 'UTC';
  if (offset % 3600 !== 0) return undefined;
  const h = offset / 3600;
  return `Etc/GMT${h > 0 ? '-' : '+'}${Math.abs(h)}`;
}

function formatAt(formats: readonly number[], i: number): 0 | 1 {
  return (formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : (formats[i] ?? 0)) as 0 | 1;
}

const abortedError = () => new PgError(SqlState.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
const backwardError = () => new PgError(SqlState.objectNotInPrerequisiteState, 'cursor can only scan forward', { hint: 'Declare it with SCROLL option to enable backward scan.' });
