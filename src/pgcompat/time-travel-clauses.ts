/**
 * DuckDB's time-travel clauses (`t AT (VERSION => 3)`, `t AT (TIMESTAMP => ts)`) are not
 * PostgreSQL syntax: the statement without them is what PostgreSQL's grammar can read for the
 * result's column names and origins (the columns are the same at any snapshot).
 */
import { tokenize } from '../sql/lexer.js';

/** `text` without its `AT (VERSION|TIMESTAMP => ...)` clauses; the text itself when it has none. */
export function withoutTimeTravel(text: string): string {
  if (!/\bAT\s*\(/i.test(text)) return text;
  let tokens;
  try {
    tokens = tokenize(text);
  } catch {
    return text;
  }
  let out = '';
  let last = 0;
  for (let i = 0; i + 3 < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word' || t.value !== 'AT' || tokens[i + 1]!.kind !== 'lparen') continue;
    const unit = tokens[i + 2]!;
    if (unit.kind !== 'word' || (unit.value !== 'VERSION' && unit.value !== 'TIMESTAMP') || tokens[i + 3]!.value !== '=>') continue;
    let depth = 0;
    let j = i + 1;
    for (; j < tokens.length; j++) {
      if (tokens[j]!.kind === 'lparen') depth++;
      else if (tokens[j]!.kind === 'rparen' && --depth === 0) break;
    }
    if (j >= tokens.length) return text;
    out += text.slice(last, t.start);
    last = tokens[j]!.end;
    i = j;
  }
  return last === 0 ? text : out + text.slice(last);
}
