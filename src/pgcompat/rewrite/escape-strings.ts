/**
 * `E'...'` strings. DuckDB reads the escapes PostgreSQL reads (\b \f \n \r \t, octal \ooo, hex
 * \xhh, \\ and \') identically, but not the Unicode escapes \uXXXX and \UXXXXXXXX. PostgreSQL's
 * grammar decodes those; the statement is then written out with a plain literal holding the
 * characters themselves. `U&'...'` strings (which DuckDB does not read either) go the same way.
 * Other strings are untouched (no trigger, no rewrite).
 */
import type { Token } from '../../sql/lexer.js';
import type { RewriteRule } from './rule.js';

function trigger(tokens: readonly Token[]): boolean {
  for (const t of tokens) {
    if (t.kind !== 'string') continue;
    const c = t.value.charCodeAt(0);
    if ((c === 69 || c === 101) && /\\[uU]/.test(t.value.replace(/\\\\/g, ''))) return true;
    if ((c === 85 || c === 117) && t.value.charCodeAt(1) === 38) return true;
  }
  return false;
}

/** Nothing to edit in the tree: the parser already decoded the literal; writing it out is the rewrite. */
function apply(): boolean {
  return true;
}

export const escapeStrings: RewriteRule = { name: 'escape-strings', trigger, apply };
