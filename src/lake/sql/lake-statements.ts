/**
 * Recognises statements that change the lake (DDL and DML on lake objects) from their tokens,
 * and extracts the object names they target. Everything else runs in DuckDB unchanged.
 */
import type { StatementSlice, Token } from '../../sql/lexer.js';
import { PgError, SqlState } from '../../errors/pg-error.js';

export interface ObjectName {
  catalog?: string;
  schema?: string;
  name: string;
  /** Token range of the name in the statement. */
  start: number;
  end: number;
}

export type LakeStatement =
  | { kind: 'createSchema'; name: string; ifNotExists: boolean }
  | { kind: 'dropSchema'; names: string[]; ifExists: boolean; cascade: boolean }
  | { kind: 'createTable'; target: ObjectName; orReplace: boolean; ifNotExists: boolean; asQuery: string | null }
  | { kind: 'dropTable'; targets: ObjectName[]; ifExists: boolean; cascade: boolean }
  | { kind: 'alterTable'; target: ObjectName; ifExists: boolean; actionStart: number }
  | { kind: 'createView'; target: ObjectName; orReplace: boolean; ifNotExists: boolean; aliases: string[]; query: string }
  | { kind: 'dropView'; targets: ObjectName[]; ifExists: boolean }
  | { kind: 'alterView'; target: ObjectName; ifExists: boolean; newName: string }
  | { kind: 'comment'; objectKind: 'TABLE' | 'VIEW' | 'COLUMN'; target: ObjectName; column?: string; value: string | null }
  | { kind: 'insert'; target: ObjectName }
  | { kind: 'update'; target: ObjectName }
  | { kind: 'delete'; target: ObjectName }
  | { kind: 'truncate'; targets: ObjectName[] }
  | { kind: 'merge'; target: ObjectName }
  | { kind: 'copyFromFile'; target: ObjectName }
  /**
   * CALL of a lake function that changes the lake (options, commit message, maintenance): `body`
   * follows CALL; or a query with such a call in FROM (`body` is the whole query).
   */
  | { kind: 'call'; body: string }
  | { kind: 'unsupported'; error: PgError };

const word = (t: Token | undefined, ...values: string[]) => !!t && t.kind === 'word' && values.includes(t.value);

/** Identifier text of a word or quoted identifier token (words keep their original case). */
export function identText(t: Token, sql: string): string {
  if (t.kind === 'qident') return t.value;
  return sql.slice(t.start, t.end);
}

/** Parses a dotted object name starting at token index i. */
export function parseName(tokens: Token[], i: number, sql: string): { name: ObjectName; next: number } | undefined {
  const parts: string[] = [];
  let j = i;
  const isIdent = (t: Token | undefined) => !!t && (t.kind === 'word' || t.kind === 'qident');
  if (!isIdent(tokens[j])) return undefined;
  parts.push(identText(tokens[j]!, sql));
  j++;
  while (tokens[j]?.kind === 'op' && tokens[j]!.value === '.' && isIdent(tokens[j + 1])) {
    parts.push(identText(tokens[j + 1]!, sql));
    j += 2;
  }
  const start = tokens[i]!.start;
  const end = tokens[j - 1]!.end;
  if (parts.length === 1) return { name: { name: parts[0]!, start, end }, next: j };
  if (parts.length === 2) return { name: { schema: parts[0]!, name: parts[1]!, start, end }, next: j };
  return { name: { catalog: parts[0]!, schema: parts[1]!, name: parts.slice(2).join('.'), start, end }, next: j };
}

