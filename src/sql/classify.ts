/**
 * Decides which statements lakegres handles itself (transaction control, settings, COPY to and
 * from the client, cursors) and which go to DuckDB. The leading keywords choose; only the
 * utility statements are parsed with the real PostgreSQL grammar (pgsql-parser).
 */
import { parseSync } from 'pgsql-parser';
import { PgError, SqlState } from '../errors/pg-error.js';
import { leadingWords, type StatementSlice, type Token } from './lexer.js';
import { fixedOffsetZoneName } from '../types/datetime.js';

export type TransactionOptions = { readOnly?: boolean; isolation?: string; deferrable?: boolean };

export type CopyOptions = {
  format: 'text' | 'csv' | 'binary';
  delimiter?: string;
  null?: string;
  header?: boolean | 'match';
  quote?: string;
  escape?: string;
  forceQuote?: string[] | '*';
  forceNotNull?: string[];
  forceNull?: string[];
  encoding?: string;
  freeze?: boolean;
  defaultValue?: string;
};

export type Statement =
  | { kind: 'begin'; options: TransactionOptions; tag: string }
  | { kind: 'commit'; chain: boolean }
  | { kind: 'rollback'; chain: boolean }
  | { kind: 'savepoint'; name: string }
  | { kind: 'release'; name: string }
  | { kind: 'rollbackTo'; name: string }
  | { kind: 'set'; name: string; value: string | null; local: boolean }
  | { kind: 'setTransaction'; options: TransactionOptions; session: boolean }
  | { kind: 'reset'; name: string }
  | { kind: 'resetAll' }
  | { kind: 'show'; name: string }
  | { kind: 'showAll' }
  | { kind: 'discard'; target: 'all' | 'plans' | 'sequences' | 'temp' }
  | { kind: 'copyFromStdin'; table: string; schema?: string; columns: string[]; options: CopyOptions }
  | { kind: 'copyToStdout'; query: string; options: CopyOptions }
  | { kind: 'declare'; name: string; query: string; queryOffset: number; binary: boolean; hold: boolean; scroll: boolean }
  | { kind: 'fetch'; name: string; direction: 'forward' | 'backward' | 'absolute' | 'relative'; count: number; move: boolean }
  | { kind: 'close'; name: string | null }
  | { kind: 'listen'; tag: string }
  | { kind: 'deallocate'; name: string | null }
  | { kind: 'unsupported'; error: PgError }
  | { kind: 'duckdb' };

const UTILITY_HEADS = new Set(['BEGIN', 'START', 'COMMIT', 'END', 'ROLLBACK', 'ABORT', 'SAVEPOINT', 'RELEASE', 'SET', 'RESET', 'SHOW', 'DISCARD', 'COPY', 'DECLARE', 'FETCH', 'MOVE', 'CLOSE', 'LISTEN', 'UNLISTEN', 'NOTIFY', 'PREPARE', 'DEALLOCATE', 'COMMENT', 'GRANT', 'REVOKE', 'REINDEX', 'CLUSTER', 'LOCK']);

// pgsql-parser AST, seen structurally.
type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function constValue(n: Node | undefined): string | null {
  if (!n) return null;
  if (n.A_Const) {
    const c = n.A_Const;
    if (c.isnull) return null;
    if (c.sval) return c.sval.sval ?? '';
    if (c.ival) return String(c.ival.ival ?? 0);
    if (c.fval) return String(c.fval.fval);
    if (c.boolval) return c.boolval.boolval ? 'on' : 'off';
    return '0';
  }
  if (n.TypeCast) return constValue(n.TypeCast.arg);
  if (n.String) return n.String.sval ?? '';
  if (n.Integer) return String(n.Integer.ival ?? 0);
  if (n.Float) return String(n.Float.fval);
  if (n.Boolean) return n.Boolean.boolval ? 'true' : 'false';
  return null;
}

