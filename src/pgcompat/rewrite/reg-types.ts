/**
 * The OID alias types, which DuckDB does not have: `::regclass`, `::regtype`, `::regnamespace`,
 * `::regrole`, `::regproc`/`::regprocedure` (optionally pg_catalog-qualified).
 *
 * PostgreSQL stores an OID and prints a name. Here the value is the OID where it is compared,
 * joined or cast to oid/integer, and the name where PostgreSQL would print it: in the select
 * list (or RETURNING) of the statement itself, or cast to text. Names are looked up in the
 * emulated catalog (pg_class, pg_type via format_type, pg_namespace, pg_roles, pg_proc) of the
 * database the session reads:
 *
 *   'public.t'::regclass       → (SELECT oid FROM pg_class JOIN pg_namespace ...), or 42P01 when there is none
 *   'int4'::regtype, 'integer'::regtype → the type's OID (the name is read with PostgreSQL's grammar) or 42704
 *   c.oid::regclass (select list)  → the relation's name, schema-qualified when not on search_path
 *   t.oid::regtype::text           → format_type(t.oid, NULL)
 *   $1::regclass, (a || b)::regclass → looked up when the statement runs (a number is taken as the OID)
 *   to_regclass('t')::text, to_regtype(...) (select list) → the name, as for the casts (NULL when missing)
 *
 * The emulated catalog holds columns of these types (pg_type.typinput, pg_aggregate.aggfnoid, ...)
 * as OIDs, so `typinput = 'array_in'::regproc` compares OIDs as in PostgreSQL.
 */
import { parseSync } from 'pgsql-parser';
import type { Token } from '../../sql/lexer.js';
import { TEMP_NAMESPACE_OID } from '../oids.js';
import { EMULATION_SCHEMA } from '../registry.js';
import { cast, constText, lastName, names, typeName, walk, type Node } from '../ast.js';
import { expr, quoteLiteral, type RewriteRule, type RuleContext } from './rule.js';
import { raise } from './session-values.js';

type RegType = 'regclass' | 'regtype' | 'regnamespace' | 'regrole' | 'regproc';

const REG_TYPES: Record<string, RegType> = {
  regclass: 'regclass',
  regtype: 'regtype',
  regnamespace: 'regnamespace',
  regrole: 'regrole',
  regproc: 'regproc',
  regprocedure: 'regproc',
};
/** The to_reg* functions (emulated as macros returning the OID or NULL) and the type each gives. */
const TO_REG: Record<string, RegType> = {
  to_regclass: 'regclass',
  to_regtype: 'regtype',
  to_regnamespace: 'regnamespace',
  to_regrole: 'regrole',
  to_regproc: 'regproc',
  to_regprocedure: 'regproc',
};
const WORDS = new Set([...Object.keys(REG_TYPES), ...Object.keys(TO_REG)].map((w) => w.toUpperCase()));
const TEXT_TYPES = new Set(['text', 'varchar', 'name', 'bpchar', 'char']);
const INT_TYPES = new Set(['oid', 'int4', 'int8', 'int2', 'integer', 'bigint', 'int', 'numeric']);

function trigger(tokens: readonly Token[]): boolean {
  for (const t of tokens) if ((t.kind === 'word' && WORDS.has(t.value)) || (t.kind === 'qident' && REG_TYPES[t.value])) return true;
  return false;
}

/** The reg type a TypeName names (not arrays), if any. */
function regTypeOf(tn: Node | undefined): RegType | undefined {
  if (!tn || tn.arrayBounds) return undefined;
  const n = names(tn.names);
  if (n.length > 2 || (n.length === 2 && n[0] !== 'pg_catalog')) return undefined;
  return REG_TYPES[n[n.length - 1]!];
}

/**
 * The reg type a call of a to_reg* function gives (`to_regclass(x)`, `pg_catalog.to_regclass(x)`,
 * or the emulation macro catalog-names made of it), if it is one.
 */
function toRegTypeOf(fc: Node | undefined): RegType | undefined {
  if (!fc) return undefined;
  const n = names(fc.funcname);
  const type = TO_REG[n[n.length - 1] ?? ''];
  if (!type || (fc.args ?? []).length !== 1) return undefined;
  if (n.length === 1 || (n.length === 2 && n[0] === 'pg_catalog') || n[n.length - 2] === EMULATION_SCHEMA) return type;
  return undefined;
}

