/**
 * PostgreSQL's json/jsonb operators and functions that DuckDB (whose JSON type lakegres uses for
 * both) lacks or names differently:
 *
 *   x #> '{a,b}', x #>> '{a,0}'       → json_extract(x, '$."a"."b"'), json_extract_string(x, '$."a"[0]')
 *   x @> '{"a":1}', '[1]' <@ x        → json_contains(x, '{"a":1}')   (the constant side is JSON text)
 *   x ? 'k', x ?| '{a,b}', x ?& '{a,b}' → the key among json_keys(x) (or the string among an array's elements)
 *   a || b (one side json by its form)  → objects merged (b's keys win), otherwise arrays concatenated (a
 *                                          scalar as a one-element array); DuckDB's || would join the texts
 *   a - 'key' (a json by its form)      → the object without the key (an array without that string)
 *   json[b]_typeof(x)                 → object / array / string / number / boolean / null
 *   json[b]_array_length(x)           → json_array_length(x)
 *   json[b]_object_keys(x)            → unnest(json_keys(x))
 *   json[b]_array_elements[_text](x)  → unnest(json_extract[_string](x, '$[*]'))
 *   FROM json[b]_each[_text](x) e     → (SELECT key, value FROM json_each(x)) e
 *
 * Paths and key lists must be constants.
 */
import type { Token } from '../../sql/lexer.js';
import { funcName, lastName, stringConst, walk, type Node, isBuiltin } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';

const WORDS = new Set([
  'JSON_TYPEOF', 'JSONB_TYPEOF', 'JSON_ARRAY_LENGTH', 'JSONB_ARRAY_LENGTH', 'JSON_OBJECT_KEYS', 'JSONB_OBJECT_KEYS',
  'JSON_ARRAY_ELEMENTS', 'JSONB_ARRAY_ELEMENTS', 'JSON_ARRAY_ELEMENTS_TEXT', 'JSONB_ARRAY_ELEMENTS_TEXT',
  'JSON_EACH', 'JSONB_EACH', 'JSON_EACH_TEXT', 'JSONB_EACH_TEXT',
]);
const OPS = new Set(['#>', '#>>', '@>', '<@', '?', '?|', '?&', '||', '-']);

/** `||` and `-` are everywhere: they make the statement worth parsing only beside something json. */
const COMMON_OPS = new Set(['||', '-']);

function trigger(tokens: readonly Token[]): boolean {
  let jsonish = false;
  let common = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'op') {
      if (COMMON_OPS.has(t.value)) common = true;
      else if (t.value === '->' || t.value === '->>') jsonish = true;
      else if (OPS.has(t.value) || t.value.startsWith('#>') || t.value.startsWith('?')) return true;
    } else if (t.kind === 'word') {
      if (WORDS.has(t.value) && tokens[i + 1]?.kind === 'lparen') return true;
      if (t.value.startsWith('JSON') || t.value.includes('_JSON') || t.value.startsWith('TO_JSON')) jsonish = true;
    }
  }
  return common && jsonish;
}

/** The elements of a constant text array ('{a,b,"c d"}'), or undefined. */
export function textArray(text: string): string[] | undefined {
  const m = /^\s*\{(.*)\}\s*$/s.exec(text);
  if (!m) return undefined;
  const body = m[1]!;
  if (body.trim() === '') return [];
  const out: string[] = [];
  let i = 0;
  while (i <= body.length) {
    while (body[i] === ' ') i++;
    let v = '';
    if (body[i] === '"') {
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        v += body[i] ?? '';
        i++;
      }
      i++;
      while (body[i] === ' ') i++;
    } else {
      while (i < body.length && body[i] !== ',') v += body[i++];
      v = v.trim();
    }
    out.push(v);
    if (body[i] === ',') i++;
    else break;
  }
  return out;
}

