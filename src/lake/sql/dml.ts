/**
 * The parts of UPDATE, DELETE and MERGE statements on lake tables, found from the tokens at
 * parenthesis depth 0 so that both PostgreSQL and DuckDB expression syntax pass through to
 * DuckDB untouched. The pieces are re-assembled into SELECTs that find the affected rows.
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { StatementSlice, Token } from '../../sql/lexer.js';
import { identText, parseName, type ObjectName } from './lake-statements.js';

export interface Assignment {
  column: string;
  /** SQL text of the new value; null for DEFAULT. */
  expr: string | null;
}

export interface ParsedDelete {
  target: ObjectName;
  alias: string | null;
  using: string | null;
  where: string | null;
  returning: string | null;
}

export interface ParsedUpdate {
  target: ObjectName;
  alias: string | null;
  sets: Assignment[];
  from: string | null;
  where: string | null;
  returning: string | null;
}

export type MergeAction =
  | { kind: 'update'; sets: Assignment[] }
  | { kind: 'delete' }
  | { kind: 'insert'; columns: string[] | null; values: string[] | null }
  | { kind: 'nothing' };

export interface MergeClause {
  matched: boolean;
  condition: string | null;
  action: MergeAction;
}

export interface ParsedMerge {
  target: ObjectName;
  alias: string | null;
  /** The USING relation with its alias, as written. */
  source: string;
  on: string;
  clauses: MergeClause[];
}

const syntax = (message: string) => new PgError(SqlState.syntaxError, message);

class Cursor {
  i = 0;
  constructor(
    readonly t: Token[],
    readonly sql: string,
  ) {}
  word(k = 0): string {
    const tok = this.t[this.i + k];
    return tok?.kind === 'word' ? tok.value : '';
  }
  isWord(...values: string[]): boolean {
    return values.includes(this.word());
  }
  expect(value: string): void {
    if (!this.isWord(value)) throw syntax(`syntax error at or near "${this.near()}": expected ${value}`);
    this.i++;
  }
  near(): string {
    const tok = this.t[this.i];
    return tok ? this.sql.slice(tok.start, tok.end) : 'end of input';
  }
  get done(): boolean {
    return this.i >= this.t.length;
  }
  /** Index of the next depth-0 word among `stops` (or the end). */
  scanTo(stops: string[]): number {
    let depth = 0;
    for (let j = this.i; j < this.t.length; j++) {
      const tok = this.t[j]!;
      if (tok.kind === 'lparen') depth++;
      else if (tok.kind === 'rparen') depth--;
      else if (depth === 0 && tok.kind === 'word' && stops.includes(tok.value)) return j;
    }
    return this.t.length;
  }
  /** Source text of tokens [from, to). */
  text(from: number, to: number): string {
    if (from >= to) return '';
    return this.sql.slice(this.t[from]!.start, this.t[to - 1]!.end);
  }
  /** Consumes up to the next depth-0 stop word; returns the text. */
  clause(stops: string[]): string {
    const end = this.scanTo(stops);
    const s = this.text(this.i, end);
    this.i = end;
    return s;
  }
  /** An optional `[AS] alias` unless the next word is a keyword of the statement. */
  alias(keywords: string[]): string | null {
    if (this.isWord('AS')) {
      this.i++;
      const tok = this.t[this.i++];
      if (!tok || (tok.kind !== 'word' && tok.kind !== 'qident')) throw syntax('syntax error: alias expected after AS');
      return identText(tok, this.sql);
    }
    const tok = this.t[this.i];
    if (tok && (tok.kind === 'qident' || (tok.kind === 'word' && !keywords.includes(tok.value)))) {
      this.i++;
      return identText(tok, this.sql);
    }
    return null;
  }
  name(): ObjectName {
    const n = parseName(this.t, this.i, this.sql);
    if (!n) throw syntax(`syntax error at or near "${this.near()}"`);
    this.i = n.next;
    return n.name;
  }
}

