/**
 * Session values the emulated catalog reads (pg_roles, pg_database, pg_settings,
 * pg_stat_activity, pg_table_is_visible, ...). They live in DuckDB variables, which are per
 * connection: `SET VARIABLE name = value`, read by the emulation views with getvariable().
 *
 *   lakegres_pg_session   STRUCT: user, pid, database, backend start, client address, superuser,
 *                         the server's databases (set when the session starts)
 *   lakegres_pg_settings  LIST of STRUCTs: the session's settings (set again when they change)
 *   lakegres_pg_activity  LIST of STRUCTs: the server's sessions (set by refreshActivity, before
 *                         a statement that reads pg_stat_activity / pg_stat_database)
 *
 * DuckDB binds getvariable() when a statement is prepared: a prepared statement keeps the
 * values of its Parse.
 */
import type { Session } from '../session/session.js';
import { settingDef } from '../session/settings.js';
import { quoteLiteral } from '../lake/types.js';

export const SESSION_VARIABLE = 'lakegres_pg_session';
export const SETTINGS_VARIABLE = 'lakegres_pg_settings';
export const ACTIVITY_VARIABLE = 'lakegres_pg_activity';

/** DuckDB types the emulation views cast the variables to (a variable never set reads as NULL). */
export const SESSION_TYPE = 'STRUCT("user" VARCHAR, pid INTEGER, "database" VARCHAR, backend_start TIMESTAMPTZ, client_addr VARCHAR, superuser BOOLEAN, databases STRUCT(oid UINTEGER, "name" VARCHAR)[])';
export const SETTINGS_TYPE = 'STRUCT("name" VARCHAR, setting VARCHAR, reset_val VARCHAR, "source" VARCHAR, unit VARCHAR, short_desc VARCHAR, category VARCHAR)[]';
export const ACTIVITY_TYPE =
  'STRUCT(pid INTEGER, datname VARCHAR, usename VARCHAR, application_name VARCHAR, client_addr VARCHAR, backend_start TIMESTAMPTZ, xact_start TIMESTAMPTZ, query_start TIMESTAMPTZ, state_change TIMESTAMPTZ, state VARCHAR, query VARCHAR)[]';

/** The role every session user appears as (PostgreSQL's bootstrap superuser has OID 10). */
export const SESSION_ROLE_OID = 10;

/** OID of the index-th database (lake) of the server in pg_database. */
export function databaseOid(index: number): number {
  return 5 + index;
}

export interface SessionInfo {
  user: string;
  pid: number;
  database: string;
  backendStart: Date;
  clientAddr: string | null;
  superuser: boolean;
  /** The server's databases, in configuration order. */
  databases: readonly string[];
}

export interface SettingRow {
  name: string;
  setting: string;
  resetVal: string;
  source: 'default' | 'session' | 'client';
  unit: string | null;
  shortDesc: string | null;
  category: string | null;
}

export interface ActivityRow {
  pid: number;
  datname: string;
  usename: string;
  applicationName: string;
  clientAddr: string | null;
  backendStart: Date;
  xactStart: Date | null;
  queryStart: Date | null;
  stateChange: Date | null;
  state: string;
  query: string;
}

const str = (v: string | null | undefined) => (v === null || v === undefined ? 'NULL' : quoteLiteral(v));
const ts = (d: Date | null | undefined) => (d ? `TIMESTAMPTZ ${quoteLiteral(d.toISOString())}` : 'NULL');
const list = (items: string[], type: string) => (items.length === 0 ? `CAST([] AS ${type})` : `CAST([${items.join(', ')}] AS ${type})`);

export function sessionVariableSql(s: SessionInfo): string {
  const dbs = s.databases.map((name, i) => `{'oid': ${databaseOid(i)}, 'name': ${str(name)}}`);
  return `SET VARIABLE ${SESSION_VARIABLE} = CAST({'user': ${str(s.user)}, 'pid': ${s.pid}, 'database': ${str(s.database)}, 'backend_start': ${ts(s.backendStart)}, 'client_addr': ${str(s.clientAddr)}, 'superuser': ${s.superuser}, 'databases': ${list(dbs, 'STRUCT(oid UINTEGER, "name" VARCHAR)[]')}} AS ${SESSION_TYPE})`;
}

