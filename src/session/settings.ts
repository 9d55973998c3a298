/**
 * PostgreSQL run-time settings (GUCs) as a session sees them: validation, normalisation,
 * which ones are reported with ParameterStatus, and transactional SET semantics
 * (SET is undone by ROLLBACK, SET LOCAL ends with the transaction).
 */
import { VERSION as LAKEGRES_VERSION } from '../version.js';
import { PgError, SqlState } from '../errors/pg-error.js';
import { TimeZone, type IntervalStyle } from '../types/datetime.js';

export const PG_VERSION = '16.14';
export const PG_VERSION_NUM = '160014';

export interface SettingDef {
  name: string;
  description: string;
  /** Normalises a user value or throws a PgError; undefined = read-only. */
  parse?: (value: string, current?: string) => string;
  /** Sent in ParameterStatus at startup and whenever it changes. */
  report?: boolean;
  category?: string;
  unit?: string;
}

const invalidValue = (name: string, value: string, hint?: string) =>
  new PgError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${value}"`, { hint });

const boolSetting = (name: string) => (v: string) => {
  const s = v.trim().toLowerCase();
  if (['on', 'true', 'yes', '1', 't', 'y'].includes(s)) return 'on';
  if (['off', 'false', 'no', '0', 'f', 'n'].includes(s)) return 'off';
  throw new PgError(SqlState.invalidParameterValue, `parameter "${name}" requires a Boolean value`);
};

const intSetting = (name: string, min: number, max: number) => (v: string) => {
  const s = v.trim();
  if (!/^[+-]?\d+$/.test(s)) throw new PgError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${v}"`);
  const n = Number(s);
  if (n < min || n > max) throw new PgError(SqlState.invalidParameterValue, `${n} is outside the valid range for parameter "${name}" (${min} .. ${max})`);
  return String(n);
};

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60000, h: 3600000, d: 86400000 };

/** Millisecond settings ("5s", "100", "1min"). Stored as a number of milliseconds. */
const msSetting = (name: string) => (v: string) => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(v);
  if (!m) throw new PgError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${v}"`, { hint: 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".' });
  const ms = Math.round(Number(m[1]) * TIME_UNITS[m[2] ?? 'ms']!);
  if (ms > 2147483647) throw new PgError(SqlState.invalidParameterValue, `${ms} ms is outside the valid range for parameter "${name}" (0 .. 2147483647)`);
  return String(ms);
};

const enumSetting = (name: string, values: string[]) => (v: string) => {
  const s = v.trim().toLowerCase();
  const hit = values.find((x) => x.toLowerCase() === s);
  if (!hit) throw new PgError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${v}"`, { hint: `Available values: ${values.join(', ')}.` });
  return hit;
};

const anyText = (v: string) => v;

/** PostgreSQL's pg_clean_ascii: every byte outside printable ASCII becomes \xNN. */
export function cleanAscii(v: string): string {
  let out = '';
  for (const b of Buffer.from(v, 'utf8')) out += b >= 32 && b <= 126 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}

/** A name setting (GUC_IS_NAME) is cut to NAMEDATALEN-1 = 63 bytes, on a character boundary. */
function truncateName(v: string): string {
  if (Buffer.byteLength(v) <= 63) return v;
  let out = '';
  for (const ch of v) {
    if (Buffer.byteLength(out + ch) > 63) break;
    out += ch;
  }
  return out;
}

// Encoding names as PostgreSQL compares them (clean_encoding_name: lower case, only letters and
// digits), so that 'UTF-8', utf_8 and asyncpg's quoted "'utf-8'" all name UTF8.
const UTF8_NAMES = new Set(['utf8', 'unicode']);
const KNOWN_ENCODINGS = new Set(['sqlascii', 'latin1', 'latin2', 'latin9', 'win1252', 'win1251', 'eucjp', 'sjis', 'gbk', 'big5', 'koi8r', 'iso88595', 'win866', 'euckr', 'uhc', 'gb18030']);