/** PostgreSQL's parsing of a possibly qualified, possibly quoted name ('public."T"' → ['public', 'T']). */
export function parseQualifiedName(s: string): string[] | undefined {
  const parts: string[] = [];
  let i = 0;
  const n = s.length;
  const space = () => {
    while (i < n && /\s/.test(s[i]!)) i++;
  };
  space();
  for (;;) {
    let part = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) return undefined;
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += s[i++];
      }
      if (part === '') return undefined;
    } else {
      const start = i;
      while (i < n && s[i] !== '.' && !/\s/.test(s[i]!)) i++;
      part = s.slice(start, i).toLowerCase();
      if (part === '') return undefined;
    }
    parts.push(part);
    space();
    if (i >= n) break;
    if (s[i] !== '.') return undefined;
    i++;
    space();
  }
  return parts;
}

// ------------------------------------------------------------------ SQL pieces

/** The number a text holds when it is all digits (an OID given as text), else NULL. */
const asNumber = (s: string) => `CASE WHEN regexp_full_match(${s}, '\\s*[0-9]+\\s*') THEN CAST(trim(${s}) AS BIGINT) END`;

const qi = (v: string) => `CASE WHEN regexp_full_match(${v}, '[a-z_][a-z0-9_$]*') THEN ${v} ELSE '"' || replace(${v}, '"', '""') || '"' END`;

function visibleNamespace(rc: RuleContext, n: string): string {
  const path = ['pg_catalog', ...rc.searchPath().filter((s) => s !== 'pg_catalog')];
  return `(${n}.oid = ${TEMP_NAMESPACE_OID} OR ${n}.nspname IN (${path.map(quoteLiteral).join(', ')}))`;
}

function namespaceOrder(rc: RuleContext, n: string): string {
  const explicit = rc.searchPath();
  const path = explicit.includes('pg_catalog') ? explicit : ['pg_catalog', ...explicit];
  return `CASE WHEN ${n}.oid = ${TEMP_NAMESPACE_OID} THEN 0 ${path.map((s, i) => `WHEN ${n}.nspname = ${quoteLiteral(s)} THEN ${i + 1}`).join(' ')} ELSE ${path.length + 1} END`;
}

/** OID of a relation given by name (constant). */
function regclassByName(rc: RuleContext, parts: string[]): Node {
  const cls = rc.catalogSql('pg_catalog', 'pg_class');
  const nsp = rc.catalogSql('pg_catalog', 'pg_namespace');
  const rel = parts[parts.length - 1]!;
  const schema = parts.length >= 2 ? parts[parts.length - 2]! : undefined;
  const where = schema !== undefined ? `__n.nspname = ${quoteLiteral(schema)}` : visibleNamespace(rc, '__n');
  const order = schema !== undefined ? '' : ` ORDER BY ${namespaceOrder(rc, '__n')}`;
  return expr(
    `COALESCE((SELECT __c.oid FROM ${cls} __c JOIN ${nsp} __n ON __n.oid = __c.relnamespace WHERE __c.relname = ${quoteLiteral(rel)} AND ${where}${order} LIMIT 1), __arg_err)`,
    { err: raise('42P01', `relation "${parts.join('.')}" does not exist`) },
  );
}

/** OID of a relation given by an expression evaluated at run time (a name or a number). */
function regclassRuntime(rc: RuleContext, x: Node): Node {
  const cls = rc.catalogSql('pg_catalog', 'pg_class');
  const nsp = rc.catalogSql('pg_catalog', 'pg_namespace');
  const s = 'CAST(__arg_x AS VARCHAR)';
  const unq = (p: string) => `CASE WHEN ${p} LIKE '"%"' THEN replace(substr(${p}, 2, length(${p}) - 2), '""', '"') ELSE lower(${p}) END`;
  const rel = unq(`CASE WHEN strpos(${s}, '.') > 0 THEN split_part(${s}, '.', 2) ELSE ${s} END`);
  const schema = `CASE WHEN strpos(${s}, '.') > 0 THEN ${unq(`split_part(${s}, '.', 1)`)} END`;
  return expr(
    `CASE WHEN __arg_x IS NULL THEN NULL ELSE COALESCE(${asNumber(s)}, ` +
      `(SELECT __c.oid FROM ${cls} __c JOIN ${nsp} __n ON __n.oid = __c.relnamespace WHERE __c.relname = ${rel} AND CASE WHEN strpos(${s}, '.') > 0 THEN __n.nspname = ${schema} ELSE ${visibleNamespace(rc, '__n')} END ORDER BY ${namespaceOrder(rc, '__n')} LIMIT 1), ` +
      `error('[lakegres:42P01] relation "' || ${s} || '" does not exist')) END`,
    { x },
  );
}

