/**
 * System columns of catalog relations (`c.xmin`, `xmin`, `ctid`, `xmax`, `cmin`, `cmax`), which
 * pgAdmin, DBeaver and DataGrip read to notice catalog changes. The emulated catalog relations are
 * views without them; they read as constants (xmin 1 = PostgreSQL's bootstrap transaction id,
 * xmax/cmin/cmax 0, ctid '(0,1)'). `oid` is a real column of the emulated relations. System
 * columns of lake tables are not emulated (DuckDB reports them missing).
 */
import type { Token } from '../../sql/lexer.js';
import { aConst, cast, names, typeName, walk, type Node } from '../ast.js';
import { catalogRelationOf, cteNames } from './catalog-names.js';
import type { RewriteRule, RuleContext } from './rule.js';

const SYSTEM = new Set(['xmin', 'xmax', 'cmin', 'cmax', 'ctid']);
const WORDS = new Set([...SYSTEM].map((s) => s.toUpperCase()));

function trigger(tokens: readonly Token[]): boolean {
  for (const t of tokens) if (t.kind === 'word' && WORDS.has(t.value)) return true;
  return false;
}

function value(col: string): Node {
  if (col === 'ctid') return cast(aConst('(0,1)'), typeName('text'));
  return cast(aConst(col === 'xmin' ? 1 : 0), typeName('int8'));
}

function apply(stmt: Node, rc: RuleContext): boolean {
  // Names under which catalog relations appear in the statement (alias, or the relation's name).
  const ctes = cteNames(stmt);
  const catalogNames = new Set<string>();
  let userRelations = 0;
  walk(stmt, (kind, p) => {
    if (kind !== 'RangeVar') return;
    if (catalogRelationOf(p, rc, ctes)) catalogNames.add((p.alias?.aliasname as string | undefined) ?? (p.relname as string));
    else userRelations++;
  });
  if (catalogNames.size === 0) return false;
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind !== 'ColumnRef') return;
    const f = names(p.fields);
    const col = f[f.length - 1]!;
    if (!SYSTEM.has(col)) return;
    const qualified = f.length >= 2 ? f[f.length - 2]! : undefined;
    if (qualified !== undefined ? !catalogNames.has(qualified) : userRelations > 0) return;
    changed = true;
    return value(col);
  });
  return changed;
}

export const systemColumns: RewriteRule = { name: 'system-columns', trigger, apply };