function parseClientEncoding(v: string): string {
  const s = v.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (UTF8_NAMES.has(s)) return 'UTF8';
  if (KNOWN_ENCODINGS.has(s))
    throw new PgError(SqlState.featureNotSupported, `conversion between ${v.toUpperCase()} and UTF8 is not supported`, { hint: 'lakegres speaks UTF8 only; set client_encoding to UTF8.' });
  throw invalidValue('client_encoding', v);
}

/** DateStyle: a part that is not given keeps its current value ("SET DateStyle = ISO" keeps DMY), as in PostgreSQL. */
function parseDateStyle(v: string, current = 'ISO, MDY'): string {
  let output = 'ISO';
  let order = /\b(DMY|YMD)\b/.test(current) ? /\bDMY\b/.test(current) ? 'DMY' : 'YMD' : 'MDY';
  for (const part of v.split(',').map((p) => p.trim().toUpperCase()).filter(Boolean)) {
    if (part === 'ISO') output = 'ISO';
    else if (part === 'SQL' || part === 'POSTGRES' || part === 'GERMAN')
      throw new PgError(SqlState.featureNotSupported, `DateStyle output format "${part}" is not supported`, { hint: 'lakegres renders dates in ISO format; use DateStyle ISO with MDY, DMY or YMD order.' });
    else if (part === 'MDY' || part === 'US' || part === 'NONEURO' || part === 'NONEUROPEAN') order = 'MDY';
    else if (part === 'DMY' || part === 'EURO' || part === 'EUROPEAN') order = 'DMY';
    else if (part === 'YMD') order = 'YMD';
    else if (part === 'DEFAULT') {
      output = 'ISO';
      order = 'MDY';
    } else throw invalidValue('DateStyle', v);
  }
  return `${output}, ${order}`;
}

function parseTimeZone(v: string): string {
  const tz = TimeZone.resolve(v.replace(/^'|'$/g, ''));
  if (!tz) throw new PgError(SqlState.invalidParameterValue, `invalid value for parameter "TimeZone": "${v}"`);
  return tz.name;
}

function parseSearchPath(v: string): string {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(', ');
}

