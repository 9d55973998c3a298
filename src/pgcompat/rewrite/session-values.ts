/**
 * Functions whose value is a fact about the session, substituted as literals (DuckDB would
 * answer with its own: version() 'v1.5.5', current_user 'duckdb', current_database() the
 * attached database):
 *
 *   version(), current_database(), current_catalog, current_schema[()], current_schemas(bool),
 *   current_user, session_user, user, current_role, pg_backend_pid(), pg_postmaster_start_time(),
 *   pg_conf_load_time(), inet_server_addr()/port(), inet_client_addr()/port(), txid_current(),
 *   pg_current_xact_id() (stable within a transaction), pg_is_in_recovery(), pg_jit_available(),
 *   pg_trigger_depth(), current_setting(name [, missing_ok]), pg_my_temp_schema(),
 *   pg_is_other_temp_schema(oid).
 *
 * Unqualified or pg_catalog-qualified. A function of the same name in a user schema is not touched.
 */
import type { Token } from '../../sql/lexer.js';
import { TEMP_NAMESPACE_OID } from '../oids.js';
import { PG_VERSION_STRING, SERVER_START_TIME } from '../context.js';
import { aConst, arrayExpr, boolConst, cast, funcName, stringConst, typeName, type Node, walk, isBuiltin } from '../ast.js';
import { expr, quoteLiteral, type RewriteRule, type RuleContext } from './rule.js';

const FUNCTIONS = new Set([
  'version',
  'current_database',
  'current_schema',
  'current_schemas',
  'pg_backend_pid',
  'pg_postmaster_start_time',
  'pg_conf_load_time',
  'inet_server_addr',
  'inet_server_port',
  'inet_client_addr',
  'inet_client_port',
  'txid_current',
  'txid_current_if_assigned',
  'pg_current_xact_id',
  'pg_current_xact_id_if_assigned',
  'pg_is_in_recovery',
  'pg_jit_available',
  'pg_trigger_depth',
  'current_setting',
  'pg_my_temp_schema',
  'pg_is_other_temp_schema',
]);
const WORDS = new Set([...FUNCTIONS].map((f) => f.toUpperCase()).concat(['CURRENT_USER', 'SESSION_USER', 'USER', 'CURRENT_ROLE', 'CURRENT_CATALOG', 'CURRENT_SCHEMA']));

function trigger(tokens: readonly Token[]): boolean {
  for (const t of tokens) if (t.kind === 'word' && WORDS.has(t.value)) return true;
  return false;
}

const text = (v: string | null): Node => (v === null ? cast(aConst(null), typeName('text')) : cast(aConst(v), typeName('text')));

/** PostgreSQL's name for DuckDB's main schema. */
const pgSchema = (s: string) => (s === 'main' ? 'public' : s);

function currentSchema(rc: RuleContext): string | null {
  const path = rc.searchPath().filter((s) => s !== 'pg_catalog' && !s.startsWith('pg_temp'));
  return path[0] !== undefined ? pgSchema(path[0]) : null;
}

function currentSchemas(rc: RuleContext, implicit: boolean): string[] {
  const path = rc.searchPath().map(pgSchema);
  if (implicit && !path.includes('pg_catalog')) return ['pg_catalog', ...path];
  return path;
}

function textArray(values: string[]): Node {
  return cast(arrayExpr(values.map((v) => aConst(v))), typeName('text', { array: true }));
}

/** `error('[lakegres:<code>] message')`: DuckDB raises it where it is evaluated; mapped to the SQLSTATE. */
export function raise(code: string, message: string): Node {
  return expr(`error(${quoteLiteral(`[lakegres:${code}] ${message}`)})`);
}

function setting(rc: RuleContext, args: Node[]): Node {
  const missingOk = args[1] ? boolConst(args[1]) : false;
  const name = stringConst(args[0]?.TypeCast ? args[0].TypeCast.arg : args[0]);
  if (name !== undefined) {
    const v = rc.setting(name);
    if (v !== undefined) return text(v);
    if (missingOk === true) return text(null);
    return cast(raise('42704', `unrecognized configuration parameter "${name}"`), typeName('text'));
  }
  // A name known only at run time: every setting of the session, by name.
  const whens = rc
    .settingNames()
    .map((n) => `WHEN ${quoteLiteral(n.toLowerCase())} THEN ${quoteLiteral(rc.ctx.setting(n) ?? '')}`)
    .join(' ');
  const otherwise =
    missingOk === true ? 'NULL' : `error('[lakegres:42704] unrecognized configuration parameter "' || __arg_name || '"')`;
  return expr(`CAST(CASE lower(__arg_name) ${whens} ELSE ${otherwise} END AS text)`, { name: args[0]! });
}

