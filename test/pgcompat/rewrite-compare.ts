/**
 * For the rewrite tests that compare whole results with PostgreSQL over the wire: a lakegres
 * server and a client of the reference PostgreSQL, both in the same time zone, and a function
 * that runs each statement on both and lists the ones whose rows (as text) or errors differ.
 */
import { afterAll, beforeAll } from 'vitest';
import type pg from 'pg';
import { ready } from './context.js';
import { referenceClient, startServer, type TestServer } from '../helpers/server.js';

export interface WireComparison {
  lake: pg.Client;
  ref: pg.Client;
  /** Statements whose result differs, each with both results. */
  mismatches(statements: string[]): Promise<string[]>;
  /** The result as text rows, or `ERROR <sqlstate>`. */
  run(c: pg.Client, sql: string): Promise<string>;
}

const asText = { getTypeParser: () => (v: string) => v };

export function wireComparison(): WireComparison {
  let srv: TestServer;
  const env = {} as WireComparison;
  beforeAll(async () => {
    await ready;
    srv = await startServer();
    env.lake = await srv.client();
    env.ref = await referenceClient();
    for (const c of [env.lake, env.ref]) await c.query("SET TimeZone = 'UTC'");
  });
  afterAll(async () => {
    await env.ref?.end();
    await srv?.stop();
  });
  env.run = async (c, sql) => {
    try {
      const r = await c.query({ text: sql, types: asText, rowMode: 'array' });
      return JSON.stringify(r.rows);
    } catch (e) {
      return `ERROR ${(e as { code?: string }).code}`;
    }
  };
  env.mismatches = async (statements) => {
    const bad: string[] = [];
    for (const sql of statements) {
      const [a, b] = [await env.run(env.ref, sql), await env.run(env.lake, sql)];
      if (a !== b) bad.push(`${sql}\n  PostgreSQL: ${a}\n  lakegres:   ${b}`);
    }
    return bad;
  };
  return env;
}