/** A JSONPath for PostgreSQL's path elements: array positions for integers, quoted keys otherwise. */
export function jsonPath(elements: string[]): string {
  return '$' + elements.map((e) => (/^-?\d+$/.test(e) ? `[${Number(e) < 0 ? `#${e}` : e}]` : `."${e.replace(/(["\\])/g, '\\$1')}"`)).join('');
}

/** A constant (possibly cast) string operand. */
function constText(n: Node | undefined): string | undefined {
  if (n?.TypeCast) return constText(n.TypeCast.arg);
  return stringConst(n);
}

const isJsonText = (s: string | undefined): boolean => {
  if (s === undefined) return false;
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
};

/**
 * An operand as json: an untyped string beside a json value is json text; an operator expression
 * (`x -> 'a'`) is cast too, which also keeps it parenthesised where the template repeats it.
 */
function jsonOperand(n: Node): Node {
  return stringConst(n) !== undefined || n.A_Expr ? { TypeCast: { arg: n, typeName: { names: [{ String: { sval: 'json' } }], typemod: -1 } } } : n;
}

const lit = (s: string): Node => ({ A_Const: { sval: { sval: s } } });
const sqlString = (s: string): string => "'" + s.replace(/'/g, "''") + "'";

const TYPEOF = `CASE WHEN __arg_x IS NULL THEN NULL ELSE CASE json_type(__arg_x) WHEN 'OBJECT' THEN 'object' WHEN 'ARRAY' THEN 'array' WHEN 'VARCHAR' THEN 'string' WHEN 'BOOLEAN' THEN 'boolean' WHEN 'NULL' THEN 'null' ELSE 'number' END END`;

/** Top-level keys of an object, or the string elements of an array (what PostgreSQL's ? looks at). */
const KEYS = `CASE WHEN __arg_x IS NULL THEN NULL WHEN json_type(__arg_x) = 'OBJECT' THEN json_keys(__arg_x) WHEN json_type(__arg_x) = 'ARRAY' THEN CAST(json_extract_string(__arg_x, '$[*]') AS VARCHAR[]) ELSE CAST(ARRAY[] AS VARCHAR[]) END`;

/** Functions whose result is json. */
const JSON_FUNCTIONS = new Set([
  'to_json', 'to_jsonb', 'json_build_object', 'jsonb_build_object', 'json_build_array', 'jsonb_build_array', 'json_object', 'json_array',
  'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg', 'row_to_json', 'array_to_json', 'json_group_array', 'json_group_object',
]);

/** A json value by its form: a cast to json/jsonb, a json-building function, `->`, `#>`, or || of those. */
function isJsonExpr(n: Node | undefined): boolean {
  if (!n) return false;
  if (n.TypeCast) {
    const t = lastName(n.TypeCast.typeName?.names);
    return (t === 'json' || t === 'jsonb') && !n.TypeCast.typeName?.arrayBounds;
  }
  if (n.FuncCall) return JSON_FUNCTIONS.has(funcName(n.FuncCall).name);
  if (n.A_Expr?.kind === 'AEXPR_OP') {
    const op = lastName(n.A_Expr.name);
    return op === '->' || op === '#>' || (op === '||' && (isJsonExpr(n.A_Expr.lexpr) || isJsonExpr(n.A_Expr.rexpr)));
  }
  return false;
}

/** The members of a json object as a MAP (key → json). */
const members = (x: string): string => `map(json_keys(${x}), list_transform(json_keys(${x}), __k -> json_extract(${x}, '$."' || replace(__k, '"', '\\"') || '"')))`;
/** A json array's elements, or a scalar/object as a one-element list. */
const elements = (x: string): string => `CASE WHEN json_type(${x}) = 'ARRAY' THEN CAST(${x} AS JSON[]) ELSE ARRAY[CAST(${x} AS JSON)] END`;

const CONCAT = `CASE WHEN __arg_a IS NULL OR __arg_b IS NULL THEN NULL WHEN json_type(__arg_a) = 'OBJECT' AND json_type(__arg_b) = 'OBJECT' THEN CAST(to_json(map_concat(${members('__arg_a')}, ${members('__arg_b')})) AS JSON) ELSE CAST(to_json(list_concat(${elements('__arg_a')}, ${elements('__arg_b')})) AS JSON) END`;

const DELETE_KEY = `CASE WHEN __arg_a IS NULL OR __arg_k IS NULL THEN NULL WHEN json_type(__arg_a) = 'OBJECT' THEN CAST(to_json(map_from_entries(list_filter(map_entries(${members('__arg_a')}), __e -> (__e.key <> __arg_k)))) AS JSON) WHEN json_type(__arg_a) = 'ARRAY' THEN CAST(to_json(list_filter(CAST(__arg_a AS JSON[]), __e -> (json_type(__e) <> 'VARCHAR' OR json_extract_string(__e, '$') <> __arg_k))) AS JSON) ELSE error('[lakegres:22023] cannot delete from scalar') END`;

function operator(p: Node): Node | undefined {
  const op = lastName(p.name);
  const l = p.lexpr as Node | undefined;
  const r = p.rexpr as Node | undefined;
  if (!l || !r) return undefined;
  switch (op) {
    case '||':
      if (!isJsonExpr(l) && !isJsonExpr(r)) return undefined;
      return expr(CONCAT, { a: jsonOperand(l), b: jsonOperand(r) });
    case '-':
      if (!isJsonExpr(l) || constText(r) === undefined || r.TypeCast) return undefined;
      return expr(DELETE_KEY, { a: jsonOperand(l), k: r });
    case '#>':
    case '#>>': {
      const path = textArray(constText(r) ?? '');
      if (!path) return undefined;
      return expr(`${op === '#>' ? 'json_extract' : 'json_extract_string'}(__arg_x, ${sqlString(jsonPath(path))})`, { x: l });
    }
    case '@>':
    case '<@': {
      // Only when one side is JSON text: '{1,2}' is an array literal (array containment, DuckDB's @>).
      if (!isJsonText(constText(r)) && !isJsonText(constText(l))) return undefined;
      const [outer, inner] = op === '@>' ? [l, r] : [r, l];
      return expr('json_contains(CAST(__arg_a AS JSON), CAST(__arg_b AS JSON))', { a: outer, b: inner });
    }
    case '?': {
      const key = constText(r);
      if (key === undefined) return undefined;
      return expr(`list_contains(${KEYS}, __arg_k)`, { x: l, k: lit(key) });
    }
    case '?|':
    case '?&': {
      const keys = textArray(constText(r) ?? '');
      if (!keys) return undefined;
      const arr = `ARRAY[${keys.map(sqlString).join(', ')}]::VARCHAR[]`;
      return expr(`${op === '?|' ? 'list_has_any' : 'list_has_all'}(${KEYS}, ${arr})`, { x: l });
    }
  }
  return undefined;
}

function call(name: string, args: Node[]): Node | undefined {
  if (args.length !== 1) return undefined;
  const x = args[0]!;
  switch (name) {
    case 'json_typeof':
    case 'jsonb_typeof':
      return expr(TYPEOF, { x });
    case 'json_array_length':
    case 'jsonb_array_length':
      return expr('json_array_length(CAST(__arg_x AS JSON))', { x });
    case 'json_object_keys':
    case 'jsonb_object_keys':
      return expr('unnest(json_keys(CAST(__arg_x AS JSON)))', { x });
    case 'json_array_elements':
    case 'jsonb_array_elements':
      return expr("unnest(json_extract(CAST(__arg_x AS JSON), '$[*]'))", { x });
    case 'json_array_elements_text':
    case 'jsonb_array_elements_text':
      return expr("unnest(json_extract_string(CAST(__arg_x AS JSON), '$[*]'))", { x });
  }
  return undefined;
}

/** FROM json_each(x) [AS] e: a subquery with PostgreSQL's two columns. */
function eachInFrom(rf: Node): Node | undefined {
  const items = rf.functions as Node[] | undefined;
  if (!items || items.length !== 1 || rf.ordinality || rf.lateral) return undefined;
  const fc = (items[0]!.List?.items as Node[] | undefined)?.[0]?.FuncCall as Node | undefined;
  if (!fc) return undefined;
  const f = funcName(fc);
  if (!isBuiltin(f)) return undefined;
  const args = (fc.args as Node[] | undefined) ?? [];
  if (args.length !== 1) return undefined;
  const text = f.name === 'json_each_text' || f.name === 'jsonb_each_text';
  const name = f.name;
  const elements = name === 'json_array_elements' || name === 'jsonb_array_elements' || name === 'json_array_elements_text' || name === 'jsonb_array_elements_text';
  if (!text && name !== 'json_each' && name !== 'jsonb_each' && !elements) return undefined;
  let sql: string;
  if (elements) {
    const fn = name.endsWith('_text') ? 'json_extract_string' : 'json_extract';
    sql = `(SELECT unnest(${fn}(CAST(__arg_x AS JSON), '$[*]')) AS value)`;
  } else {
    sql = `(SELECT key, ${text ? "json_extract_string(value, '$')" : 'value'} AS value FROM json_each(CAST(__arg_x AS JSON)))`;
  }
  const sub = expr(sql, { x: args[0]! });
  const alias = rf.alias ?? { aliasname: name };
  return { RangeSubselect: { subquery: sub.SubLink.subselect, alias } };
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind === 'RangeFunction') {
      const out = eachInFrom(p);
      if (out) {
        changed = true;
        // Not visited again: its FROM json_each(...) is DuckDB's.
        return { replace: out, skip: true };
      }
      return;
    }
    if (kind === 'A_Expr' && p.kind === 'AEXPR_OP') {
      const out = operator(p);
      if (out) {
        changed = true;
        return out;
      }
      return;
    }
    if (kind === 'FuncCall' && !p.agg_star && !p.over) {
      const f = funcName(p);
      if (!isBuiltin(f) || !WORDS.has(f.name.toUpperCase())) return;
      const out = call(f.name, (p.args as Node[] | undefined) ?? []);
      if (out) {
        changed = true;
        return out;
      }
    }
  });
  return changed;
}

export const jsonFunctions: RewriteRule = { name: 'json-functions', trigger, apply };