export function settingsVariableSql(rows: readonly SettingRow[]): string {
  const items = rows.map(
    (r) => `{'name': ${str(r.name)}, 'setting': ${str(r.setting)}, 'reset_val': ${str(r.resetVal)}, 'source': ${str(r.source)}, 'unit': ${str(r.unit)}, 'short_desc': ${str(r.shortDesc)}, 'category': ${str(r.category)}}`,
  );
  return `SET VARIABLE ${SETTINGS_VARIABLE} = ${list(items, SETTINGS_TYPE)}`;
}

export function activityVariableSql(rows: readonly ActivityRow[]): string {
  const items = rows.map(
    (r) =>
      `{'pid': ${r.pid}, 'datname': ${str(r.datname)}, 'usename': ${str(r.usename)}, 'application_name': ${str(r.applicationName)}, 'client_addr': ${str(r.clientAddr)}, 'backend_start': ${ts(r.backendStart)}, 'xact_start': ${ts(r.xactStart)}, 'query_start': ${ts(r.queryStart)}, 'state_change': ${ts(r.stateChange)}, 'state': ${str(r.state)}, 'query': ${str(r.query)}}`,
  );
  return `SET VARIABLE ${ACTIVITY_VARIABLE} = ${list(items, ACTIVITY_TYPE)}`;
}

// ---------------------------------------------------------------- from the session's state

const MEMORY_UNITS: Record<string, number> = { kb: 1, mb: 1024, gb: 1024 * 1024, tb: 1024 * 1024 * 1024 };

/** A setting's value as pg_settings.setting shows it (memory in kB, like PostgreSQL's unit). */
function pgSettingValue(name: string, value: string, unit: string | null): string {
  if (unit === 'kB') {
    const m = /^\s*(\d+)\s*(kB|MB|GB|TB)?\s*$/i.exec(value);
    if (m) return String(Number(m[1]) * (MEMORY_UNITS[(m[2] ?? 'kB').toLowerCase()] ?? 1));
  }
  return value;
}

export function settingRows(session: Session): SettingRow[] {
  const out: SettingRow[] = [];
  for (const [name, value] of session.settings.entries()) {
    const def = settingDef(name);
    const unit = def?.unit ?? null;
    const reset = session.settings.resetValue(name) ?? value;
    out.push({
      name,
      setting: pgSettingValue(name, value, unit),
      resetVal: pgSettingValue(name, reset, unit),
      source: value === reset ? 'default' : 'session',
      unit,
      shortDesc: def?.description ?? null,
      category: def?.category === 'lakegres' ? 'Customized Options' : null,
    });
  }
  return out;
}

export function sessionInfo(session: Session): SessionInfo {
  return {
    user: session.id.user,
    pid: session.id.pid,
    database: session.id.database,
    backendStart: session.startedAt,
    clientAddr: session.id.clientAddress && session.id.clientAddress !== 'unknown' ? session.id.clientAddress : null,
    superuser: session.settings.get('is_superuser') === 'on',
    databases: session.allLakes(),
  };
}

export function activityRow(s: Session): ActivityRow {
  const active = s.state === 'active';
  return {
    pid: s.id.pid,
    datname: s.id.database,
    usename: s.id.user,
    applicationName: s.settings.get('application_name') ?? s.id.applicationName,
    clientAddr: s.id.clientAddress && s.id.clientAddress !== 'unknown' ? s.id.clientAddress : null,
    backendStart: s.startedAt,
    xactStart: active || s.state.startsWith('idle in transaction') ? (s.queryStartedAt ?? null) : null,
    queryStart: s.queryStartedAt ?? null,
    stateChange: s.queryStartedAt ?? s.startedAt,
    state: s.state,
    query: s.currentQuery,
  };
}

/**
 * Sets the session's variables (all of them, or only the settings list). Called before a
 * statement runs when the session is new or its settings changed (Session.syncDuckSettings).
 */
export async function applySessionVariables(session: Session, what: { session: boolean; settings: boolean }): Promise<void> {
  if (what.session) await session.conn.run(sessionVariableSql(sessionInfo(session)));
  if (what.settings) await session.conn.run(settingsVariableSql(settingRows(session)));
}

/**
 * Refreshes the server's session list (pg_stat_activity, pg_stat_database.numbackends) on the
 * session's connection. For the rewriter: call it before a statement that reads those views.
 */
export async function refreshActivity(session: Session): Promise<void> {
  const rows = [...session.serverSessions()].filter((s) => s.state !== 'disabled' || s === session).map(activityRow);
  await session.conn.run(activityVariableSql(rows));
}
