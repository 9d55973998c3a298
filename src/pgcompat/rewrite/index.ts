/**
 * PostgreSQL SQL → SQL that DuckDB runs with PostgreSQL's meaning. One module per rewrite (see
 * docs/COMPATIBILITY.md); this file runs them:
 *
 *  1. every rule looks at the statement's tokens (cheap); when none fires, the client's text is
 *     used as it is, unparsed;
 *  2. otherwise the text is parsed with PostgreSQL's grammar (cached by text). Text PostgreSQL
 *     cannot parse is DuckDB's dialect and passes through untouched;
 *  3. the rules that fired edit a copy of the tree; when none changed anything the client's text
 *     is used (never a re-deparsed copy of it);
 *  4. otherwise the tree is written out with pgsql-deparser. The result is cached by text
 *     together with the session values it used, and reused while they hold.
 */
import { deparseSync } from 'pgsql-deparser';
import type { Token } from '../../sql/lexer.js';
import type { PgCompatContext } from '../context.js';
import { clone, type Node } from '../ast.js';
import { Lru, MAX_CACHED_TEXT, parsePostgres } from '../parse-cache.js';
import { dependencyValue, RuleContext, type Dependency, type RewriteRule } from './rule.js';
import { sessionValues } from './session-values.js';
import { systemColumns } from './system-columns.js';
import { catalogNames } from './catalog-names.js';
import { regTypes } from './reg-types.js';
import { regexOperators } from './regex-operators.js';
import { likeEscape } from './like-escape.js';
import { collate } from './collate.js';
import { rowLocks } from './row-locks.js';
import { escapeStrings } from './escape-strings.js';
import { arrayLiterals } from './array-literals.js';
import { arrayConcat } from './array-concat.js';
import { setFunctions } from './set-functions.js';
import { insertDefaults } from './insert-defaults.js';
import { typeNames } from './type-names.js';
import { duckdbKeywords, restoreQuotedIdentifiers } from './duckdb-keywords.js';
import { functions } from './functions.js';
import { anyParameter } from './any-parameter.js';
import { integerDivision } from './integer-division.js';
import { divisionByZero } from './division-by-zero.js';
import { prepareTypes } from './prepare-types.js';
import { serialColumns } from './serial-columns.js';
import { toChar } from './to-char.js';
import { datetimeLiterals } from './datetime-literals.js';
import { datetimeFunctions } from './datetime-functions.js';
import { stringFunctions } from './string-functions.js';
import { regexpFunctions } from './regexp-functions.js';
import { formatFunction } from './format-function.js';
import { similarTo } from './similar-to.js';
import { boolLiterals } from './bool-literals.js';
import { jsonAggregates } from './json-aggregates.js';
import { betweenSymmetric } from './between-symmetric.js';
import { jsonFunctions } from './json-functions.js';
import { numericFunctions } from './numeric-functions.js';
import { multiUnnest } from './multi-unnest.js';
import { timePrecision } from './time-precision.js';
import { likeAny } from './like-any.js';
import { arrayFunctions } from './array-functions.js';

/** In the order they run: session values before catalog functions (pg_is_in_recovery is both). */
export const RULES: readonly RewriteRule[] = [
  serialColumns,
  sessionValues,
  systemColumns,
  catalogNames,
  regTypes,
  regexpFunctions,
  regexOperators,
  likeAny,
  likeEscape,
  collate,
  rowLocks,
  escapeStrings,
  jsonFunctions,
  arrayLiterals,
  arrayConcat,
  anyParameter,
  multiUnnest,
  setFunctions,
  insertDefaults,
  toChar,
  datetimeLiterals,
  timePrecision,
  datetimeFunctions,
  stringFunctions,
  formatFunction,
  similarTo,
  boolLiterals,
  betweenSymmetric,
  jsonAggregates,
  numericFunctions,
  arrayFunctions,
  functions,
  integerDivision,
  divisionByZero,
  prepareTypes,
  duckdbKeywords,
  typeNames,
];

export interface PgRewrite {
  /** The statement for DuckDB: the client's text itself when nothing was rewritten. */
  text: string;
  changed: boolean;
  /** Rules that changed the statement. */
  rules: string[];
  /**
   * The text embeds values that can change without the lake changing (settings, search_path,
   * txid_current()): a prepared statement must be rewritten again for each execution.
   */
  volatile: boolean;
  /** Emulated catalog relations the statement reads (registry.emulatedRelationName names). */
  catalogRelations: string[];
}

interface CachedRewrite {
  deps: { dep: Dependency; value: string }[];
  result: PgRewrite;
}

const results = new Lru<string, CachedRewrite[]>(2000, 4_000_000);
const VARIANTS = 4;

/** Counters for the report and the benchmark (milliseconds are totals). */
export const rewriteStats = { statements: 0, triggered: 0, parsed: 0, rewritten: 0, cacheHits: 0, applyMs: 0, deparseMs: 0 };

const unchanged = (text: string): PgRewrite => ({ text, changed: false, rules: [], volatile: false, catalogRelations: [] });

export function rewritePostgres(text: string, tokens: readonly Token[], ctx: PgCompatContext): PgRewrite {
  rewriteStats.statements++;
  const rc = new RuleContext(ctx, tokens, text);
  const fired = RULES.filter((r) => r.trigger(tokens, rc));
  if (fired.length === 0) return unchanged(text);
  rewriteStats.triggered++;
  const variants = text.length <= MAX_CACHED_TEXT ? results.get(text) : undefined;
  if (variants) {
    for (const v of variants) {
      if (v.deps.every((d) => dependencyValue(ctx, d.dep) === d.value)) {
        rewriteStats.cacheHits++;
        return v.result;
      }
    }
  }
  const tree = parsePostgres(text);
  if (!tree) return remember(text, rc, unchanged(text));
  rewriteStats.parsed++;
  const t0 = performance.now();
  const copy: Node = clone(tree);
  const rules: string[] = [];
  for (const rule of fired) if (rule.apply(copy, rc)) rules.push(rule.name);
  if (rules.length > 0 && !fired.includes(typeNames)) typeNames.apply(copy, rc);
  const t1 = performance.now();
  rewriteStats.applyMs += t1 - t0;
  if (rules.length === 0) return remember(text, rc, unchanged(text));
  let out: string;
  try {
    out = deparseSync({ version: 0, stmts: [{ stmt: copy }] } as never, { pretty: false });
  } catch {
    // A construct the deparser cannot write: DuckDB gets the client's text (and reports what it cannot run).
    return remember(text, rc, unchanged(text));
  }
  rewriteStats.deparseMs += performance.now() - t1;
  rewriteStats.rewritten++;
  out = restoreQuotedIdentifiers(out);
  return remember(text, rc, { text: out.replace(/;\s*$/, ''), changed: true, rules, volatile: rc.volatile, catalogRelations: [...rc.catalogRelations] });
}

function remember(text: string, rc: RuleContext, result: PgRewrite): PgRewrite {
  if (rc.uncacheable || text.length > MAX_CACHED_TEXT) return result;
  const list = results.get(text) ?? [];
  list.unshift({ deps: [...rc.deps.values()], result });
  if (list.length > VARIANTS) list.length = VARIANTS;
  results.set(text, list, text.length + list.reduce((n, v) => n + v.result.text.length, 0));
  return result;
}

export function clearRewriteCache(): void {
  results.clear();
}
