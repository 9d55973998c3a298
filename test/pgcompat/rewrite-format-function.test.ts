import { describe, expect, it } from 'vitest';
import { rewrite } from './context.js';
import { wireComparison } from './rewrite-compare.js';
import { parseFormat } from '../../src/pgcompat/rewrite/format-function.js';

const env = wireComparison();

describe('rewrite: format-function', () => {
  it('reads specifiers, positions and widths', () => {
    expect(parseFormat('%I.%L %1$s|%-5s|%%')).toEqual([
      { arg: 0, kind: 'I', left: false },
      { lit: '.' },
      { arg: 1, kind: 'L', left: false },
      { lit: ' ' },
      { arg: 0, kind: 's', left: false },
      { lit: '|' },
      { arg: 1, kind: 's', left: true, width: 5 },
      { lit: '|%' },
    ]);
    expect(parseFormat('%x')).toEqual({ code: '22023', error: 'unrecognized format() type specifier "x"' });
  });

  it('leaves %s-only formats to the functions module', () => {
    expect(rewrite("SELECT format('%s-%s', a, b) FROM t").rules).toEqual(['functions']);
    // DuckDB's own format with {} placeholders is left to DuckDB.
    expect(rewrite("SELECT format('{}: 10%', a) FROM t").changed).toBe(false);
  });

  it('gives what PostgreSQL gives', async () => {
    expect(
      await env.mismatches([
        "SELECT format('%I.%L', 'My Table', 'it''s')",
        "SELECT format('%I', 'abc'), format('%I', 'a_1$'), format('%I', 'Abc'), format('%I', 'a\"b'), format('%L', NULL::text), format('%L', 42)",
        "SELECT format('%1$s %1$s', 'x'), format('%2$s, %1$s', 'a', 'b'), format('%s %s %1$s', 'a', 'b')",
        "SELECT format('|%10s|%-10s|%3s|', 'right', 'left', 'toolong'), format('|%5L|', 'x')",
        "SELECT format('INSERT INTO %I VALUES (%L, %L, %s)', 't', 'x', NULL::text, NULL::text)",
        "SELECT format('%I', NULL::text)",
        "SELECT format('%s %s %I', 'a', 'b')",
        "SELECT format('%q', 'a')",
        "SELECT format('100%% %I', 'x')",
      ]),
    ).toEqual([]);
  });
});
