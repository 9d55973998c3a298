/** A PgCompatContext for unit tests of the rewrites: fixed session values, a small lake. */
import { loadModule } from 'pgsql-parser';
import type { PgCompatContext } from '../../src/pgcompat/context.js';
import { tokenize } from '../../src/sql/lexer.js';
import { rewritePostgres, type PgRewrite } from '../../src/pgcompat/rewrite/index.js';

export const ready = loadModule();

export function testContext(over: Partial<PgCompatContext> & { tables?: Record<string, string[]>; settings?: Record<string, string>; path?: string[] } = {}): PgCompatContext {
  const tables = over.tables ?? { 'public.t': ['a', 'b', 'c'], 'public.pg_views': ['x'] };
  const settings = over.settings ?? { TimeZone: 'UTC', server_version_num: '160014', search_path: '"$user", public', DateStyle: 'ISO, MDY' };
  let txid = 1000;
  return {
    readDb: 'lake',
    database: 'lake',
    user: 'alice',
    pid: 4242,
    searchPath: () => over.path ?? ['public'],
    setting: (n) => Object.entries(settings).find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1],
    settingNames: () => Object.keys(settings),
    txid: () => ++txid,
    serverAddress: { address: '127.0.0.1', port: 5332 },
    clientAddress: { address: '127.0.0.1', port: 40000 },
    hasUserRelation: (name) => Object.keys(tables).some((k) => k.split('.')[1] === name.toLowerCase()),
    tableColumns: (schema, name) => tables[`${schema === undefined || schema === 'main' ? 'public' : schema}.${name.toLowerCase()}`],
    ...over,
  };
}

export function rewrite(sql: string, ctx = testContext()): PgRewrite {
  return rewritePostgres(sql, tokenize(sql), ctx);
}

/** The rewritten text (or the original when nothing changed). */
export function out(sql: string, ctx = testContext()): string {
  return rewrite(sql, ctx).text;
}