/** Splits `a = 1, b = f(x, y)` at depth-0 commas into assignments. */
function parseAssignments(c: Cursor, end: number): Assignment[] {
  const out: Assignment[] = [];
  while (c.i < end) {
    const tok = c.t[c.i];
    if (tok?.kind === 'lparen') throw new PgError(SqlState.featureNotSupported, 'multiple-column assignments (SET (a, b) = ...) are not supported on lake tables', { hint: 'Assign each column separately.' });
    if (!tok || (tok.kind !== 'word' && tok.kind !== 'qident')) throw syntax(`syntax error at or near "${c.near()}"`);
    const column = identText(tok, c.sql);
    c.i++;
    if (c.t[c.i]?.kind === 'op' && c.t[c.i]!.value === '.') throw new PgError(SqlState.featureNotSupported, `assigning to a field of column "${column}" is not supported`, { hint: 'Assign the whole column, e.g. with struct_insert().' });
    if (!(c.t[c.i]?.kind === 'op' && c.t[c.i]!.value === '=')) throw syntax(`syntax error at or near "${c.near()}": expected =`);
    c.i++;
    let depth = 0;
    const start = c.i;
    while (c.i < end) {
      const k = c.t[c.i]!;
      if (k.kind === 'lparen') depth++;
      else if (k.kind === 'rparen') depth--;
      else if (depth === 0 && k.kind === 'comma') break;
      c.i++;
    }
    const expr = c.text(start, c.i);
    if (!expr) throw syntax(`syntax error: missing value for column "${column}"`);
    out.push({ column, expr: /^DEFAULT$/i.test(expr.trim()) ? null : expr });
    if (c.t[c.i]?.kind === 'comma') c.i++;
  }
  return out;
}

export function parseDelete(slice: StatementSlice): ParsedDelete {
  const c = new Cursor(slice.tokens, slice.text);
  c.expect('DELETE');
  c.expect('FROM');
  if (c.isWord('ONLY')) c.i++;
  const target = c.name();
  const alias = c.alias(['USING', 'WHERE', 'RETURNING']);
  let using: string | null = null;
  let where: string | null = null;
  let returning: string | null = null;
  if (c.isWord('USING')) {
    c.i++;
    using = c.clause(['WHERE', 'RETURNING']);
  }
  if (c.isWord('WHERE')) {
    c.i++;
    if (c.isWord('CURRENT') && c.word(1) === 'OF') throw new PgError(SqlState.featureNotSupported, 'WHERE CURRENT OF is not supported on lake tables');
    where = c.clause(['RETURNING']);
  }
  if (c.isWord('RETURNING')) {
    c.i++;
    returning = c.clause([]);
  }
  if (!c.done) throw syntax(`syntax error at or near "${c.near()}"`);
  return { target, alias, using, where, returning };
}

export function parseUpdate(slice: StatementSlice): ParsedUpdate {
  const c = new Cursor(slice.tokens, slice.text);
  c.expect('UPDATE');
  if (c.isWord('ONLY')) c.i++;
  const target = c.name();
  const alias = c.alias(['SET']);
  c.expect('SET');
  const setEnd = c.scanTo(['FROM', 'WHERE', 'RETURNING']);
  const sets = parseAssignments(c, setEnd);
  c.i = setEnd;
  let from: string | null = null;
  let where: string | null = null;
  let returning: string | null = null;
  if (c.isWord('FROM')) {
    c.i++;
    from = c.clause(['WHERE', 'RETURNING']);
  }
  if (c.isWord('WHERE')) {
    c.i++;
    if (c.isWord('CURRENT') && c.word(1) === 'OF') throw new PgError(SqlState.featureNotSupported, 'WHERE CURRENT OF is not supported on lake tables');
    where = c.clause(['RETURNING']);
  }
  if (c.isWord('RETURNING')) {
    c.i++;
    returning = c.clause([]);
  }
  if (!c.done) throw syntax(`syntax error at or near "${c.near()}"`);
  if (sets.length === 0) throw syntax('UPDATE needs at least one assignment');
  return { target, alias, sets, from, where, returning };
}

