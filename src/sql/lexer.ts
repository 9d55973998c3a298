/**
 * A small SQL lexer that understands the lexical rules PostgreSQL and DuckDB share:
 * quoted identifiers, standard and escape strings, dollar quoting, nested block comments,
 * line comments and `$n` parameters. It is used to split a simple-query message into
 * statements, to classify a statement by its leading keywords and to find parameters,
 * without paying for a full parse on the hot path.
 */

export type TokenKind = 'word' | 'qident' | 'string' | 'number' | 'param' | 'op' | 'semicolon' | 'lparen' | 'rparen' | 'comma';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** Upper-cased text for words; the parameter number for params; raw text otherwise. */
  value: string;
}

export class LexError extends Error {
  constructor(message: string, readonly position: number) {
    super(message);
  }
}

const isWordStart = (c: number) =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
const isWordPart = (c: number) => isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
const OPERATOR_CHARS = new Set('+-*/<>=~!@#%^&|`?:.[]{}'.split('').map((c) => c.charCodeAt(0)));
const BRACKETS = new Set('[]{}'.split('').map((c) => c.charCodeAt(0)));

/**
 * Tokenizes `sql`. Unterminated quotes and comments raise a LexError carrying the position
 * where the construct began (PostgreSQL reports these as syntax errors, 42601).
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    // -- line comment
    if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    // /* nested block comment */
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      i = skipBlockComment(sql, i);
      continue;
    }
    const start = i;
    if (c === 39) {
      i = skipQuoted(sql, i, 39, false);
      tokens.push({ kind: 'string', start, end: i, value: sql.slice(start, i) });
      continue;
    }
    if (c === 34) {
      i = skipQuoted(sql, i, 34, false);
      tokens.push({ kind: 'qident', start, end: i, value: sql.slice(start + 1, i - 1).replace(/""/g, '"') });
      continue;
    }
    // E'...' escape strings, B'..', X'..', N'..', U&'..'
    if ((c === 69 || c === 101) && sql.charCodeAt(i + 1) === 39) {
      i = skipQuoted(sql, i + 1, 39, true);
      tokens.push({ kind: 'string', start, end: i, value: sql.slice(start, i) });
      continue;
    }
    if ((c === 66 || c === 98 || c === 88 || c === 120 || c === 78 || c === 110) && sql.charCodeAt(i + 1) === 39) {
      i = skipQuoted(sql, i + 1, 39, false);
      tokens.push({ kind: 'string', start, end: i, value: sql.slice(start, i) });
      continue;
    }
    if ((c === 85 || c === 117) && sql.charCodeAt(i + 1) === 38 && (sql.charCodeAt(i + 2) === 39 || sql.charCodeAt(i + 2) === 34)) {
      const q = sql.charCodeAt(i + 2);
      i = skipQuoted(sql, i + 2, q, false);
      tokens.push({ kind: q === 39 ? 'string' : 'qident', start, end: i, value: sql.slice(start, i) });
      continue;
    }
    if (c === 36) {
      // $n parameter or $tag$ dollar quote
      if (isDigit(sql.charCodeAt(i + 1))) {
        i++;
        while (i < n && isDigit(sql.charCodeAt(i))) i++;
        tokens.push({ kind: 'param', start, end: i, value: sql.slice(start + 1, i) });
        continue;
      }
      const tagEnd = dollarTagEnd(sql, i);
      if (tagEnd > 0) {
        const tag = sql.slice(i, tagEnd);
        const close = sql.indexOf(tag, tagEnd);
        if (close < 0) throw new LexError('unterminated dollar-quoted string', start);
        i = close + tag.length;
        tokens.push({ kind: 'string', start, end: i, value: sql.slice(start, i) });
        continue;
      }
      i++;
      tokens.push({ kind: 'op', start, end: i, value: '$' });
      continue;
    }
    if (isWordStart(c)) {
      i++;
      while (i < n && isWordPart(sql.charCodeAt(i))) i++;
      tokens.push({ kind: 'word', start, end: i, value: sql.slice(start, i).toUpperCase() });
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      i++;
      while (i < n) {
        const d = sql.charCodeAt(i);
        if (isDigit(d) || d === 46 || d === 95) i++;
        else if ((d === 101 || d === 69) && (isDigit(sql.charCodeAt(i + 1)) || ((sql.charCodeAt(i + 1) === 43 || sql.charCodeAt(i + 1) === 45) && isDigit(sql.charCodeAt(i + 2))))) i += 2;
        else if (isWordStart(d)) i++; // 0x1F, 1_000 and similar: harmless to absorb
        else break;
      }
      tokens.push({ kind: 'number', start, end: i, value: sql.slice(start, i) });
      continue;
    }
    if (c === 59) {
      i++;
      tokens.push({ kind: 'semicolon', start, end: i, value: ';' });
      continue;
    }
    if (c === 40 || c === 41 || c === 44) {
      i++;
      tokens.push({ kind: c === 40 ? 'lparen' : c === 41 ? 'rparen' : 'comma', start, end: i, value: sql[start]! });
      continue;
    }
    if (OPERATOR_CHARS.has(c)) {
      i++;
      // Brackets and braces stand alone (`a[1]::text` is `]` then `::`, as PostgreSQL reads it).
      if (!BRACKETS.has(c)) {
        while (i < n && OPERATOR_CHARS.has(sql.charCodeAt(i)) && !BRACKETS.has(sql.charCodeAt(i)) && !(sql.charCodeAt(i) === 45 && sql.charCodeAt(i + 1) === 45) && !(sql.charCodeAt(i) === 47 && sql.charCodeAt(i + 1) === 42)) i++;
      }
      tokens.push({ kind: 'op', start, end: i, value: sql.slice(start, i) });
      continue;
    }
    // Anything else (a stray control character, say) is passed through as an operator token
    // and left for the real parser to reject with a proper message.
    i++;
    tokens.push({ kind: 'op', start, end: i, value: sql.slice(start, i) });
  }
  return tokens;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  const n = sql.length;
  while (i < n) {
    if (sql.charCodeAt(i) === 47 && sql.charCodeAt(i + 1) === 42) {
      depth++;
      i += 2;
    } else if (sql.charCodeAt(i) === 42 && sql.charCodeAt(i + 1) === 47) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  throw new LexError('unterminated /* comment', start);
}

