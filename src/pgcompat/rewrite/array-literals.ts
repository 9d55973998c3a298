/**
 * PostgreSQL array literals in text form, which DuckDB cannot cast ('{a,b}'::text[] fails there):
 *
 *   '{a,b}'::text[]            → CAST(ARRAY['a', 'b'] AS text[])
 *   '{{1,2},{3,4}}'::int[][]   → CAST(ARRAY[ARRAY['1', '2'], ARRAY['3', '4']] AS int[][])
 *   '{}'::oid[]                → CAST(ARRAY[] AS oid[])
 *   x = ANY('{r,v}')           → x = ANY(ARRAY['r', 'v'])   (numbers stay numbers: ANY('{1,2}') → ARRAY[1, 2])
 *
 * The text is read with PostgreSQL's array input rules (quotes, backslash escapes, NULL,
 * whitespace, nesting). `ARRAY[...]`, `ANY(ARRAY[...])` and `= ANY($1)` with an array parameter
 * work in DuckDB as they are. Text that is not a valid array literal is left alone (DuckDB
 * reports the conversion error).
 */
import type { Token } from '../../sql/lexer.js';
import { aConst, arrayExpr, stringConst, walk, type Node } from '../ast.js';
import type { RewriteRule } from './rule.js';

type Elem = string | null | Elem[];

/** PostgreSQL's array_in for the text of an array (without dimension decorations); undefined if malformed. */
export function parseArrayText(text: string): Elem[] | undefined {
  let i = 0;
  const s = text;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const parseArray = (): Elem[] | undefined => {
    if (s[i] !== '{') return undefined;
    i++;
    const out: Elem[] = [];
    ws();
    if (s[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      ws();
      if (s[i] === '{') {
        const sub = parseArray();
        if (!sub) return undefined;
        out.push(sub);
      } else if (s[i] === '"') {
        i++;
        let v = '';
        for (;;) {
          if (i >= s.length) return undefined;
          const c = s[i]!;
          if (c === '\\') {
            v += s[i + 1] ?? '';
            i += 2;
            continue;
          }
          if (c === '"') {
            i++;
            break;
          }
          v += c;
          i++;
        }
        out.push(v);
      } else {
        let v = '';
        let quotedPart = false;
        while (i < s.length && s[i] !== ',' && s[i] !== '}') {
          if (s[i] === '\\') {
            v += s[i + 1] ?? '';
            i += 2;
            quotedPart = true;
            continue;
          }
          if (s[i] === '{' || s[i] === '"') return undefined;
          v += s[i++];
        }
        v = v.replace(/\s+$/, '');
        if (v === '') return undefined;
        out.push(!quotedPart && v.toUpperCase() === 'NULL' ? null : v);
      }
      ws();
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (s[i] === '}') {
        i++;
        return out;
      }
      return undefined;
    }
  };
  ws();
  // Optional dimension decoration: '[1:2]={a,b}'.
  if (s[i] === '[') {
    const eq = s.indexOf('=', i);
    if (eq < 0) return undefined;
    i = eq + 1;
    ws();
  }
  const arr = parseArray();
  ws();
  return arr && i === s.length ? arr : undefined;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function allNumbers(a: Elem[]): boolean {
  return a.every((e) => e === null || (Array.isArray(e) ? allNumbers(e) : NUMBER.test(e)));
}

function toNode(a: Elem[], numbers: boolean): Node {
  return arrayExpr(
    a.map((e) => {
      if (e === null) return aConst(null);
      if (Array.isArray(e)) return toNode(e, numbers);
      if (numbers) return /^[+-]?\d+$/.test(e) && Math.abs(Number(e)) <= 2147483647 ? aConst(Number(e)) : { A_Const: { fval: { fval: e } } };
      return aConst(e);
    }),
  );
}

function trigger(tokens: readonly Token[]): boolean {
  for (const t of tokens) if (t.kind === 'string' && /^'\s*(\[[^\]]*\]\s*=\s*)?\{/.test(t.value)) return true;
  return false;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind === 'TypeCast' && p.typeName?.arrayBounds) {
      const s = stringConst(p.arg);
      const arr = s === undefined ? undefined : parseArrayText(s);
      if (!arr) return;
      p.arg = toNode(arr, false);
      changed = true;
      return;
    }
    if (kind === 'A_Expr' && (p.kind === 'AEXPR_OP_ANY' || p.kind === 'AEXPR_OP_ALL')) {
      const s = stringConst(p.rexpr);
      const arr = s === undefined ? undefined : parseArrayText(s);
      if (!arr) return;
      p.rexpr = toNode(arr, allNumbers(arr));
      changed = true;
    }
  });
  return changed;
}

export const arrayLiterals: RewriteRule = { name: 'array-literals', trigger, apply };
