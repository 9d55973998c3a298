/**
 * Boolean text PostgreSQL reads and DuckDB's cast refuses: `'on'::boolean`, `'off'::bool`, and
 * the unambiguous prefixes PostgreSQL accepts (`'tr'`, `'fal'`, `'ye'`), in any case and with
 * blanks around them, become TRUE / FALSE. Other text is left to DuckDB (22P02 when invalid).
 */
import type { Token } from '../../sql/lexer.js';
import { aConst, lastName, names, stringConst, walk, type Node } from '../ast.js';
import type { RewriteRule } from './rule.js';

function trigger(tokens: readonly Token[]): boolean {
  let typeWord = false;
  let text = false;
  for (const t of tokens) {
    if (t.kind === 'word' && (t.value === 'BOOLEAN' || t.value === 'BOOL')) typeWord = true;
    else if (t.kind === 'string' && /^'\s*(o[nf]f?|tr?u?e?|fa?l?s?e?|ye?s?|no?)\s*'$/i.test(t.value)) text = true;
  }
  return typeWord && text;
}

/** PostgreSQL's reading of boolean text (parse_bool), or undefined. */
export function pgBool(text: string): boolean | undefined {
  const v = text.trim().toLowerCase();
  if (v === '') return undefined;
  const prefixOf = (word: string, min = 1): boolean => v.length >= min && word.startsWith(v);
  if (prefixOf('true') || prefixOf('yes') || prefixOf('on', 2) || v === '1') return true;
  if (prefixOf('false') || prefixOf('no') || prefixOf('off', 2) || v === '0') return false;
  return undefined;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind !== 'TypeCast') return;
    const n = names(p.typeName?.names);
    if (p.typeName?.arrayBounds || n.length > 2 || (n.length === 2 && n[0] !== 'pg_catalog')) return;
    const t = lastName(p.typeName?.names);
    if (t !== 'bool' && t !== 'boolean') return;
    const text = stringConst(p.arg);
    if (text === undefined) return;
    const v = pgBool(text);
    if (v === undefined || ['true', 'false', 't', 'f', '1', '0', 'yes', 'no', 'y', 'n'].includes(text.trim().toLowerCase())) return;
    changed = true;
    return { replace: aConst(v), skip: true };
  });
  return changed;
}

export const boolLiterals: RewriteRule = { name: 'bool-literals', trigger, apply };
