import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { wireComparison } from './rewrite-compare.js';
import { pgBool } from '../../src/pgcompat/rewrite/bool-literals.js';

const env = wireComparison();

describe('rewrite: bool-literals', () => {
  it("reads boolean text as PostgreSQL's parse_bool does", () => {
    expect(['on', 'OFF', ' tr ', 'fal', 'ye', 'n', 'o', 'x', '1', ''].map(pgBool)).toEqual([true, false, true, false, true, false, undefined, undefined, true, undefined]);
    expect(out("SELECT 'on'::boolean, CAST('off' AS bool)")).toBe('SELECT true, false');
    expect(rewrite("SELECT 'true'::boolean, 't'::bool, 'yes'::boolean").changed).toBe(false);
  });

  it('gives what PostgreSQL gives', async () => {
    expect(
      await env.mismatches([
        "SELECT 'on'::boolean, 'off'::boolean, 'ON'::bool, ' off '::bool, 'tr'::bool, 'fa'::bool, 'ye'::boolean, 'no'::boolean",
        "SELECT 't'::bool, 'yes'::bool, '0'::bool, 'true'::bool",
        "SELECT 'o'::boolean",
        "SELECT 'maybe'::boolean",
      ]),
    ).toEqual([]);
  });
});