function regclassName(rc: RuleContext, oid: Node): Node {
  const cls = rc.catalogSql('pg_catalog', 'pg_class');
  const nsp = rc.catalogSql('pg_catalog', 'pg_namespace');
  return expr(
    `COALESCE((SELECT CASE WHEN ${visibleNamespace(rc, '__n')} THEN ${qi('__c.relname')} ELSE ${qi('__n.nspname')} || '.' || ${qi('__c.relname')} END FROM ${cls} __c JOIN ${nsp} __n ON __n.oid = __c.relnamespace WHERE __c.oid = __arg_x), CAST(__arg_x AS VARCHAR))`,
    { x: oid },
  );
}

/** pg_type.typname (and schema) of a type name as PostgreSQL's grammar reads it ('integer[]' → _int4). */
export function parseTypeName(s: string): { schema?: string; name: string } | undefined {
  try {
    const r = parseSync(`SELECT NULL::${s}`) as { stmts: { stmt: Node }[] };
    if (r.stmts.length !== 1) return undefined;
    const tc = r.stmts[0]!.stmt.SelectStmt?.targetList?.[0]?.ResTarget?.val?.TypeCast as Node | undefined;
    if (!tc) return undefined;
    const n = names(tc.typeName.names);
    let name = n[n.length - 1]!;
    if (tc.typeName.arrayBounds) name = '_' + name;
    const schema = n.length >= 2 ? n[n.length - 2] : undefined;
    return { schema, name };
  } catch {
    return undefined;
  }
}

function regtypeByName(rc: RuleContext, original: string): Node {
  const t = parseTypeName(original);
  const err = raise('42704', `type "${original}" does not exist`);
  if (!t) return expr('__arg_err', { err });
  const typ = rc.catalogSql('pg_catalog', 'pg_type');
  const nsp = rc.catalogSql('pg_catalog', 'pg_namespace');
  const where = t.schema !== undefined ? `__n.nspname = ${quoteLiteral(t.schema)}` : visibleNamespace(rc, '__n');
  const order = t.schema !== undefined ? '' : ` ORDER BY ${namespaceOrder(rc, '__n')}`;
  return expr(`COALESCE((SELECT __t.oid FROM ${typ} __t JOIN ${nsp} __n ON __n.oid = __t.typnamespace WHERE __t.typname = ${quoteLiteral(t.name)} AND ${where}${order} LIMIT 1), __arg_err)`, { err });
}

function regtypeRuntime(rc: RuleContext, x: Node): Node {
  const typ = rc.catalogSql('pg_catalog', 'pg_type');
  const fmt = rc.catalogFunctionSql('format_type');
  const s = 'CAST(__arg_x AS VARCHAR)';
  return expr(
    `CASE WHEN __arg_x IS NULL THEN NULL ELSE COALESCE(${asNumber(s)}, (SELECT min(__t.oid) FROM ${typ} __t WHERE __t.typname = lower(${s}) OR ${fmt}(__t.oid, NULL) = lower(${s})), error('[lakegres:42704] type "' || ${s} || '" does not exist')) END`,
    { x },
  );
}

function regtypeName(rc: RuleContext, oid: Node): Node {
  return expr(`COALESCE(${rc.catalogFunctionSql('format_type')}(__arg_x, NULL), CAST(__arg_x AS VARCHAR))`, { x: oid });
}

function regnamespaceByName(rc: RuleContext, original: string, parts: string[] | undefined): Node {
  const err = raise('3F000', `schema "${original}" does not exist`);
  if (!parts || parts.length !== 1) return expr('__arg_err', { err });
  return expr(`COALESCE((SELECT __n.oid FROM ${rc.catalogSql('pg_catalog', 'pg_namespace')} __n WHERE __n.nspname = ${quoteLiteral(parts[0]!)}), __arg_err)`, { err });
}

function regnamespaceRuntime(rc: RuleContext, x: Node): Node {
  const s = 'CAST(__arg_x AS VARCHAR)';
  return expr(
    `CASE WHEN __arg_x IS NULL THEN NULL ELSE COALESCE(${asNumber(s)}, (SELECT __n.oid FROM ${rc.catalogSql('pg_catalog', 'pg_namespace')} __n WHERE __n.nspname = CASE WHEN ${s} LIKE '"%"' THEN replace(substr(${s}, 2, length(${s}) - 2), '""', '"') ELSE lower(${s}) END), error('[lakegres:3F000] schema "' || ${s} || '" does not exist')) END`,
    { x },
  );
}