function substitute(name: string, args: Node[], rc: RuleContext): Node | undefined {
  switch (name) {
    case 'version':
      return args.length === 0 ? text(PG_VERSION_STRING) : undefined;
    case 'current_database':
      return args.length === 0 ? text(rc.database) : undefined;
    case 'current_schema':
      return args.length === 0 ? text(currentSchema(rc)) : undefined;
    case 'current_schemas': {
      if (args.length !== 1) return undefined;
      const b = boolConst(args[0]);
      if (b !== undefined) return textArray(currentSchemas(rc, b));
      return expr('CASE WHEN __arg_b THEN __arg_with ELSE __arg_without END', { b: args[0]!, with: textArray(currentSchemas(rc, true)), without: textArray(currentSchemas(rc, false)) });
    }
    case 'pg_backend_pid':
      return args.length === 0 ? cast(aConst(rc.pid), typeName('int4')) : undefined;
    case 'pg_postmaster_start_time':
    case 'pg_conf_load_time':
      return args.length === 0 ? cast(aConst(SERVER_START_TIME.toISOString()), typeName('timestamptz')) : undefined;
    case 'inet_server_addr':
    case 'inet_client_addr': {
      if (args.length !== 0) return undefined;
      const a = rc.addresses()[name === 'inet_server_addr' ? 'server' : 'client'];
      return text(a ? a.address : null);
    }
    case 'inet_server_port':
    case 'inet_client_port': {
      if (args.length !== 0) return undefined;
      const a = rc.addresses()[name === 'inet_server_port' ? 'server' : 'client'];
      return a ? cast(aConst(a.port), typeName('int4')) : cast(aConst(null), typeName('int4'));
    }
    case 'txid_current':
    case 'pg_current_xact_id':
    case 'txid_current_if_assigned':
    case 'pg_current_xact_id_if_assigned':
      return args.length === 0 ? cast(aConst(String(rc.txid())), typeName('int8')) : undefined;
    case 'pg_is_in_recovery':
    case 'pg_jit_available':
      return args.length === 0 ? aConst(false) : undefined;
    case 'pg_trigger_depth':
      return args.length === 0 ? cast(aConst(0), typeName('int4')) : undefined;
    case 'current_setting':
      return args.length === 1 || args.length === 2 ? setting(rc, args) : undefined;
    case 'pg_my_temp_schema':
      return args.length === 0 ? cast(aConst(TEMP_NAMESPACE_OID), typeName('int8')) : undefined;
    case 'pg_is_other_temp_schema':
      return args.length === 1 ? expr('(__arg_x IS NULL AND NULL)', { x: args[0]! }) : undefined;
  }
  return undefined;
}

function apply(stmt: Node, rc: RuleContext): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind === 'SQLValueFunction') {
      let v: Node | undefined;
      switch (p.op) {
        case 'SVFOP_CURRENT_USER':
        case 'SVFOP_SESSION_USER':
        case 'SVFOP_USER':
        case 'SVFOP_CURRENT_ROLE':
          v = text(rc.user);
          break;
        case 'SVFOP_CURRENT_CATALOG':
          v = text(rc.database);
          break;
        case 'SVFOP_CURRENT_SCHEMA':
          v = text(currentSchema(rc));
          break;
      }
      if (v) {
        changed = true;
        return { replace: v, skip: true };
      }
      return;
    }
    if (kind !== 'FuncCall') return;
    const f = funcName(p);
    if (!isBuiltin(f) || !FUNCTIONS.has(f.name)) return;
    if (p.agg_star || p.over || p.agg_distinct) return;
    const v = substitute(f.name, (p.args as Node[] | undefined) ?? [], rc);
    if (!v) return;
    changed = true;
    return { replace: v, skip: true };
  });
  return changed;
}

export const sessionValues: RewriteRule = { name: 'session-values', trigger, apply };
