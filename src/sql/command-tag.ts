/** CommandComplete tags as PostgreSQL writes them, for statements DuckDB executed. */
import { StatementType } from '@duckdb/node-api';
import type { Token } from './lexer.js';

const CREATE_MODIFIERS = new Set(['OR', 'REPLACE', 'TEMP', 'TEMPORARY', 'UNLOGGED', 'GLOBAL', 'LOCAL', 'PERSISTENT', 'UNIQUE', 'IF', 'NOT', 'EXISTS', 'RECURSIVE', 'TRUSTED', 'PROCEDURAL']);
const TWO_WORD_OBJECTS = new Set(['MATERIALIZED', 'FOREIGN', 'EVENT', 'TEXT', 'ACCESS', 'USER', 'DEFAULT']);

function objectWords(words: string[], start: number): string {
  let i = start;
  while (i < words.length && CREATE_MODIFIERS.has(words[i]!)) i++;
  const first = words[i];
  if (!first) return '';
  if (TWO_WORD_OBJECTS.has(first) && words[i + 1]) return `${first} ${words[i + 1]}`;
  if (first === 'MACRO') return 'FUNCTION';
  return first;
}

/** Whether a CREATE TABLE statement is CREATE TABLE AS (PostgreSQL tags those "SELECT n"). */
function isCreateTableAs(tokens: Token[]): boolean {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'lparen') depth++;
    else if (t.kind === 'rparen') depth--;
    else if (depth === 0 && t.kind === 'word' && t.value === 'AS') return true;
  }
  return false;
}

export function commandTag(tokens: Token[], statementType: StatementType, rows: number): string {
  const words: string[] = [];
  for (const t of tokens) {
    if (t.kind !== 'word') break;
    words.push(t.value);
    if (words.length >= 8) break;
  }
  const head = words[0] ?? '';
  switch (statementType) {
    case StatementType.SELECT:
      return `SELECT ${rows}`;
    case StatementType.INSERT:
      return `INSERT 0 ${rows}`;
    case StatementType.UPDATE:
      return `UPDATE ${rows}`;
    case StatementType.DELETE:
      return `DELETE ${rows}`;
    case StatementType.MERGE_INTO:
      return `MERGE ${rows}`;
    case StatementType.COPY:
      return `COPY ${rows}`;
    case StatementType.EXPLAIN:
      return 'EXPLAIN';
    case StatementType.CREATE: {
      const obj = objectWords(words, 1);
      if (obj === 'TABLE' && isCreateTableAs(tokens)) return `SELECT ${rows}`;
      return obj ? `CREATE ${obj}` : 'CREATE';
    }
    case StatementType.DROP:
      return `DROP ${objectWords(words, 1)}`.trim();
    case StatementType.ALTER:
      return `ALTER ${objectWords(words, 1)}`.trim();
    case StatementType.CALL:
      return head === 'CHECKPOINT' || head === 'FORCE' ? 'CHECKPOINT' : 'CALL';
    case StatementType.PRAGMA:
      return head === 'PRAGMA' ? 'PRAGMA' : `SELECT ${rows}`;
    case StatementType.PREPARE:
      return 'PREPARE';
    case StatementType.EXECUTE:
      return `SELECT ${rows}`;
    case StatementType.ANALYZE:
      return 'ANALYZE';
    case StatementType.VACUUM:
      return 'VACUUM';
    case StatementType.SET:
      return head === 'RESET' ? 'RESET' : head === 'USE' ? 'USE' : 'SET';
    case StatementType.VARIABLE_SET:
      return 'SET';
    case StatementType.ATTACH:
      return 'ATTACH';
    case StatementType.DETACH:
      return 'DETACH';
    case StatementType.LOAD:
      return 'LOAD';
    case StatementType.EXTENSION:
      return head || 'INSTALL';
    case StatementType.EXPORT:
      return 'EXPORT';
    case StatementType.TRANSACTION:
      return head === 'END' ? 'COMMIT' : head || 'BEGIN';
    default:
      if (head === 'TRUNCATE') return 'TRUNCATE TABLE';
      if (head === 'COMMENT') return 'COMMENT';
      return head || 'SELECT 0';
  }
}

/** Statement types that produce rows even without RETURNING. */
export function statementReturnsRows(statementType: StatementType, tokens: Token[]): boolean {
  switch (statementType) {
    case StatementType.SELECT:
    case StatementType.EXPLAIN:
    case StatementType.PRAGMA:
    case StatementType.CALL:
    case StatementType.EXECUTE:
    case StatementType.RELATION:
      return true;
    case StatementType.INSERT:
    case StatementType.UPDATE:
    case StatementType.DELETE:
    case StatementType.MERGE_INTO:
      return tokens.some((t) => t.kind === 'word' && t.value === 'RETURNING');
    default:
      return false;
  }
}
