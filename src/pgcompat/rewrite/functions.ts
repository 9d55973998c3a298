/**
 * PostgreSQL functions that DuckDB lacks or reads differently, used by clients in catalog and
 * report queries:
 *
 *   format('%s is %s', a, b)  → printf('%s is %s', a::varchar, b::varchar)   (DuckDB's format() uses {} and would
 *                                                          return the text unchanged)
 *   quote_ident(x)            → x, or "x" with " doubled when x is not a plain lower-case name
 *   quote_literal(x)          → 'x' with ' doubled (NULL stays NULL)
 *   quote_nullable(x)         → quote_literal(x), or 'NULL'
 *   json_build_object, json_build_array, json_agg, json_object_agg (and their jsonb_ forms),
 *   to_jsonb                  → json_object, json_array, json_group_array, json_group_object, to_json
 *
 * format() is rewritten only with a constant format of %s and %% (its %I, %L and positional
 * forms are left to DuckDB, which then fails visibly). Unqualified or pg_catalog-qualified.
 */
import type { Token } from '../../sql/lexer.js';
import { cast, funcName, stringConst, str, typeName, walk, type Node, isBuiltin } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';

/** Same function, DuckDB's name (json/jsonb builders and aggregates). */
const RENAMED: Record<string, string> = {
  json_build_object: 'json_object',
  jsonb_build_object: 'json_object',
  json_build_array: 'json_array',
  jsonb_build_array: 'json_array',
  json_agg: 'json_group_array',
  jsonb_agg: 'json_group_array',
  json_object_agg: 'json_group_object',
  jsonb_object_agg: 'json_group_object',
  to_jsonb: 'to_json',
};

const WORDS = new Set(['FORMAT', 'QUOTE_IDENT', 'QUOTE_LITERAL', 'QUOTE_NULLABLE', ...Object.keys(RENAMED).map((n) => n.toUpperCase())]);

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i + 1 < tokens.length; i++) if (tokens[i]!.kind === 'word' && WORDS.has(tokens[i]!.value) && tokens[i + 1]!.kind === 'lparen') return true;
  return false;
}

const quoteLiteral = "'''' || replace(CAST(__arg_x AS VARCHAR), '''', '''''') || ''''";

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind !== 'FuncCall' || p.agg_star) return;
    const f = funcName(p);
    if (!isBuiltin(f)) return;
    const args = (p.args as Node[] | undefined) ?? [];
    const renamed = RENAMED[f.name];
    if (renamed) {
      p.funcname = [str(renamed)];
      changed = true;
      return;
    }
    switch (f.name) {
      case 'format': {
        if (p.over) return;
        const fmt = stringConst(args[0]);
        if (fmt === undefined || /%(?!s|%)/.test(fmt.replace(/%%/g, ''))) return;
        // %s takes any value as text; DuckDB's printf wants strings for %s.
        p.funcname = [str('printf')];
        p.args = [args[0]!, ...args.slice(1).map((a) => cast(a, typeName('varchar')))];
        changed = true;
        return;
      }
      case 'quote_ident':
        if (args.length !== 1) return;
        changed = true;
        return expr(`CASE WHEN regexp_full_match(CAST(__arg_x AS VARCHAR), '[a-z_][a-z0-9_$]*') THEN CAST(__arg_x AS VARCHAR) ELSE '"' || replace(CAST(__arg_x AS VARCHAR), '"', '""') || '"' END`, { x: args[0]! });
      case 'quote_literal':
        if (args.length !== 1) return;
        changed = true;
        return expr(`(${quoteLiteral})`, { x: args[0]! });
      case 'quote_nullable':
        if (args.length !== 1) return;
        changed = true;
        return expr(`COALESCE(${quoteLiteral}, 'NULL')`, { x: args[0]! });
    }
  });
  return changed;
}

export const functions: RewriteRule = { name: 'functions', trigger, apply };
