/**
 * System columns of catalog relations (`c.xmin`, `xmin`, `ctid`, `xmax`, `cmin`, `cmax`), which
 * pgAdmin, DBeaver and DataGrip read to notice catalog changes. The emulated catalog relations are
 * views without them; they read as constants (xmin 1 = PostgreSQL's bootstrap transaction id,
 * xmax/cmin/cmax 0, ctid '(0,1)'). `oid` is a real column of the emulated relations. System
 * columns of lake tables are not emulated (DuckDB reports them missing).
 *
 * `age(x)` of a transaction-id column of a catalog relation (DataGrip orders pg_locks by
 * `age(L.transactionid)`) is PostgreSQL's age(xid): the current transaction number minus x, as
 * int4 (DuckDB's age() takes timestamps only).
 */
import type { Token } from '../../sql/lexer.js';
import { aConst, cast, funcName, kindOf, names, op, typeName, walk, type Node } from '../ast.js';
import { catalogRelationOf, cteNames } from './catalog-names.js';
import type { RewriteRule, RuleContext } from './rule.js';

const SYSTEM = new Set(['xmin', 'xmax', 'cmin', 'cmax', 'ctid']);
const WORDS = new Set([...SYSTEM].map((s) => s.toUpperCase()));
/** Catalog columns of type xid (or a multixact id), which age() is applied to. */
const XID_COLUMNS = new Set(['xmin', 'xmax', 'transactionid', 'relfrozenxid', 'relminmxid', 'datfrozenxid', 'datminmxid', 'backend_xid', 'backend_xmin']);

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'word' && (WORDS.has(t.value) || (t.value === 'AGE' && tokens[i + 1]?.kind === 'lparen'))) return true;
  }
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
  /** A column reference that names a column of a catalog relation. */
  const ofCatalog = (f: string[]): boolean => {
    const qualified = f.length >= 2 ? f[f.length - 2]! : undefined;
    return qualified !== undefined ? catalogNames.has(qualified) : userRelations === 0;
  };
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind === 'FuncCall') {
      const fn = funcName(p);
      const args = (p.args as Node[] | undefined) ?? [];
      if (fn.name !== 'age' || (fn.schema !== undefined && fn.schema !== 'pg_catalog') || args.length !== 1 || kindOf(args[0]) !== 'ColumnRef') return;
      const f = names(args[0]!.ColumnRef.fields);
      if (!XID_COLUMNS.has(f[f.length - 1]!) || !ofCatalog(f)) return;
      changed = true;
      return cast(op('-', cast(aConst(String(rc.txid())), typeName('int8')), cast(args[0]!, typeName('int8'))), typeName('int4'));
    }
    if (kind !== 'ColumnRef') return;
    const f = names(p.fields);
    const col = f[f.length - 1]!;
    if (!SYSTEM.has(col) || !ofCatalog(f)) return;
    changed = true;
    return value(col);
  });
  return changed;
}

export const systemColumns: RewriteRule = { name: 'system-columns', trigger, apply };