/** The string value of a '...' or E'...' literal token, or null for NULL. */
function stringValue(t: Token | undefined, sql: string): string | null | undefined {
  if (!t) return undefined;
  if (t.kind === 'word' && t.value === 'NULL') return null;
  if (t.kind !== 'string') return undefined;
  const raw = sql.slice(t.start, t.end);
  if (raw.startsWith("'")) return raw.slice(1, -1).replace(/''/g, "'");
  if (/^[eE]'/.test(raw))
    return raw
      .slice(2, -1)
      .replace(/''/g, "'")
      .replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' })[c] ?? c);
  if (raw.startsWith('$')) {
    const tag = raw.slice(0, raw.indexOf('$', 1) + 1);
    return raw.slice(tag.length, raw.length - tag.length);
  }
  return undefined;
}

/**
 * Classifies a statement as a lake write, or undefined when DuckDB should run it (reads,
 * temporary objects, settings, ...). `isTempName` tells whether an unqualified name is a
 * temporary table of the session.
 */
export function classifyLakeStatement(slice: StatementSlice, lakeName: string, otherNames: string[] = []): LakeStatement | undefined {
  const catalogNames = new Set([lakeName, ...otherNames].map((n) => n.toLowerCase()));
  const t = slice.tokens;
  const sql = slice.text;
  const w = (i: number) => (t[i]?.kind === 'word' ? t[i]!.value : '');
  const isLakeTarget = (n: ObjectName) => {
    if (n.catalog) return catalogNames.has(n.catalog.toLowerCase());
    if (n.schema && ['temp', 'temporary', 'system', 'memory'].includes(n.schema.toLowerCase())) return false;
    return true;
  };
  const head = w(0);
  if (head === 'CREATE') {
    let i = 1;
    let orReplace = false;
    if (w(i) === 'OR' && w(i + 1) === 'REPLACE') {
      orReplace = true;
      i += 2;
    }
    if (['TEMP', 'TEMPORARY'].includes(w(i))) return undefined;
    if (w(i) === 'SCHEMA') {
      i++;
      const ifNotExists = w(i) === 'IF' && w(i + 1) === 'NOT' && w(i + 2) === 'EXISTS';
      if (ifNotExists) i += 3;
      const n = parseName(t, i, sql);
      if (!n) return undefined;
      if (n.name.schema && !catalogNames.has(n.name.schema.toLowerCase())) return undefined;
      return { kind: 'createSchema', name: n.name.name, ifNotExists };
    }
    if (w(i) === 'TABLE') {
      i++;
      const ifNotExists = w(i) === 'IF' && w(i + 1) === 'NOT' && w(i + 2) === 'EXISTS';
      if (ifNotExists) i += 3;
      const n = parseName(t, i, sql);
      if (!n || !isLakeTarget(n.name)) return undefined;
      let asQuery: string | null = null;
      // CREATE TABLE t [(cols)] AS query: an AS at depth 0 after the name
      let depth = 0;
      for (let j = n.next; j < t.length; j++) {
        if (t[j]!.kind === 'lparen') depth++;
        else if (t[j]!.kind === 'rparen') depth--;
        else if (depth === 0 && word(t[j], 'AS')) {
          asQuery = sql.slice(t[j + 1]?.start ?? sql.length);
          break;
        }
      }
      return { kind: 'createTable', target: n.name, orReplace, ifNotExists, asQuery };
    }
    if (w(i) === 'VIEW' || (w(i) === 'MATERIALIZED' && w(i + 1) === 'VIEW')) {
      if (w(i) === 'MATERIALIZED') return { kind: 'unsupported', error: new PgError(SqlState.featureNotSupported, 'DuckLake does not support materialized views', { hint: 'Use CREATE TABLE ... AS instead.' }) };
      i++;
      const ifNotExists = w(i) === 'IF' && w(i + 1) === 'NOT' && w(i + 2) === 'EXISTS';
      if (ifNotExists) i += 3;
      const n = parseName(t, i, sql);
      if (!n || !isLakeTarget(n.name)) return undefined;
      let j = n.next;
      const aliases: string[] = [];
      if (t[j]?.kind === 'lparen') {
        j++;
        while (j < t.length && t[j]!.kind !== 'rparen') {
          if (t[j]!.kind === 'word' || t[j]!.kind === 'qident') aliases.push(identText(t[j]!, sql));
          j++;
        }
        j++;
      }
      if (!word(t[j], 'AS')) return undefined;
      return { kind: 'createView', target: n.name, orReplace, ifNotExists, aliases, query: sql.slice(t[j + 1]?.start ?? sql.length) };
    }
    const obj = w(i);
    const refuse: Record<string, string> = {
      SEQUENCE: 'DuckLake does not support sequences',
      INDEX: 'DuckLake does not support indexes',
      UNIQUE: 'DuckLake does not support indexes',
      TYPE: 'DuckLake does not support user-defined types',
      MACRO: 'lakegres does not store macros in the lake yet; create them with CREATE TEMP MACRO',
      FUNCTION: 'lakegres does not store macros in the lake yet; create them with CREATE TEMP MACRO',
    };
    if (refuse[obj]) return { kind: 'unsupported', error: new PgError(SqlState.featureNotSupported, refuse[obj]!) };
    return undefined;
  }
  if (head === 'DROP') {
    const obj = w(1);
    let i = 2;
    const ifExists = w(i) === 'IF' && w(i + 1) === 'EXISTS';
    if (ifExists) i += 2;
    const names: ObjectName[] = [];
    for (;;) {
      const n = parseName(t, i, sql);
      if (!n) break;
      names.push(n.name);
      i = n.next;
      if (t[i]?.kind === 'comma') i++;
      else break;
    }
    const cascade = word(t[i], 'CASCADE');
    if (obj === 'SCHEMA') {
      if (names.some((n) => n.schema && !catalogNames.has(n.schema.toLowerCase()))) return undefined;
      return { kind: 'dropSchema', names: names.map((n) => n.name), ifExists, cascade };
    }
    const lakeNames = names.filter(isLakeTarget);
    if (lakeNames.length === 0) return undefined;
    if (obj === 'TABLE') return { kind: 'dropTable', targets: lakeNames, ifExists, cascade };
    if (obj === 'VIEW') return { kind: 'dropView', targets: lakeNames, ifExists };
    return undefined;
  }
  if (head === 'ALTER') {
    const obj = w(1);
    let i = 2;
    const ifExists = w(i) === 'IF' && w(i + 1) === 'EXISTS';
    if (ifExists) i += 2;
    const n = parseName(t, i, sql);
    if (!n || !isLakeTarget(n.name)) return undefined;
    if (obj === 'TABLE') return { kind: 'alterTable', target: n.name, ifExists, actionStart: n.next };
    if (obj === 'VIEW') {
      if (w(n.next) === 'RENAME' && w(n.next + 1) === 'TO' && t[n.next + 2]) return { kind: 'alterView', target: n.name, ifExists, newName: identText(t[n.next + 2]!, sql) };
      return { kind: 'unsupported', error: new PgError(SqlState.featureNotSupported, 'only ALTER VIEW ... RENAME TO is supported for lake views') };
    }
    return undefined;
  }
  if (head === 'COMMENT' && w(1) === 'ON') {
    const objectKind = w(2) as 'TABLE' | 'VIEW' | 'COLUMN';
    if (!['TABLE', 'VIEW', 'COLUMN'].includes(objectKind)) return { kind: 'unsupported', error: new PgError(SqlState.featureNotSupported, `COMMENT ON ${w(2)} is not supported for lake objects`) };
    const n = parseName(t, 3, sql);
    if (!n || !word(t[n.next], 'IS')) return undefined;
    const value = stringValue(t[n.next + 1], sql);
    if (value === undefined) throw new PgError(SqlState.syntaxError, 'COMMENT ... IS expects a string literal or NULL');
    if (objectKind === 'COLUMN') {
      // table.column or schema.table.column
      const name = n.name;
      const parts = [name.catalog, name.schema, name.name].filter((p): p is string => p !== undefined);
      const allParts = parts.flatMap((p) => p.split('.'));
      const column = allParts.pop()!;
      const table = allParts.pop();
      if (!table) throw new PgError(SqlState.syntaxError, 'COMMENT ON COLUMN needs table.column');
      const schema = allParts.pop();
      const catalog = allParts.pop();
      const target: ObjectName = { catalog, schema, name: table, start: name.start, end: name.end };
      if (!isLakeTarget(target)) return undefined;
      return { kind: 'comment', objectKind, target, column, value };
    }
    if (!isLakeTarget(n.name)) return undefined;
    return { kind: 'comment', objectKind, target: n.name, value };
  }
  if (head === 'INSERT') {
    let i = 1;
    const orAction = w(i) === 'OR' ? w(i + 1) : '';
    if (orAction) i += 2; // INSERT OR REPLACE/IGNORE
    if (w(i) !== 'INTO') return undefined;
    const n = parseName(t, i + 1, sql);
    if (!n || !isLakeTarget(n.name)) return undefined;
    let depth = 0;
    let onConflict = false;
    for (let j = n.next; j < t.length; j++) {
      if (t[j]!.kind === 'lparen') depth++;
      else if (t[j]!.kind === 'rparen') depth--;
      else if (depth === 0 && word(t[j], 'ON') && word(t[j + 1], 'CONFLICT')) onConflict = true;
    }
    if (onConflict || orAction) {
      // DuckLake has no unique constraints, so there is nothing to conflict with: an upsert
      // would silently insert duplicates. Refuse instead and point to MERGE.
      return {
        kind: 'unsupported',
        error: new PgError(SqlState.featureNotSupported, `${onConflict ? 'INSERT ... ON CONFLICT' : `INSERT OR ${orAction}`} is not supported on lake tables: DuckLake tables have no unique constraints`, {
          hint: 'Use MERGE INTO ... USING ... ON <key> WHEN MATCHED THEN UPDATE ... WHEN NOT MATCHED THEN INSERT ...',
        }),
      };
    }
    return { kind: 'insert', target: n.name };
  }
  if (head === 'UPDATE') {
    const n = parseName(t, 1, sql);
    if (!n || !isLakeTarget(n.name)) return undefined;
    return { kind: 'update', target: n.name };
  }
  if (head === 'DELETE' && w(1) === 'FROM') {
    const n = parseName(t, 2, sql);
    if (!n || !isLakeTarget(n.name)) return undefined;
    return { kind: 'delete', target: n.name };
  }
  if (head === 'TRUNCATE') {
    let i = 1;
    if (w(i) === 'TABLE') i++;
    const names: ObjectName[] = [];
    for (;;) {
      const n = parseName(t, i, sql);
      if (!n) break;
      names.push(n.name);
      i = n.next;
      if (t[i]?.kind === 'comma') i++;
      else break;
    }
    const lakeNames = names.filter(isLakeTarget);
    return lakeNames.length ? { kind: 'truncate', targets: lakeNames } : undefined;
  }
  if (head === 'MERGE' && w(1) === 'INTO') {
    const n = parseName(t, 2, sql);
    if (!n || !isLakeTarget(n.name)) return undefined;
    return { kind: 'merge', target: n.name };
  }
  if (head === 'SELECT' || head === 'FROM' || head === 'WITH') {
    // SELECT ... FROM ducklake_merge_adjacent_files(...): the extension's table functions that
    // change the lake also run in FROM; the statement is the call and a query of its rows.
    return writeCallInFrom(t, sql, catalogNames) ? { kind: 'call', body: sql } : undefined;
  }
  if (head === 'CALL') {
    const fn = callTarget(t, sql);
    if (!fn) return undefined;
    const lakeQualified = fn.qualifier !== null && catalogNames.has(fn.qualifier.toLowerCase());
    const isWrite = WRITE_FUNCTIONS.has(fn.name) || (lakeQualified && WRITE_FUNCTIONS.has(`ducklake_${fn.name}`));
    if (!isWrite) return undefined;
    return { kind: 'call', body: sql.slice(t[1]!.start) };
  }
  if (head === 'COPY') {
    const n = parseName(t, 1, sql);
    if (!n || !isLakeTarget(n.name)) return undefined;
    // COPY t FROM 'file' (STDIN is handled by the COPY protocol path)
    let j = n.next;
    if (t[j]?.kind === 'lparen') {
      let depth = 0;
      for (; j < t.length; j++) {
        if (t[j]!.kind === 'lparen') depth++;
        else if (t[j]!.kind === 'rparen' && --depth === 0) {
          j++;
          break;
        }
      }
    }
    if (w(j) === 'FROM' && t[j + 1]?.kind === 'string') return { kind: 'copyFromFile', target: n.name };
    return undefined;
  }
  return undefined;
}

/** Lake functions that change the lake; CALL runs them (the others are queries). */
export const WRITE_FUNCTIONS = new Set([
  'ducklake_set_option',
  'ducklake_set_commit_message',
  'ducklake_expire_snapshots',
  'ducklake_cleanup_old_files',
  'ducklake_delete_orphaned_files',
  'ducklake_merge_adjacent_files',
  'ducklake_rewrite_data_files',
  'ducklake_flush_inlined_data',
  'ducklake_add_data_files',
]);

/**
 * The call of a lake-changing function in the FROM clause of a query (`FROM [lake.]name(...)`):
 * the token indexes of its name and of its closing parenthesis, with the name's parts.
 */
export function writeCallInFrom(t: Token[], sql: string, catalogNames: Set<string>): { first: number; close: number; qualifier: string | null; name: string } | undefined {
  for (let i = 0; i < t.length - 2; i++) {
    if (!word(t[i], 'FROM')) continue;
    const n = parseName(t, i + 1, sql);
    if (!n || t[n.next]?.kind !== 'lparen') continue;
    const name = n.name.name.toLowerCase();
    const qualifier = n.name.schema ?? null;
    if (n.name.catalog) continue;
    const lakeQualified = qualifier !== null && catalogNames.has(qualifier.toLowerCase());
    if (!(qualifier === null && WRITE_FUNCTIONS.has(name)) && !(lakeQualified && WRITE_FUNCTIONS.has(name.startsWith('ducklake_') ? name : `ducklake_${name}`))) continue;
    let depth = 0;
    for (let j = n.next; j < t.length; j++) {
      if (t[j]!.kind === 'lparen') depth++;
      else if (t[j]!.kind === 'rparen' && --depth === 0) return { first: i + 1, close: j, qualifier, name };
    }
    return undefined;
  }
  return undefined;
}

/** `CALL [qualifier.]name(` → its parts (lower-cased name). */
export function callTarget(t: Token[], sql: string): { qualifier: string | null; name: string } | undefined {
  if (!word(t[0], 'CALL')) return undefined;
  const n = parseName(t, 1, sql);
  if (!n || t[n.next]?.kind !== 'lparen') return undefined;
  const qualifier = n.name.schema ?? null;
  return { qualifier, name: n.name.name.toLowerCase() };
}