const defs: SettingDef[] = [
  { name: 'application_name', description: 'Sets the application name to be reported in statistics and logs.', parse: (v) => cleanAscii(truncateName(v)), report: true },
  { name: 'client_encoding', description: "Sets the client's character set encoding.", parse: parseClientEncoding, report: true },
  { name: 'DateStyle', description: 'Sets the display format for date and time values.', parse: parseDateStyle, report: true },
  { name: 'IntervalStyle', description: 'Sets the display format for interval values.', parse: enumSetting('IntervalStyle', ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601']), report: true },
  { name: 'TimeZone', description: 'Sets the time zone for displaying and interpreting time stamps.', parse: parseTimeZone, report: true },
  { name: 'extra_float_digits', description: 'Sets the number of digits displayed for floating-point values.', parse: intSetting('extra_float_digits', -15, 3) },
  { name: 'standard_conforming_strings', description: "Causes '...' strings to treat backslashes literally.", parse: (v) => {
    const b = boolSetting('standard_conforming_strings')(v);
    if (b === 'off') throw new PgError(SqlState.featureNotSupported, 'standard_conforming_strings cannot be turned off in lakegres', { hint: "Use E'...' strings for backslash escapes." });
    return b;
  }, report: true },
  { name: 'integer_datetimes', description: 'Shows whether datetimes are integer based.', report: true },
  { name: 'server_version', description: 'Shows the server version.', report: true },
  { name: 'server_version_num', description: 'Shows the server version as an integer.' },
  { name: 'server_encoding', description: 'Shows the server (database) character set encoding.', report: true },
  { name: 'is_superuser', description: 'Shows whether the current user is a superuser.', report: true },
  { name: 'scram_iterations', description: 'Sets the iteration count for SCRAM secret generation.', parse: intSetting('scram_iterations', 1, 2147483647), report: true },
  { name: 'session_authorization', description: 'Sets the session user name.', report: true },
  { name: 'default_transaction_read_only', description: 'Sets the default read-only status of new transactions.', parse: boolSetting('default_transaction_read_only'), report: true },
  { name: 'in_hot_standby', description: 'Shows whether hot standby is currently active.', report: true },
  { name: 'transaction_read_only', description: "Sets the current transaction's read-only status.", parse: boolSetting('transaction_read_only') },
  { name: 'transaction_isolation', description: "Sets the current transaction's isolation level.", parse: enumSetting('transaction_isolation', ['serializable', 'repeatable read', 'read committed', 'read uncommitted']) },
  { name: 'default_transaction_isolation', description: 'Sets the transaction isolation level of each new transaction.', parse: enumSetting('default_transaction_isolation', ['serializable', 'repeatable read', 'read committed', 'read uncommitted']) },
  { name: 'default_transaction_deferrable', description: 'Sets the default deferrable status of new transactions.', parse: boolSetting('default_transaction_deferrable') },
  { name: 'transaction_deferrable', description: 'Whether to defer a read-only serializable transaction until it can be executed with no possible serialization failures.', parse: boolSetting('transaction_deferrable') },
  { name: 'statement_timeout', description: 'Sets the maximum allowed duration of any statement.', parse: msSetting('statement_timeout'), unit: 'ms' },
  { name: 'lock_timeout', description: 'Sets the maximum allowed duration of any wait for a lock.', parse: msSetting('lock_timeout'), unit: 'ms' },
  { name: 'idle_in_transaction_session_timeout', description: 'Sets the maximum allowed idle time between queries, when in a transaction.', parse: msSetting('idle_in_transaction_session_timeout'), unit: 'ms' },
  { name: 'idle_session_timeout', description: 'Sets the maximum allowed idle time between queries, when not in a transaction.', parse: msSetting('idle_session_timeout'), unit: 'ms' },
  { name: 'search_path', description: 'Sets the schema search order for names that are not schema-qualified.', parse: parseSearchPath },
  { name: 'bytea_output', description: 'Sets the output format for bytea.', parse: enumSetting('bytea_output', ['hex', 'escape']) },
  { name: 'client_min_messages', description: 'Sets the message levels that are sent to the client.', parse: enumSetting('client_min_messages', ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error']) },
  { name: 'max_identifier_length', description: 'Shows the maximum identifier length.' },
  { name: 'max_index_keys', description: 'Shows the maximum number of index keys.' },
  { name: 'block_size', description: 'Shows the size of a disk block.' },
  { name: 'lc_collate', description: 'Shows the collation order locale.' },
  { name: 'lc_ctype', description: 'Shows the character classification and case conversion locale.' },
  { name: 'lc_messages', description: 'Sets the language in which messages are displayed.', parse: anyText },
  { name: 'lc_monetary', description: 'Sets the locale for formatting monetary amounts.', parse: anyText },
  { name: 'lc_numeric', description: 'Sets the locale for formatting numbers.', parse: anyText },
  { name: 'lc_time', description: 'Sets the locale for formatting date and time values.', parse: anyText },
  { name: 'timezone_abbreviations', description: 'Selects a file of time zone abbreviations.', parse: anyText },
  { name: 'max_connections', description: 'Sets the maximum number of concurrent connections.' },
  { name: 'port', description: 'Sets the TCP port the server listens on.' },
  { name: 'listen_addresses', description: 'Sets the host name or IP address(es) to listen to.' },
  { name: 'ssl', description: 'Enables SSL connections.' },
  { name: 'password_encryption', description: 'Chooses the algorithm for encrypting passwords.' },
  { name: 'data_directory', description: 'Sets the server\'s data directory.' },
  { name: 'row_security', description: 'Enable row security.', parse: boolSetting('row_security') },
  { name: 'synchronous_commit', description: "Sets the current transaction's synchronization level.", parse: enumSetting('synchronous_commit', ['local', 'remote_write', 'remote_apply', 'on', 'off']) },
  { name: 'work_mem', description: 'Sets the maximum memory to be used for query workspaces.', parse: anyText, unit: 'kB' },
  { name: 'maintenance_work_mem', description: 'Sets the maximum memory to be used for maintenance operations.', parse: anyText, unit: 'kB' },
  { name: 'jit', description: 'Allow JIT compilation.', parse: boolSetting('jit') },
  { name: 'plan_cache_mode', description: 'Controls the planner\'s selection of custom or generic plan.', parse: enumSetting('plan_cache_mode', ['auto', 'force_generic_plan', 'force_custom_plan']) },
  { name: 'escape_string_warning', description: 'Warn about backslash escapes in ordinary string literals.', parse: boolSetting('escape_string_warning') },
  { name: 'check_function_bodies', description: 'Check routine bodies during CREATE FUNCTION and CREATE PROCEDURE.', parse: boolSetting('check_function_bodies') },
  { name: 'xmloption', description: 'Sets whether XML data in implicit parsing and serialization operations is to be considered as documents or content fragments.', parse: enumSetting('xmloption', ['content', 'document']) },
  { name: 'cursor_tuple_fraction', description: "Sets the planner's estimate of the fraction of a cursor's rows that will be retrieved.", parse: anyText },
  { name: 'geqo', description: 'Enables genetic query optimization.', parse: boolSetting('geqo') },
  { name: 'enable_seqscan', description: "Enables the planner's use of sequential-scan plans.", parse: boolSetting('enable_seqscan') },
  { name: 'default_tablespace', description: 'Sets the default tablespace to create tables and indexes in.', parse: anyText },
  { name: 'temp_tablespaces', description: 'Sets the tablespace(s) to use for temporary tables and sort files.', parse: anyText },
  { name: 'log_statement', description: 'Sets the type of statements logged.', parse: enumSetting('log_statement', ['none', 'ddl', 'mod', 'all']) },
  {
    name: 'lakegres.snapshot',
    description: 'Reads every lake table at this snapshot id or timestamp (time travel, read-only); empty for the latest.',
    category: 'lakegres',
    parse: (v) => {
      const t = v.trim().replace(/^'|'$/g, '');
      if (t === '' || /^(latest|default)$/i.test(t)) return '';
      if (/^\d+$/.test(t)) return String(Number(t));
      if (/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$/i.test(t)) return t;
      throw invalidValue('lakegres.snapshot', v, 'Give a snapshot id (SELECT * FROM ducklake_snapshots(...)) or a timestamp.');
    },
  },
];

const byLowerName = new Map(defs.map((d) => [d.name.toLowerCase(), d]));

export function settingDef(name: string): SettingDef | undefined {
  return byLowerName.get(name.toLowerCase());
}

export function allSettingDefs(): readonly SettingDef[] {
  return defs;
}

export interface SettingsInit {
  user: string;
  isSuperuser: boolean;
  timeZone: string;
  applicationName: string;
  maxConnections: number;
  port: number;
  host: string;
  ssl: boolean;
  dataDir: string;
}

/** A session's settings, with the undo log that makes SET transactional. */
export class SessionSettings {
  private values = new Map<string, string>();
  private defaults = new Map<string, string>();
  /** Values as they were when the transaction began (restored on ROLLBACK). */
  private txSnapshot?: Map<string, string>;
  /** Values to restore at transaction end because they were SET LOCAL. */
  private localRestore?: Map<string, string>;

  constructor(init: SettingsInit) {
    const d: Record<string, string> = {
      application_name: init.applicationName,
      client_encoding: 'UTF8',
      DateStyle: 'ISO, MDY',
      IntervalStyle: 'postgres',
      TimeZone: init.timeZone,
      extra_float_digits: '1',
      standard_conforming_strings: 'on',
      integer_datetimes: 'on',
      server_version: `${PG_VERSION} (lakegres ${LAKEGRES_VERSION})`,
      server_version_num: PG_VERSION_NUM,
      scram_iterations: '4096',
      server_encoding: 'UTF8',
      is_superuser: init.isSuperuser ? 'on' : 'off',
      session_authorization: init.user,
      default_transaction_read_only: 'off',
      in_hot_standby: 'off',
      transaction_read_only: 'off',
      transaction_isolation: 'repeatable read',
      default_transaction_isolation: 'repeatable read',
      default_transaction_deferrable: 'off',
      transaction_deferrable: 'off',
      statement_timeout: '0',
      lock_timeout: '0',
      idle_in_transaction_session_timeout: '0',
      idle_session_timeout: '0',
      search_path: '"$user", public',
      bytea_output: 'hex',
      client_min_messages: 'notice',
      max_identifier_length: '63',
      max_index_keys: '32',
      block_size: '8192',
      lc_collate: 'C.UTF-8',
      lc_ctype: 'C.UTF-8',
      lc_messages: 'C.UTF-8',
      lc_monetary: 'C.UTF-8',
      lc_numeric: 'C.UTF-8',
      lc_time: 'C.UTF-8',
      timezone_abbreviations: 'Default',
      max_connections: String(init.maxConnections),
      port: String(init.port),
      listen_addresses: init.host,
      ssl: init.ssl ? 'on' : 'off',
      password_encryption: 'scram-sha-256',
      data_directory: init.dataDir,
      row_security: 'on',
      synchronous_commit: 'on',
      work_mem: '4MB',
      maintenance_work_mem: '64MB',
      jit: 'off',
      plan_cache_mode: 'auto',
      escape_string_warning: 'on',
      check_function_bodies: 'on',
      xmloption: 'content',
      cursor_tuple_fraction: '0.1',
      geqo: 'on',
      enable_seqscan: 'on',
      default_tablespace: '',
      temp_tablespaces: '',
      log_statement: 'none',
      'lakegres.snapshot': '',
    };
    for (const [k, v] of Object.entries(d)) {
      this.values.set(k, v);
      this.defaults.set(k, v);
    }
  }

  /** Canonical name of a known setting, or of a custom placeholder (`prefix.name`). */
  canonicalName(name: string): string | undefined {
    const def = settingDef(name);
    if (def) return def.name;
    const lower = name.toLowerCase();
    if (lower.includes('.')) return lower;
    return undefined;
  }

  get(name: string): string | undefined {
    const canonical = this.canonicalName(name);
    return canonical === undefined ? undefined : this.values.get(canonical);
  }

  /** Applies SET/SET LOCAL after validation. Returns the canonical name and stored value. */
  set(name: string, value: string, opts: { local: boolean; inTransaction: boolean }): { name: string; value: string } {
    const canonical = this.canonicalName(name);
    if (!canonical) throw new PgError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
    const def = settingDef(canonical);
    let stored = value;
    if (def) {
      if (!def.parse) throw new PgError(SqlState.cantChangeRuntimeParam, `parameter "${def.name}" cannot be changed`);
      stored = def.parse(value, this.values.get(canonical));
    }
    if (opts.local && opts.inTransaction) {
      this.localRestore ??= new Map();
      if (!this.localRestore.has(canonical)) this.localRestore.set(canonical, this.values.get(canonical) ?? '');
    }
    // SET LOCAL outside a transaction has no effect (PostgreSQL warns and ignores it).
    if (!(opts.local && !opts.inTransaction)) this.values.set(canonical, stored);
    return { name: canonical, value: stored };
  }

  reset(name: string): { name: string; value: string } {
    const canonical = this.canonicalName(name);
    if (!canonical) throw new PgError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
    const def = settingDef(canonical);
    if (def && !def.parse) throw new PgError(SqlState.cantChangeRuntimeParam, `parameter "${def.name}" cannot be changed`);
    const value = this.defaults.get(canonical) ?? '';
    this.values.set(canonical, value);
    return { name: canonical, value };
  }

  /** RESET ALL: every changeable setting back to its session default. */
  resetAll(): string[] {
    const changed: string[] = [];
    for (const [k, v] of this.defaults) {
      const def = settingDef(k);
      if (def && !def.parse) continue;
      if (this.values.get(k) !== v) changed.push(k);
      this.values.set(k, v);
    }
    for (const k of [...this.values.keys()]) if (!this.defaults.has(k)) this.values.delete(k);
    return changed;
  }

  /** The value RESET restores (the session default). */
  resetValue(name: string): string | undefined {
    const canonical = this.canonicalName(name);
    return canonical === undefined ? undefined : this.defaults.get(canonical);
  }

  /** Makes the current value the one RESET returns to (used for startup parameters). */
  setSessionDefault(name: string, value: string): { name: string; value: string } {
    const r = this.set(name, value, { local: false, inTransaction: false });
    this.defaults.set(r.name, r.value);
    return r;
  }

  beginTransaction(): void {
    this.txSnapshot = new Map(this.values);
    this.localRestore = undefined;
  }

  /** Ends the transaction; returns the names whose values changed by the undo. */
  endTransaction(committed: boolean): string[] {
    const before = new Map(this.values);
    if (!committed && this.txSnapshot) this.values = new Map(this.txSnapshot);
    else if (this.localRestore) for (const [k, v] of this.localRestore) this.values.set(k, v);
    this.values.set('transaction_read_only', this.values.get('default_transaction_read_only') ?? 'off');
    this.values.set('transaction_isolation', this.values.get('default_transaction_isolation') ?? 'repeatable read');
    this.txSnapshot = undefined;
    this.localRestore = undefined;
    const changed: string[] = [];
    for (const [k, v] of this.values) if (before.get(k) !== v) changed.push(k);
    return changed;
  }

  entries(): [string, string][] {
    return [...this.values.entries()];
  }

  /** Values as last sent in ParameterStatus: PostgreSQL (14+) reports only real changes. */
  private reported = new Map<string, string>();

  /** Every reported setting, for the startup ParameterStatus messages (remembered as reported). */
  reportable(): [string, string][] {
    const out = defs.filter((d) => d.report).map((d): [string, string] => [d.name, this.values.get(d.name) ?? '']);
    for (const [k, v] of out) this.reported.set(k, v);
    return out;
  }

  /**
   * Reported settings whose value differs from what the client last saw (then remembered as
   * seen). Sent just before ReadyForQuery, as PostgreSQL 14+ does: a SET back to the same value,
   * or SET and RESET in one message, reports nothing.
   */
  pendingReports(): [string, string][] {
    const out: [string, string][] = [];
    for (const d of defs) {
      if (!d.report) continue;
      const v = this.values.get(d.name) ?? '';
      if (this.reported.get(d.name) === v) continue;
      this.reported.set(d.name, v);
      out.push([d.name, v]);
    }
    return out;
  }

  get timeZoneName(): string {
    return this.values.get('TimeZone') ?? 'UTC';
  }

  get intervalStyle(): IntervalStyle {
    return (this.values.get('IntervalStyle') ?? 'postgres') as IntervalStyle;
  }

  get extraFloatDigits(): number {
    return Number(this.values.get('extra_float_digits') ?? '1');
  }

  get byteaOutput(): 'hex' | 'escape' {
    return (this.values.get('bytea_output') ?? 'hex') as 'hex' | 'escape';
  }

  get statementTimeoutMs(): number {
    return Number(this.values.get('statement_timeout') ?? '0');
  }

  get idleInTransactionTimeoutMs(): number {
    return Number(this.values.get('idle_in_transaction_session_timeout') ?? '0');
  }

  get idleSessionTimeoutMs(): number {
    return Number(this.values.get('idle_session_timeout') ?? '0');
  }
}

export { LAKEGRES_VERSION };

/** SHOW's display form of a stored value (times in PostgreSQL's units). */
export function displayValue(name: string, value: string): string {
  const def = settingDef(name);
  if (def?.unit === 'ms') {
    const ms = Number(value);
    if (ms === 0) return '0';
    if (ms % 86400000 === 0) return `${ms / 86400000}d`;
    if (ms % 3600000 === 0) return `${ms / 3600000}h`;
    if (ms % 60000 === 0) return `${ms / 60000}min`;
    if (ms % 1000 === 0) return `${ms / 1000}s`;
    return `${ms}ms`;
  }
  return value;
}

export function isReportable(name: string): boolean {
  return settingDef(name)?.report === true;
}

/** "$user", public → DuckDB search_path (public is DuckDB's main). */
export function toDuckSearchPath(pgPath: string, user: string): string {
  const parts = pgPath
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s.toLowerCase()))
    .filter((s) => s !== '$user' && s !== user && s !== 'pg_catalog')
    .map((s) => (s === 'public' ? 'main' : s));
  return parts.join(',');
}