function quoteIfNeeded(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : '"' + s.replace(/"/g, '""') + '"';
}

function transactionOptions(options: Node[] | undefined): TransactionOptions {
  const out: TransactionOptions = {};
  for (const o of options ?? []) {
    const d = o.DefElem;
    if (!d) continue;
    const v = constValue(d.arg);
    if (d.defname === 'transaction_read_only') out.readOnly = v === '1' || v === 'on' || v === 'true';
    else if (d.defname === 'transaction_isolation') out.isolation = v ?? undefined;
    else if (d.defname === 'transaction_deferrable') out.deferrable = v === '1' || v === 'on' || v === 'true';
  }
  return out;
}

/** Settings that DuckDB knows and PostgreSQL does not are left to DuckDB's own SET. */
function isPgSetting(name: string, known: (n: string) => boolean): boolean {
  return known(name) || name.includes('.');
}

export interface ClassifyContext {
  /** True when a setting name is one lakegres manages (PostgreSQL GUC or custom dotted). */
  isKnownSetting(name: string): boolean;
}

export function classify(stmt: StatementSlice, ctx: ClassifyContext): Statement {
  const words = leadingWords(stmt.tokens, 3);
  const head = words[0];
  if (!head || !UTILITY_HEADS.has(head)) return { kind: 'duckdb' };
  if (head === 'PREPARE' && words[1] !== 'TRANSACTION') return { kind: 'duckdb' };
  if (head === 'COMMENT') return { kind: 'duckdb' };
  let ast: Node;
  try {
    const parsed = parseSync(stmt.text);
    const stmts = parsed.stmts ?? [];
    if (stmts.length !== 1) return { kind: 'duckdb' };
    ast = stmts[0]!.stmt as Node;
  } catch {
    // Not PostgreSQL syntax (DuckDB's SET VARIABLE, SHOW TABLES, COPY FROM DATABASE, ...).
    return { kind: 'duckdb' };
  }
  if (ast.TransactionStmt) return transactionStatement(ast.TransactionStmt, head, words);
  if (ast.VariableSetStmt) return setStatement(ast.VariableSetStmt, ctx);
  if (ast.VariableShowStmt) {
    const name: string = ast.VariableShowStmt.name;
    if (name === 'all') return { kind: 'showAll' };
    if (isPgSetting(name, ctx.isKnownSetting)) return { kind: 'show', name };
    return { kind: 'duckdb' };
  }
  if (ast.DiscardStmt) {
    const t = String(ast.DiscardStmt.target).replace('DISCARD_', '').toLowerCase();
    return { kind: 'discard', target: t as 'all' | 'plans' | 'sequences' | 'temp' };
  }
  if (ast.CopyStmt) return copyStatement(ast.CopyStmt, stmt);
  if (ast.DeclareCursorStmt) return declareStatement(ast.DeclareCursorStmt, stmt);
  if (ast.FetchStmt) {
    const f = ast.FetchStmt;
    const dir: string = f.direction ?? 'FETCH_FORWARD';
    let howMany = f.howMany === undefined ? 0 : Number(f.howMany);
    let direction: 'forward' | 'backward' | 'absolute' | 'relative' =
      dir === 'FETCH_BACKWARD' ? 'backward' : dir === 'FETCH_ABSOLUTE' ? 'absolute' : dir === 'FETCH_RELATIVE' ? 'relative' : 'forward';
    if ((direction === 'forward' || direction === 'backward') && howMany < 0) {
      direction = direction === 'forward' ? 'backward' : 'forward';
      howMany = -howMany;
    }
    return { kind: 'fetch', name: f.portalname ?? '', direction, count: howMany, move: !!f.ismove };
  }
  if (ast.ClosePortalStmt) return { kind: 'close', name: ast.ClosePortalStmt.portalname ?? null };
  // Protocol-level prepared statements share DEALLOCATE's namespace (psycopg 3 sends DEALLOCATE ALL).
  if (ast.DeallocateStmt) return { kind: 'deallocate', name: ast.DeallocateStmt.isall ? null : (ast.DeallocateStmt.name ?? null) };
  if (ast.ListenStmt || ast.UnlistenStmt || ast.NotifyStmt) {
    return { kind: 'listen', tag: ast.ListenStmt ? 'LISTEN' : ast.UnlistenStmt ? 'UNLISTEN' : 'NOTIFY' };
  }
  if (ast.GrantStmt || ast.GrantRoleStmt || ast.ReindexStmt || ast.ClusterStmt || ast.LockStmt) {
    return { kind: 'unsupported', error: new PgError(SqlState.featureNotSupported, `${head} is not supported by lakegres`, { hint: head === 'LOCK' ? 'DuckLake uses optimistic concurrency; conflicting commits fail with SQLSTATE 40001.' : undefined }) };
  }
  return { kind: 'duckdb' };
}

function transactionStatement(t: Node, head: string, words: string[]): Statement {
  switch (t.kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return { kind: 'begin', options: transactionOptions(t.options), tag: head === 'START' ? 'START TRANSACTION' : 'BEGIN' };
    case 'TRANS_STMT_COMMIT':
      return { kind: 'commit', chain: !!t.chain };
    case 'TRANS_STMT_ROLLBACK':
      return { kind: 'rollback', chain: !!t.chain };
    case 'TRANS_STMT_SAVEPOINT':
      return { kind: 'savepoint', name: t.savepoint_name };
    case 'TRANS_STMT_RELEASE':
      return { kind: 'release', name: t.savepoint_name };
    case 'TRANS_STMT_ROLLBACK_TO':
      return { kind: 'rollbackTo', name: t.savepoint_name };
    default:
      void words;
      return { kind: 'unsupported', error: new PgError(SqlState.featureNotSupported, 'two-phase commit is not supported by lakegres') };
  }
}

function setStatement(s: Node, ctx: ClassifyContext): Statement {
  const name: string = s.name ?? '';
  switch (s.kind) {
    case 'VAR_RESET_ALL':
      return { kind: 'resetAll' };
    case 'VAR_SET_MULTI':
      if (name === 'TRANSACTION' || name === 'SESSION CHARACTERISTICS') return { kind: 'setTransaction', options: transactionOptions(s.args), session: name !== 'TRANSACTION' };
      return { kind: 'unsupported', error: new PgError(SqlState.featureNotSupported, `SET ${name} is not supported`) };
    case 'VAR_RESET':
      if (!isPgSetting(name, ctx.isKnownSetting)) return { kind: 'duckdb' };
      return { kind: 'reset', name };
    case 'VAR_SET_DEFAULT':
      if (!isPgSetting(name, ctx.isKnownSetting) && name !== 'timezone') return { kind: 'duckdb' };
      return { kind: 'set', name, value: null, local: !!s.is_local };
    case 'VAR_SET_CURRENT':
      return { kind: 'unsupported', error: new PgError(SqlState.featureNotSupported, 'SET ... FROM CURRENT is not supported') };
    case 'VAR_SET_VALUE': {
      if (name === 'role') return { kind: 'unsupported', error: new PgError(SqlState.featureNotSupported, 'SET ROLE is not supported by lakegres') };
      if (!isPgSetting(name, ctx.isKnownSetting)) return { kind: 'duckdb' };
      const args: Node[] = s.args ?? [];
      let value: string;
      if (name === 'timezone' && args.length === 1 && args[0]!.TypeCast) {
        value = intervalZone(constValue(args[0]) ?? '');
      } else if (name === 'timezone' && args.length === 1 && args[0]!.A_Const && (args[0]!.A_Const.ival || args[0]!.A_Const.fval)) {
        value = hoursZone(Number(constValue(args[0])));
      } else if (name === 'search_path') {
        value = args.map((a) => quoteIfNeeded(constValue(a) ?? '')).join(', ');
      } else value = args.map((a) => constValue(a) ?? '').join(', ');
      return { kind: 'set', name, value, local: !!s.is_local };
    }
    default:
      return { kind: 'duckdb' };
  }
}

/**
 * SET TIME ZONE <number of hours>: a fixed offset east of UTC, named as PostgreSQL names it
 * ('<-08>+08'). A string such as '+05:30' would be a POSIX zone, whose sign is west positive.
 */
function hoursZone(hours: number): string {
  return fixedOffsetZoneName(-Math.trunc(-hours * 3600) || 0);
}

function intervalZone(text: string): string {
  const m = /^\s*([+-]?)(\d{1,2}):(\d{2})/.exec(text);
  if (m) return fixedOffsetZoneName((m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60));
  const h = /^\s*([+-]?\d+(?:\.\d+)?)\s*(hours?)?\s*$/i.exec(text);
  if (h) return hoursZone(Number(h[1]));
  throw new PgError(SqlState.invalidParameterValue, `invalid interval value for time zone: "${text}"`);
}

function parseCopyOptions(options: Node[] | undefined): CopyOptions {
  const out: CopyOptions = { format: 'text' };
  const list = (arg: Node | undefined): string[] | '*' => {
    if (!arg) return [];
    if (arg.A_Star) return '*';
    if (arg.List) return (arg.List.items as Node[]).map((i) => constValue(i) ?? '');
    return [constValue(arg) ?? ''];
  };
  const boolOf = (arg: Node | undefined) => {
    if (!arg) return true;
    const v = (constValue(arg) ?? '').toLowerCase();
    if (['true', 'on', '1'].includes(v)) return true;
    if (['false', 'off', '0'].includes(v)) return false;
    if (v === 'match') return 'match' as const;
    throw new PgError(SqlState.syntaxError, `COPY option requires a Boolean value`);
  };
  const seen = new Set<string>();
  for (const o of options ?? []) {
    const d = o.DefElem;
    if (!d) continue;
    const name: string = d.defname;
    if (seen.has(name)) throw new PgError(SqlState.syntaxError, 'conflicting or redundant options');
    seen.add(name);
    switch (name) {
      case 'format': {
        const f = (constValue(d.arg) ?? '').toLowerCase();
        if (f !== 'text' && f !== 'csv' && f !== 'binary') throw new PgError(SqlState.invalidParameterValue, `COPY format "${f}" not recognized`);
        out.format = f;
        break;
      }
      case 'delimiter':
        out.delimiter = constValue(d.arg) ?? '';
        break;
      case 'null':
        out.null = constValue(d.arg) ?? '';
        break;
      case 'default':
        out.defaultValue = constValue(d.arg) ?? '';
        break;
      case 'header': {
        const b = boolOf(d.arg);
        out.header = b;
        break;
      }
      case 'quote':
        out.quote = constValue(d.arg) ?? '';
        break;
      case 'escape':
        out.escape = constValue(d.arg) ?? '';
        break;
      case 'force_quote':
        out.forceQuote = list(d.arg);
        break;
      case 'force_not_null': {
        const l = list(d.arg);
        out.forceNotNull = l === '*' ? ['*'] : l;
        break;
      }
      case 'force_null': {
        const l = list(d.arg);
        out.forceNull = l === '*' ? ['*'] : l;
        break;
      }
      case 'encoding':
        out.encoding = constValue(d.arg) ?? '';
        break;
      case 'freeze':
        out.freeze = boolOf(d.arg) === true;
        break;
      case 'oids':
        if (boolOf(d.arg)) throw new PgError(SqlState.featureNotSupported, 'COPY ... WITH OIDS is not supported');
        break;
      default:
        throw new PgError(SqlState.syntaxError, `option "${name}" not recognized`);
    }
  }
  return out;
}

function copyStatement(c: Node, stmt: StatementSlice): Statement {
  if (c.filename !== undefined || c.is_program) return { kind: 'duckdb' };
  const options = parseCopyOptions(c.options);
  if (c.is_from) {
    if (c.query || !c.relation) return { kind: 'unsupported', error: new PgError(SqlState.syntaxError, 'COPY FROM needs a table') };
    if (c.whereClause) return { kind: 'unsupported', error: new PgError(SqlState.featureNotSupported, 'COPY FROM ... WHERE is not supported') };
    const columns = ((c.attlist as Node[] | undefined) ?? []).map((a) => constValue(a) ?? '');
    return { kind: 'copyFromStdin', table: c.relation.relname, schema: c.relation.schemaname, columns, options };
  }
  let query: string;
  if (c.query) query = parenthesizedText(stmt);
  else {
    const rel = c.relation;
    const cols = ((c.attlist as Node[] | undefined) ?? []).map((a) => quoteIfNeeded(constValue(a) ?? ''));
    const name = (rel.schemaname ? quoteIfNeeded(rel.schemaname) + '.' : '') + quoteIfNeeded(rel.relname);
    query = `SELECT ${cols.length ? cols.join(', ') : '*'} FROM ${name}`;
  }
  return { kind: 'copyToStdout', query, options };
}

/** The text between the first top-level parenthesis pair of a statement. */
function parenthesizedText(stmt: StatementSlice): string {
  const tokens = stmt.tokens;
  const open = tokens.findIndex((t) => t.kind === 'lparen');
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.kind === 'lparen') depth++;
    else if (tokens[i]!.kind === 'rparen' && --depth === 0) return stmt.text.slice(tokens[open]!.end, tokens[i]!.start);
  }
  throw new PgError(SqlState.syntaxError, 'syntax error in COPY query');
}

function declareStatement(d: Node, stmt: StatementSlice): Statement {
  const options = Number(d.options ?? 0);
  const forIdx = findForKeyword(stmt.tokens);
  if (forIdx < 0) throw new PgError(SqlState.syntaxError, 'syntax error in DECLARE');
  const queryStart = stmt.tokens[forIdx + 1]!.start;
  return {
    kind: 'declare',
    name: d.portalname,
    query: stmt.text.slice(queryStart),
    queryOffset: queryStart,
    binary: (options & 0x1) !== 0,
    scroll: (options & 0x2) !== 0,
    hold: (options & 0x20) !== 0,
  };
}

function findForKeyword(tokens: Token[]): number {
  const cursorAt = tokens.findIndex((t) => t.kind === 'word' && t.value === 'CURSOR');
  for (let i = Math.max(cursorAt, 0); i < tokens.length; i++) if (tokens[i]!.kind === 'word' && tokens[i]!.value === 'FOR') return i;
  return -1;
}
