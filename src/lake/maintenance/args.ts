/** Arguments of the maintenance functions as the extension binds them (types, names, defaults). */
import type { DuckDBConnection } from '@duckdb/node-api';
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { FunctionArgs } from '../functions/index.js';
import { quoteLiteral } from '../types.js';
import { rows } from './common.js';

/** Refuses named parameters the function does not have (DuckDB's binder does the same). */
export function checkNamed(fn: string, args: FunctionArgs, allowed: string[]): void {
  for (const k of args.named.keys()) {
    if (!allowed.includes(k)) throw new PgError(SqlState.syntaxError, `Invalid named parameter "${k}" for function ${fn}`, { hint: allowed.length ? `Candidates: ${allowed.join(', ')}` : undefined });
  }
}

export function boolArg(name: string, v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === null) throw new PgError(SqlState.invalidParameterValue, `The ${name} option must be a non-null boolean.`);
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase();
  // DuckDB's VARCHAR -> BOOLEAN cast.
  if (['true', 't', '1', 'y', 'yes'].includes(s)) return true;
  if (['false', 'f', '0', 'n', 'no'].includes(s)) return false;
  throw new PgError(SqlState.invalidParameterValue, `Could not convert "${String(v)}" to BOOLEAN for ${name}`);
}

export function uintArg(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (v === null) throw new PgError(SqlState.invalidParameterValue, `The ${name} option must be a non-null integer.`);
  const s = String(v).trim();
  if (!/^\+?\d+$/.test(s)) throw new PgError(SqlState.invalidParameterValue, `Could not convert "${s}" to UBIGINT for ${name}`);
  return Number(s);
}

export function doubleArg(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = v === null ? NaN : Number(v);
  if (!Number.isFinite(n)) throw new PgError(SqlState.invalidParameterValue, `Could not convert "${String(v)}" to DOUBLE for ${name}`);
  return n;
}

export function stringArg(name: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (v === null) throw new PgError(SqlState.invalidParameterValue, `The ${name} option must not be NULL.`);
  return String(v);
}

/** `versions => [1, 2, 3]` (a list constant arrives as its text). */
export function versionsArg(v: unknown): number[] | undefined {
  if (v === undefined) return undefined;
  if (v === null) return [];
  if (Array.isArray(v)) return v.map((x) => Number(x));
  if (typeof v === 'number' || typeof v === 'bigint') return [Number(v)];
  const text = String(v).trim();
  const body = text.replace(/^\[/, '').replace(/\]$/, '').trim();
  if (body === '') return [];
  const out = body.split(',').map((p) => p.trim());
  if (out.some((p) => !/^\+?\d+$/.test(p))) throw new PgError(SqlState.invalidParameterValue, `Could not convert "${text}" to UBIGINT[] for versions`);
  return out.map(Number);
}

/** A point in time as catalog SQL compares it (text with offset) and as epoch milliseconds. */
export interface Instant {
  text: string;
  ms: number;
}

/** A TIMESTAMPTZ argument (any text DuckDB casts, in the connection's time zone). */
export async function instantArg(conn: DuckDBConnection, name: string, v: unknown): Promise<Instant | undefined> {
  if (v === undefined) return undefined;
  if (v === null) throw new PgError(SqlState.invalidParameterValue, `The ${name} option must not be NULL.`);
  const lit = quoteLiteral(String(v));
  try {
    const [text, ms] = (await rows(conn, `SELECT CAST(CAST(${lit} AS TIMESTAMPTZ) AS VARCHAR), epoch_ms(CAST(${lit} AS TIMESTAMPTZ))`))[0]!;
    return { text: String(text), ms: Number(ms) };
  } catch {
    throw new PgError(SqlState.invalidDatetimeFormat, `Could not convert "${String(v)}" to TIMESTAMP WITH TIME ZONE for ${name}`);
  }
}

/** Now minus an interval option ('2 days', '1 week'...). */
export async function instantBefore(conn: DuckDBConnection, interval: string): Promise<Instant> {
  const lit = quoteLiteral(interval);
  try {
    const [text, ms] = (await rows(conn, `SELECT CAST(get_current_timestamp() - CAST(${lit} AS INTERVAL) AS VARCHAR), epoch_ms(get_current_timestamp() - CAST(${lit} AS INTERVAL))`))[0]!;
    return { text: String(text), ms: Number(ms) };
  } catch {
    throw new PgError(SqlState.invalidParameterValue, `Failed to parse interval: '${interval}'`);
  }
}