function regnamespaceName(rc: RuleContext, oid: Node): Node {
  return expr(`COALESCE((SELECT ${qi('__n.nspname')} FROM ${rc.catalogSql('pg_catalog', 'pg_namespace')} __n WHERE __n.oid = __arg_x), CAST(__arg_x AS VARCHAR))`, { x: oid });
}

function regroleByName(rc: RuleContext, original: string, parts: string[] | undefined): Node {
  const err = raise('42704', `role "${original}" does not exist`);
  if (!parts || parts.length !== 1) return expr('__arg_err', { err });
  return expr(`COALESCE((SELECT __r.oid FROM ${rc.catalogSql('pg_catalog', 'pg_roles')} __r WHERE __r.rolname = ${quoteLiteral(parts[0]!)}), __arg_err)`, { err });
}

function regroleRuntime(rc: RuleContext, x: Node): Node {
  const s = 'CAST(__arg_x AS VARCHAR)';
  return expr(
    `CASE WHEN __arg_x IS NULL THEN NULL ELSE COALESCE(${asNumber(s)}, (SELECT __r.oid FROM ${rc.catalogSql('pg_catalog', 'pg_roles')} __r WHERE __r.rolname = ${s}), error('[lakegres:42704] role "' || ${s} || '" does not exist')) END`,
    { x },
  );
}

function regroleName(rc: RuleContext, oid: Node): Node {
  return expr(`COALESCE((SELECT ${qi('__r.rolname')} FROM ${rc.catalogSql('pg_catalog', 'pg_roles')} __r WHERE __r.oid = __arg_x), CAST(__arg_x AS VARCHAR))`, { x: oid });
}