export function parseMerge(slice: StatementSlice): ParsedMerge {
  const c = new Cursor(slice.tokens, slice.text);
  c.expect('MERGE');
  c.expect('INTO');
  const target = c.name();
  const alias = c.alias(['USING']);
  c.expect('USING');
  const source = c.clause(['ON']);
  c.expect('ON');
  const on = c.clause(['WHEN']);
  const clauses: MergeClause[] = [];
  while (c.isWord('WHEN')) {
    c.i++;
    let matched = true;
    if (c.isWord('NOT')) {
      c.i++;
      matched = false;
    }
    c.expect('MATCHED');
    if (c.isWord('BY')) throw new PgError(SqlState.featureNotSupported, 'WHEN NOT MATCHED BY SOURCE/TARGET is not supported; use WHEN MATCHED / WHEN NOT MATCHED');
    let condition: string | null = null;
    if (c.isWord('AND')) {
      c.i++;
      condition = c.clause(['THEN']);
    }
    c.expect('THEN');
    let action: MergeAction;
    if (c.isWord('DELETE')) {
      c.i++;
      action = { kind: 'delete' };
    } else if (c.isWord('DO') && c.word(1) === 'NOTHING') {
      c.i += 2;
      action = { kind: 'nothing' };
    } else if (c.isWord('UPDATE')) {
      c.i++;
      c.expect('SET');
      const end = c.scanTo(['WHEN']);
      action = { kind: 'update', sets: parseAssignments(c, end) };
      c.i = end;
    } else if (c.isWord('INSERT')) {
      c.i++;
      let columns: string[] | null = null;
      if (c.t[c.i]?.kind === 'lparen') {
        columns = [];
        c.i++;
        while (c.t[c.i] && c.t[c.i]!.kind !== 'rparen') {
          const tok = c.t[c.i]!;
          if (tok.kind === 'word' || tok.kind === 'qident') columns.push(identText(tok, c.sql));
          c.i++;
        }
        c.i++;
      }
      if (c.isWord('DEFAULT') && c.word(1) === 'VALUES') {
        c.i += 2;
        action = { kind: 'insert', columns, values: null };
      } else {
        c.expect('VALUES');
        if (c.t[c.i]?.kind !== 'lparen') throw syntax(`syntax error at or near "${c.near()}"`);
        c.i++;
        const end = closing(c.t, c.i);
        const values: string[] = [];
        let depth = 0;
        let start = c.i;
        for (let j = c.i; j <= end; j++) {
          const k = c.t[j]!;
          if (j === end || (depth === 0 && k.kind === 'comma')) {
            values.push(c.text(start, j));
            start = j + 1;
            continue;
          }
          if (k.kind === 'lparen') depth++;
          else if (k.kind === 'rparen') depth--;
        }
        c.i = end + 1;
        action = { kind: 'insert', columns, values };
      }
    } else throw syntax(`syntax error at or near "${c.near()}": expected UPDATE, DELETE, INSERT or DO NOTHING`);
    if (matched && action.kind === 'insert') throw syntax('INSERT is not allowed in a WHEN MATCHED clause');
    if (!matched && (action.kind === 'update' || action.kind === 'delete')) throw syntax(`${action.kind.toUpperCase()} is not allowed in a WHEN NOT MATCHED clause`);
    clauses.push({ matched, condition, action });
  }
  if (c.isWord('RETURNING')) throw new PgError(SqlState.featureNotSupported, 'MERGE ... RETURNING is not supported (PostgreSQL 17 syntax)');
  if (!c.done) throw syntax(`syntax error at or near "${c.near()}"`);
  if (clauses.length === 0) throw syntax('MERGE needs at least one WHEN clause');
  return { target, alias, source, on, clauses };
}

/** Index of the parenthesis closing the one opened just before `i`. */
function closing(t: Token[], i: number): number {
  let depth = 1;
  for (let j = i; j < t.length; j++) {
    if (t[j]!.kind === 'lparen') depth++;
    else if (t[j]!.kind === 'rparen' && --depth === 0) return j;
  }
  throw syntax('syntax error: unbalanced parentheses');
}