function skipQuoted(sql: string, openAt: number, quote: number, backslashEscapes: boolean): number {
  let i = openAt + 1;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (backslashEscapes && c === 92) {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql.charCodeAt(i + 1) === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  throw new LexError(quote === 39 ? 'unterminated quoted string' : 'unterminated quoted identifier', openAt);
}

/** Returns the index just past the closing `$` of a dollar-quote tag starting at `i`, or -1. */
function dollarTagEnd(sql: string, i: number): number {
  let j = i + 1;
  if (sql.charCodeAt(j) === 36) return j + 1; // $$
  if (!isWordStart(sql.charCodeAt(j))) return -1;
  while (j < sql.length) {
    const c = sql.charCodeAt(j);
    if (c === 36) return j + 1;
    if (!(isWordStart(c) || isDigit(c))) return -1;
    j++;
  }
  return -1;
}

export interface StatementSlice {
  /** The statement text without the terminating semicolon. */
  text: string;
  /** Offset of `text` in the original query string (for error positions). */
  offset: number;
  tokens: Token[];
}

/**
 * Splits a query string into statements at top-level semicolons. Statements that hold
 * nothing but whitespace and comments are dropped, as PostgreSQL's parser drops them.
 */
export function splitStatements(sql: string): StatementSlice[] {
  const tokens = tokenize(sql);
  const out: StatementSlice[] = [];
  let current: Token[] = [];
  let depth = 0;
  const flush = () => {
    if (current.length === 0) return;
    const first = current[0]!;
    const last = current[current.length - 1]!;
    const offset = first.start;
    const slice: StatementSlice = {
      text: sql.slice(offset, last.end),
      offset,
      tokens: current.map((t) => ({ ...t, start: t.start - offset, end: t.end - offset })),
    };
    out.push(rewriteByteaLiterals(slice));
    current = [];
  };
  // CREATE FUNCTION ... BEGIN ATOMIC ... END bodies contain semicolons; keep them together.
  let atomic = false;
  for (const t of tokens) {
    if (t.kind === 'lparen') depth++;
    else if (t.kind === 'rparen') depth = Math.max(0, depth - 1);
    if (t.kind === 'word' && t.value === 'ATOMIC' && current.length > 0 && current[current.length - 1]!.value === 'BEGIN') atomic = true;
    if (atomic && t.kind === 'word' && t.value === 'END') atomic = false;
    if (t.kind === 'semicolon' && depth === 0 && !atomic) {
      flush();
      continue;
    }
    current.push(t);
  }
  flush();
  return out;
}

const HEX_BYTEA = /^'\\[xX]((?:[0-9a-fA-F]{2})*)'$/;

/**
 * PostgreSQL's hex bytea literal ('\x0001ff'::bytea, CAST('\x..' AS bytea), bytea '\x..', as
 * psycopg2 sends every bytes parameter) means bytes 00 01 ff; DuckDB's blob cast reads only
 * the first \x00 as an escape and the rest as characters. Such literals are rewritten to
 * DuckDB's per-byte escapes ('\x00\x01\xFF'), which mean the same bytes. Error positions after
 * a rewritten literal shift by its growth.
 */
function rewriteByteaLiterals(slice: StatementSlice): StatementSlice {
  const t = slice.tokens;
  let text: string | undefined;
  for (let i = t.length - 1; i >= 0; i--) {
    const tok = t[i]!;
    if (tok.kind !== 'string' || tok.value.charCodeAt(1) !== 92) continue;
    const isBytea = (k: number) => t[k]?.kind === 'word' && t[k]!.value === 'BYTEA';
    const cast = (t[i + 1]?.kind === 'op' && t[i + 1]!.value === '::' && isBytea(i + 2)) || (t[i + 1]?.kind === 'word' && t[i + 1]!.value === 'AS' && isBytea(i + 2) && t[i - 2]?.value === 'CAST');
    if (!cast && !isBytea(i - 1)) continue;
    const m = HEX_BYTEA.exec(tok.value);
    if (!m) continue;
    const escaped = "'" + m[1]!.replace(/(..)/g, '\\x$1') + "'";
    text = (text ?? slice.text);
    text = text.slice(0, tok.start) + escaped + text.slice(tok.end);
  }
  return text === undefined ? slice : { text, offset: slice.offset, tokens: tokenize(text) };
}

/** The upper-cased leading words of a statement (qualified names and punctuation stop it). */
export function leadingWords(tokens: Token[], max = 6): string[] {
  const words: string[] = [];
  for (const t of tokens) {
    if (words.length >= max || t.kind !== 'word') break;
    words.push(t.value);
  }
  return words;
}

/** Highest `$n` parameter number used in the statement, 0 when there is none. */
export function maxParamNumber(tokens: Token[]): number {
  let max = 0;
  for (const t of tokens) if (t.kind === 'param') max = Math.max(max, Number(t.value));
  return max;
}
