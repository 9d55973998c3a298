/**
 * INSERT without a column list and with fewer values than the table has columns. PostgreSQL
 * fills the remaining columns with their defaults (`INSERT INTO t VALUES (1)` into a three-column
 * table); DuckDB refuses. The statement gets the column list PostgreSQL implies: the table's
 * first k columns (`INSERT INTO t (a) VALUES (1)`). Rows of different lengths and more values
 * than columns are left for the engine to refuse (42601).
 */
import type { Token } from '../../sql/lexer.js';
import { walk, type Node } from '../ast.js';
import type { RewriteRule, RuleContext } from './rule.js';

/** `INSERT INTO a.b.c` → the table name tokens and what follows. */
function target(tokens: readonly Token[]): { schema?: string; name: string; next: number } | undefined {
  if (tokens[0]?.value !== 'INSERT' || tokens[1]?.value !== 'INTO') return undefined;
  const parts: string[] = [];
  let i = 2;
  for (;;) {
    const t = tokens[i];
    if (!t || (t.kind !== 'word' && t.kind !== 'qident')) return undefined;
    parts.push(t.kind === 'word' ? t.value.toLowerCase() : t.value);
    i++;
    if (tokens[i]?.kind === 'op' && tokens[i]!.value === '.') {
      i++;
      continue;
    }
    break;
  }
  const name = parts[parts.length - 1]!;
  const schema = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  return { schema, name, next: i };
}

function trigger(tokens: readonly Token[], rc: RuleContext): boolean {
  const t = target(tokens);
  if (!t) return false;
  let i = t.next;
  // An alias (INSERT INTO t AS x VALUES ...)
  if (tokens[i]?.value === 'AS') i += 2;
  const next = tokens[i];
  if (!next) return false;
  if (next.kind === 'lparen') {
    const after = tokens[i + 1]?.value;
    if (after !== 'SELECT' && after !== 'WITH' && after !== 'VALUES') return false; // a column list
  } else if (next.kind !== 'word' || !['VALUES', 'SELECT', 'WITH', 'TABLE'].includes(next.value)) return false;
  const cols = rc.tableColumns(t.schema, t.name);
  if (!cols) return false;
  if (next.value === 'VALUES' && tokens[i + 1]?.kind === 'lparen') {
    // Count the first row's values without parsing: most INSERTs give them all.
    let depth = 0;
    let count = 1;
    for (let j = i + 1; j < tokens.length; j++) {
      const k = tokens[j]!.kind;
      if (k === 'lparen') depth++;
      else if (k === 'rparen') {
        if (--depth === 0) break;
      } else if (k === 'comma' && depth === 1) count++;
    }
    return count < cols.length;
  }
  return true;
}

function apply(stmt: Node, rc: RuleContext): boolean {
  const ins = stmt.InsertStmt as Node | undefined;
  if (!ins || ins.cols || !ins.relation) return false;
  const sel = ins.selectStmt?.SelectStmt as Node | undefined;
  if (!sel || (sel.op && sel.op !== 'SETOP_NONE')) return false;
  let k: number;
  if (sel.valuesLists) {
    const lengths = new Set((sel.valuesLists as Node[]).map((l) => ((l.List?.items as Node[] | undefined) ?? []).length));
    if (lengths.size !== 1) return false;
    k = [...lengths][0]!;
  } else if (sel.targetList) {
    let star = false;
    walk(sel.targetList, (kind, p) => {
      if (kind === 'ColumnRef' && (p.fields as Node[]).some((f) => f.A_Star)) star = true;
      if (kind === 'SubLink' || kind === 'SelectStmt') return false;
    });
    if (star) return false;
    k = (sel.targetList as Node[]).length;
  } else return false;
  const cols = rc.tableColumns(ins.relation.schemaname as string | undefined, ins.relation.relname as string);
  if (!cols || k >= cols.length || k === 0) return false;
  ins.cols = cols.slice(0, k).map((name) => ({ ResTarget: { name } }));
  return true;
}

export const insertDefaults: RewriteRule = { name: 'insert-defaults', trigger, apply };
