/**
 * The rewriter's view of a lake session (PgCompatContext) and the lake tables result columns
 * come from (OriginContext), built from LakeSession and the session's settings.
 */
import type { LakeSession } from '../lake/lake-session.js';
import type { SessionSettings } from '../session/settings.js';
import { displayValue } from '../session/settings.js';
import type { PgCompatContext } from './context.js';
import type { OriginContext } from './column-origins.js';
import { lakeObjectOid } from './oids.js';

export interface SessionFacts {
  readonly user: string;
  readonly pid: number;
  readonly clientAddress: string;
  readonly settings: SessionSettings;
}

/** search_path as written (`"$user", public`) → its entries, unquoted, `$user` resolved. */
export function searchPathEntries(value: string, user: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s.toLowerCase()))
    .map((s) => (s === '$user' ? user : s));
}

/** The schemas of search_path that exist, by their PostgreSQL names (main is public). */
export function existingSearchPath(lake: LakeSession, settings: SessionSettings, user: string): string[] {
  const out: string[] = [];
  for (const s of searchPathEntries(settings.get('search_path') ?? '', user)) {
    if (s === 'pg_catalog') out.push(s);
    else if (s === 'public' ? lake.schemaByName('main') : s !== 'main' && lake.schemaByName(s)) out.push(s);
  }
  return out;
}

const duckSchema = (s: string) => (s === 'public' ? 'main' : s);

function lakeTable(lake: LakeSession, path: () => string[], schema: string | undefined, name: string) {
  const schemas = schema !== undefined ? [schema] : path().filter((s) => s !== 'pg_catalog');
  for (const s of schemas) {
    const t = lake.findTable({ schema: duckSchema(s), name, start: 0, end: 0 }, 'main');
    if (t) return t;
  }
  return undefined;
}

export function pgCompatContext(lake: LakeSession, facts: SessionFacts, txid: () => number): PgCompatContext {
  let path: string[] | undefined;
  const searchPath = () => (path ??= existingSearchPath(lake, facts.settings, facts.user));
  const listen = facts.settings.get('listen_addresses') ?? '';
  const port = Number(facts.settings.get('port') ?? '0');
  const concrete = /^[0-9a-f.:]+$/i.test(listen) && listen !== '0.0.0.0' && listen !== '::';
  return {
    readDb: lake.readDbName,
    database: lake.name,
    user: facts.user,
    pid: facts.pid,
    searchPath,
    setting: (name) => {
      const v = facts.settings.get(name);
      return v === undefined ? undefined : displayValue(name, v);
    },
    settingNames: () => facts.settings.entries().map(([k]) => k),
    txid,
    serverAddress: { address: concrete ? listen : '127.0.0.1', port },
    clientAddress: facts.clientAddress && facts.clientAddress !== 'unknown' ? { address: facts.clientAddress, port: 0 } : null,
    hasUserRelation: (name) => {
      const schemas = new Set(searchPath().map(duckSchema));
      const lname = name.toLowerCase();
      const state = lake.state;
      const inPath = (schemaId: number) => {
        const s = state.schemas.get(schemaId);
        return s !== undefined && schemas.has(s.name.toLowerCase());
      };
      for (const t of state.tables.values()) if (t.name.toLowerCase() === lname && inPath(t.schemaId)) return true;
      for (const v of state.views.values()) if (v.name.toLowerCase() === lname && inPath(v.schemaId)) return true;
      return false;
    },
    tableColumns: (schema, name) => lakeTable(lake, searchPath, schema, name)?.columns.map((c) => c.name),
  };
}

/** Lake tables by name, for RowDescription's table OID and column numbers. */
export function originContext(lake: LakeSession, facts: SessionFacts): OriginContext {
  let path: string[] | undefined;
  const searchPath = () => (path ??= existingSearchPath(lake, facts.settings, facts.user));
  return {
    table(catalog, schema, name) {
      // Another database (lake) than the session's: not known here.
      if (catalog !== undefined && catalog.toLowerCase() !== lake.name.toLowerCase() && catalog !== lake.readDbName) return undefined;
      if (schema === 'pg_catalog' || schema === 'information_schema') return undefined;
      const t = lakeTable(lake, searchPath, schema, name);
      return t ? { oid: lakeObjectOid(t.id), columns: t.columns.map((c) => c.name) } : undefined;
    },
  };
}
