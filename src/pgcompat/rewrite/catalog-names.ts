/**
 * Catalog names → the emulated catalog of the database the session reads:
 *
 *  - `pg_catalog.pg_class`, and unqualified `pg_class` when no user table or view of that name is
 *    visible and no CTE of the statement has it → `"<readDb>".__lakegres_pg.pg_class`
 *  - `information_schema.tables` → `"<readDb>".__lakegres_pg.is_tables AS tables`
 *    (registry.emulatedRelationName; the alias keeps `tables.table_name` working); also when
 *    qualified with the session's database (`"lake".information_schema.columns`, as dbt writes).
 *    DuckDB's own catalog stays reachable as `system.information_schema.*` / `system.pg_catalog.*`
 *  - `pg_catalog.format_type(...)` / `format_type(...)` (PG_CATALOG_FUNCTIONS), and
 *    `information_schema._pg_expandarray(...)` → `"<readDb>".__lakegres_pg.format_type(...)`
 *  - other pg_catalog-qualified functions (`pg_catalog.lower(...)`, `pg_catalog.unnest(...)`) are
 *    DuckDB's built-ins of that name: the schema is dropped;
 *  - column references qualified with the schema (`pg_catalog.pg_class.oid`) lose the schema;
 *  - lakegres's discovery relations: `lakegres.tables` → `"<readDb>".__lakegres_pg.lake_tables AS tables`
 *    (registry.DISCOVERY_RELATIONS), unless the lake has a schema `lakegres` with a table of that name.
 *
 * Relations and functions that are not emulated are left alone (DuckDB reports them missing).
 */
import type { Token } from '../../sql/lexer.js';
import { DISCOVERY_RELATIONS, DISCOVERY_SCHEMA, INFORMATION_SCHEMA_RELATIONS, PG_CATALOG_FUNCTIONS, PG_CATALOG_RELATIONS, EMULATION_SCHEMA } from '../registry.js';
import { funcName, names, str, walk, type Node } from '../ast.js';
import type { RewriteRule, RuleContext } from './rule.js';

const RELATION_WORDS = new Set([...PG_CATALOG_RELATIONS].map((n) => n.toUpperCase()));
const FUNCTION_WORDS = new Set([...PG_CATALOG_FUNCTIONS].map((n) => n.toUpperCase()));

const DISCOVERY_WORD = DISCOVERY_SCHEMA.toUpperCase();

/** Functions that session-values substitutes (it runs first; listed here so that they are never macro calls). */
const SUBSTITUTED = new Set(['pg_is_in_recovery']);

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'word') {
      if (t.value === 'PG_CATALOG' || t.value === 'INFORMATION_SCHEMA' || t.value === DISCOVERY_WORD || RELATION_WORDS.has(t.value)) return true;
      if (FUNCTION_WORDS.has(t.value) && tokens[i + 1]?.kind === 'lparen') return true;
    } else if (t.kind === 'qident' && (t.value === 'pg_catalog' || t.value === 'information_schema' || t.value === DISCOVERY_SCHEMA || PG_CATALOG_RELATIONS.has(t.value))) return true;
  }
  return false;
}

/** Names of the CTEs a statement defines (anywhere: a CTE name never means a catalog relation). */
export function cteNames(stmt: Node): Set<string> {
  const out = new Set<string>();
  walk(stmt, (kind, p) => {
    if (kind === 'CommonTableExpr' && typeof p.ctename === 'string') out.add(p.ctename);
  });
  return out;
}