function regprocByName(rc: RuleContext, original: string): Node {
  // regprocedure's argument list is not checked: the first function of that name.
  const parts = parseQualifiedName(original.replace(/\(.*$/s, '').trim());
  const err = raise('42883', `function "${original}" does not exist`);
  if (!parts || parts.length > 2) return expr('__arg_err', { err });
  const proc = rc.catalogSql('pg_catalog', 'pg_proc');
  const nsp = rc.catalogSql('pg_catalog', 'pg_namespace');
  const where = parts.length === 2 ? `__n.nspname = ${quoteLiteral(parts[0]!)}` : visibleNamespace(rc, '__n');
  return expr(`COALESCE((SELECT min(__p.oid) FROM ${proc} __p JOIN ${nsp} __n ON __n.oid = __p.pronamespace WHERE __p.proname = ${quoteLiteral(parts[parts.length - 1]!)} AND ${where}), __arg_err)`, { err });
}

function regprocRuntime(rc: RuleContext, x: Node): Node {
  const s = 'CAST(__arg_x AS VARCHAR)';
  return expr(
    `CASE WHEN __arg_x IS NULL THEN NULL ELSE COALESCE(${asNumber(s)}, (SELECT min(__p.oid) FROM ${rc.catalogSql('pg_catalog', 'pg_proc')} __p WHERE __p.proname = regexp_replace(regexp_replace(${s}, '\\(.*$', ''), '^pg_catalog\\.', '')), error('[lakegres:42883] function "' || ${s} || '" does not exist')) END`,
    { x },
  );
}

/**
 * regprocout: '-' for 0; the function's name, schema-qualified when the name alone does not
 * find it (several functions of that name); the number when there is no such function.
 */
function regprocName(rc: RuleContext, oid: Node): Node {
  const proc = rc.catalogSql('pg_catalog', 'pg_proc');
  const nsp = rc.catalogSql('pg_catalog', 'pg_namespace');
  return expr(
    `CASE WHEN __arg_x = 0 THEN '-' ELSE COALESCE((SELECT CASE WHEN (SELECT count(*) FROM ${proc} __q WHERE __q.proname = __p.proname) = 1 THEN ${qi('__p.proname')} ELSE ${qi('__n.nspname')} || '.' || ${qi('__p.proname')} END FROM ${proc} __p JOIN ${nsp} __n ON __n.oid = __p.pronamespace WHERE __p.oid = __arg_x), CAST(__arg_x AS VARCHAR)) END`,
    { x: oid },
  );
}

/** The OID a `<arg>::<type>` stands for. */
function oidOf(rc: RuleContext, type: RegType, arg: Node): Node {
  const c = constText(arg);
  if (c === null) return cast({ A_Const: { isnull: true } }, typeName('int8'));
  if (c !== undefined && /^\s*\d+\s*$/.test(c)) return cast({ A_Const: { sval: { sval: c.trim() } } }, typeName('int8'));
  if (typeof c === 'string') {
    const parts = parseQualifiedName(c);
    switch (type) {
      case 'regclass':
        return parts && parts.length <= 3 ? regclassByName(rc, parts) : expr('__arg_err', { err: raise('42P01', `relation "${c}" does not exist`) });
      case 'regtype':
        return regtypeByName(rc, c);
      case 'regnamespace':
        return regnamespaceByName(rc, c, parts);
      case 'regrole':
        return regroleByName(rc, c, parts);
      case 'regproc':
        return regprocByName(rc, c);
    }
  }
  // A column (an oid column, as clients write __c.oid::regclass) is the OID itself.
  if (arg.ColumnRef) return arg;
  switch (type) {
    case 'regclass':
      return regclassRuntime(rc, arg);
    case 'regtype':
      return regtypeRuntime(rc, arg);
    case 'regnamespace':
      return regnamespaceRuntime(rc, arg);
    case 'regrole':
      return regroleRuntime(rc, arg);
    case 'regproc':
      return regprocRuntime(rc, arg);
  }
}

/** The name PostgreSQL prints for `<arg>::<type>`. */
function nameOf(rc: RuleContext, type: RegType, arg: Node): Node {
  return nameOfOid(rc, type, oidOf(rc, type, arg));
}

/** The name PostgreSQL prints for an OID of reg type `type` (NULL for NULL). */
function nameOfOid(rc: RuleContext, type: RegType, oid: Node): Node {
  switch (type) {
    case 'regclass':
      return regclassName(rc, oid);
    case 'regtype':
      return regtypeName(rc, oid);
    case 'regnamespace':
      return regnamespaceName(rc, oid);
    case 'regrole':
      return regroleName(rc, oid);
    case 'regproc':
      return regprocName(rc, oid);
  }
}

/** Payloads whose select list (or RETURNING) is what the statement returns. */
function outputLists(stmt: Node): Set<Node> {
  const out = new Set<Node>();
  const sel = (s: Node | undefined) => {
    if (!s) return;
    if (s.op && s.op !== 'SETOP_NONE') {
      sel(s.larg);
      sel(s.rarg);
      return;
    }
    out.add(s);
  };
  if (stmt.SelectStmt) sel(stmt.SelectStmt);
  for (const k of ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']) if (stmt[k]) out.add(stmt[k]);
  return out;
}

function apply(stmt: Node, rc: RuleContext): boolean {
  let changed = false;
  const outputs = outputLists(stmt);
  /** Whether the node is printed: a select-list (or RETURNING) entry of the statement itself. */
  const printedAt = (info: { ancestors: readonly { kind: string; node: Node; field: string }[] }) => {
    const a = info.ancestors;
    const parent = a[a.length - 1];
    const grand = a[a.length - 2];
    return parent?.kind === 'ResTarget' && parent.field === 'val' && grand !== undefined && outputs.has(grand.node) && (grand.field === 'targetList' || grand.field === 'returningList' || grand.field === 'returningClause');
  };
  walk(stmt, (kind, p, info) => {
    if (kind === 'FuncCall') {
      // to_regclass(x) printed: the name, as PostgreSQL prints the regclass it returns.
      const type = toRegTypeOf(p);
      if (!type || !printedAt(info)) return;
      changed = true;
      return { replace: nameOfOid(rc, type, { FuncCall: p }), skip: true };
    }
    if (kind !== 'TypeCast') return;
    const called = toRegTypeOf(p.arg?.FuncCall as Node | undefined);
    if (called && !p.typeName.arrayBounds && TEXT_TYPES.has(lastName(p.typeName.names))) {
      p.arg = nameOfOid(rc, called, p.arg);
      changed = true;
      return false;
    }
    const inner = p.arg?.TypeCast as Node | undefined;
    const innerType = inner ? regTypeOf(inner.typeName) : undefined;
    if (inner && innerType) {
      const outer = lastName(p.typeName.names);
      if (!p.typeName.arrayBounds && TEXT_TYPES.has(outer)) {
        p.arg = nameOf(rc, innerType, inner.arg);
        changed = true;
        return;
      }
      if (!p.typeName.arrayBounds && INT_TYPES.has(outer)) {
        p.arg = oidOf(rc, innerType, inner.arg);
        changed = true;
        return;
      }
    }
    const type = regTypeOf(p.typeName);
    if (!type) return;
    changed = true;
    return printedAt(info) ? nameOf(rc, type, p.arg) : oidOf(rc, type, p.arg);
  });
  return changed;
}

export const regTypes: RewriteRule = { name: 'reg-types', trigger, apply };
