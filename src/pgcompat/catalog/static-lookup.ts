/**
 * Lookups in the static PostgreSQL 16 catalog rows (pg16-data.ts) that lakegres needs outside
 * DuckDB: built-in types by name and OID, functions' result types, and regproc's output
 * (regprocout: the function's name, schema-qualified when the name alone is not unique).
 * Tables are indexed once, on first use.
 */
import { STATIC_TABLES } from './pg16-data.js';

export interface StaticType {
  oid: number;
  typname: string;
  typlen: number;
  /** The array type of this type (0 if none). */
  typarray: number;
  /** The element type of an array or vector type (0 if none). */
  typelem: number;
  typtype: string;
}

interface StaticProc {
  oid: number;
  proname: string;
  nargs: number;
  rettype: number;
  retset: boolean;
  variadic: number;
}

interface Index {
  typesByOid: Map<number, StaticType>;
  typesByName: Map<string, StaticType>;
  procsByName: Map<string, StaticProc[]>;
  procNames: Map<number, string>;
  keywords: Map<string, string>;
}

let index: Index | undefined;

function table(name: string): { col: (row: unknown[], c: string) => unknown; rows: unknown[][] } {
  const t = STATIC_TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`no static catalog table ${name}`);
  const pos = new Map(t.columns.map(([n], i) => [n, i]));
  return {
    rows: t.rows,
    col: (row, c) => {
      const i = pos.get(c);
      if (i === undefined) throw new Error(`no column ${c} in static ${name}`);
      return row[i];
    },
  };
}

function build(): Index {
  const typesByOid = new Map<number, StaticType>();
  const typesByName = new Map<string, StaticType>();
  const ty = table('pg_type');
  for (const r of ty.rows) {
    const t: StaticType = {
      oid: Number(ty.col(r, 'oid')),
      typname: String(ty.col(r, 'typname')),
      typlen: Number(ty.col(r, 'typlen')),
      typarray: Number(ty.col(r, 'typarray') ?? 0),
      typelem: Number(ty.col(r, 'typelem') ?? 0),
      typtype: String(ty.col(r, 'typtype')),
    };
    typesByOid.set(t.oid, t);
    if (Number(ty.col(r, 'typnamespace')) === 11) typesByName.set(t.typname, t);
  }
  const procsByName = new Map<string, StaticProc[]>();
  const procNames = new Map<number, string>();
  const pr = table('pg_proc');
  for (const r of pr.rows) {
    const argtypes = pr.col(r, 'proargtypes');
    const p: StaticProc = {
      oid: Number(pr.col(r, 'oid')),
      proname: String(pr.col(r, 'proname')),
      nargs: Array.isArray(argtypes) ? argtypes.length : Number(pr.col(r, 'pronargs') ?? 0),
      rettype: Number(pr.col(r, 'prorettype')),
      retset: pr.col(r, 'proretset') === true,
      variadic: Number(pr.col(r, 'provariadic') ?? 0),
    };
    procNames.set(p.oid, p.proname);
    const list = procsByName.get(p.proname);
    if (list) list.push(p);
    else procsByName.set(p.proname, [p]);
  }
  const keywords = new Map<string, string>();
  const kw = table('keywords');
  for (const r of kw.rows) keywords.set(String(kw.col(r, 'word')), String(kw.col(r, 'catcode')));
  return { typesByOid, typesByName, procsByName, procNames, keywords };
}

const idx = (): Index => (index ??= build());

/** A built-in type (pg_catalog) by its pg_type.typname (`int4`, `_oid`, `char`). */
export function staticTypeByName(typname: string): StaticType | undefined {
  return idx().typesByName.get(typname);
}

export function staticTypeByOid(oid: number): StaticType | undefined {
  return idx().typesByOid.get(oid);
}

/** Pseudo-types (anyelement, anyarray, record, ...): a function returning one has no fixed result type. */
const isPseudo = (oid: number) => idx().typesByOid.get(oid)?.typtype === 'p';

/**
 * The result type of a call of the built-in function `name` with `nargs` arguments when every
 * candidate agrees on one concrete type (polymorphic and overloaded-by-result functions give
 * undefined); `set` tells whether it returns a set.
 */
export function staticFunctionResult(name: string, nargs: number): { type: number; set: boolean } | undefined {
  const candidates = (idx().procsByName.get(name) ?? []).filter((p) => p.nargs === nargs || (p.variadic !== 0 && nargs >= p.nargs - 1));
  if (candidates.length === 0) return undefined;
  const first = candidates[0]!;
  if (isPseudo(first.rettype)) return undefined;
  for (const p of candidates) if (p.rettype !== first.rettype || p.retset !== first.retset) return undefined;
  return { type: first.rettype, set: first.retset };
}

/** quote_ident: quoted unless a plain lower-case identifier that is not a reserved word. */
export function quoteIdentifier(name: string): string {
  const plain = /^[a-z_][a-z0-9_$]*$/.test(name);
  const cat = idx().keywords.get(name);
  if (plain && (cat === undefined || cat === 'U')) return name;
  return '"' + name.replace(/"/g, '""') + '"';
}

/**
 * regprocout: `-` for 0, the function's name when it alone finds the function (built-in names
 * are looked up in pg_catalog, which every search_path includes), `pg_catalog.name` when the
 * name is overloaded, the number for an OID that is no function.
 */
export function regprocText(oid: number): string {
  if (oid === 0) return '-';
  const name = idx().procNames.get(oid);
  if (name === undefined) return String(oid);
  const unique = (idx().procsByName.get(name)?.length ?? 0) === 1;
  return unique ? quoteIdentifier(name) : `pg_catalog.${quoteIdentifier(name)}`;
}