/** Which catalog relation a RangeVar names (before or after this rewrite), if any. */
export function catalogRelationOf(rv: Node, rc: RuleContext | null, ctes: Set<string>): { schema: 'pg_catalog' | 'information_schema'; name: string } | undefined {
  const rel = rv.relname as string;
  // "<database>".information_schema.columns (dbt writes it so) is the database's own catalog.
  const ownDatabase = rc !== null && rv.catalogname && rv.schemaname !== EMULATION_SCHEMA && String(rv.catalogname).toLowerCase() === rc.database.toLowerCase();
  if (rv.catalogname && !ownDatabase) {
    if (rv.schemaname !== EMULATION_SCHEMA) return undefined;
    if (rel.startsWith('is_') && INFORMATION_SCHEMA_RELATIONS.has(rel.slice(3))) return { schema: 'information_schema', name: rel.slice(3) };
    return PG_CATALOG_RELATIONS.has(rel) ? { schema: 'pg_catalog', name: rel } : undefined;
  }
  if (rv.schemaname === 'pg_catalog') return PG_CATALOG_RELATIONS.has(rel) ? { schema: 'pg_catalog', name: rel } : undefined;
  if (rv.schemaname === 'information_schema') return INFORMATION_SCHEMA_RELATIONS.has(rel) ? { schema: 'information_schema', name: rel } : undefined;
  if (rv.schemaname) return undefined;
  if (!PG_CATALOG_RELATIONS.has(rel) || ctes.has(rel)) return undefined;
  if (rc && rc.hasUserRelation(rel)) return undefined;
  return { schema: 'pg_catalog', name: rel };
}

/** `lakegres.tables` (also `"<database>".lakegres.tables`) → the emulation's view, unless the lake has such a table. */
function discoveryRelation(rv: Node, rc: RuleContext): Node | undefined {
  if (rv.schemaname !== DISCOVERY_SCHEMA) return undefined;
  if (rv.catalogname && String(rv.catalogname).toLowerCase() !== rc.database.toLowerCase()) return undefined;
  const view = DISCOVERY_RELATIONS[rv.relname as string];
  if (!view || rc.tableColumns(DISCOVERY_SCHEMA, rv.relname as string) !== undefined) return undefined;
  const out: Node = { catalogname: rc.readDb, schemaname: EMULATION_SCHEMA, relname: view, inh: true, relpersistence: 'p', alias: rv.alias ?? { aliasname: rv.relname } };
  if (rv.location !== undefined) out.location = rv.location;
  rc.catalogRelations.add(view);
  return out;
}

function apply(stmt: Node, rc: RuleContext): boolean {
  let changed = false;
  const ctes = cteNames(stmt);
  walk(stmt, (kind, p, info) => {
    if (kind === 'RangeVar') {
      // DML targets (INSERT INTO pg_class ...) are not redirected: writing the catalog is refused by DuckDB.
      if (info.field === 'relation') return;
      const discovery = discoveryRelation(p, rc);
      if (discovery) {
        changed = true;
        return { replace: { RangeVar: discovery }, skip: true };
      }
      const hit = catalogRelationOf(p, rc, ctes);
      if (!hit || p.schemaname === EMULATION_SCHEMA) return;
      const alias = p.alias ?? (hit.schema === 'information_schema' ? { aliasname: p.relname } : undefined);
      const rv = rc.catalogRelation(hit.schema, hit.name);
      if (alias) rv.alias = alias;
      if (p.location !== undefined) rv.location = p.location;
      changed = true;
      return { replace: { RangeVar: rv }, skip: true };
    }
    if (kind === 'FuncCall') {
      const f = funcName(p);
      if (f.catalog || SUBSTITUTED.has(f.name)) return;
      if (!PG_CATALOG_FUNCTIONS.has(f.name)) {
        // pg_catalog.lower(...), pg_catalog.array_to_string(...): DuckDB's built-in of that name.
        // (Not SQL-syntax calls such as TRIM(...) → pg_catalog.btrim: the deparser writes those back as syntax.)
        if (f.schema === 'pg_catalog' && p.funcformat !== 'COERCE_SQL_SYNTAX') {
          p.funcname = [str(f.name)];
          changed = true;
        }
        return;
      }
      if (f.schema !== undefined && f.schema !== 'pg_catalog' && f.schema !== 'information_schema') return;
      p.funcname = rc.catalogFunction(f.name);
      changed = true;
      return;
    }
    if (kind === 'ColumnRef') {
      const f = names(p.fields);
      if (f.length >= 3 && (f[0] === 'pg_catalog' || f[0] === 'information_schema')) {
        const rel = f[1]!;
        if (f[0] === 'pg_catalog' ? PG_CATALOG_RELATIONS.has(rel) : INFORMATION_SCHEMA_RELATIONS.has(rel)) {
          p.fields = f.slice(1).map((n) => (n === '*' ? { A_Star: {} } : str(n)));
          changed = true;
        }
      }
    }
  });
  return changed;
}

export const catalogNames: RewriteRule = { name: 'catalog-names', trigger, apply };
