/**
 * Every server option in one table: CLI flag, environment variable (LAKEGRES_*), config-file
 * key, type, default and help text. Precedence: CLI > environment > config file > defaults.
 */
import { readFileSync } from 'node:fs';
import { PgError, SqlState } from '../errors/pg-error.js';

export type OptionType = 'string' | 'int' | 'bool' | 'list';

export interface OptionSpec {
  key: keyof LakegresConfig;
  flag: string;
  type: OptionType;
  description: string;
  default?: string | number | boolean | string[];
  choices?: string[];
  /** Placeholder shown in --help. */
  arg?: string;
}

export interface LakegresConfig {
  host: string;
  port: number;
  dataDir: string;
  config?: string;
  database: string[];
  maxConnections: number;
  auth: string;
  usersFile?: string;
  user: string;
  password?: string;
  allowTrustRemote: boolean;
  tls: string;
  tlsCert?: string;
  tlsKey?: string;
  memoryLimit?: string;
  threads?: number;
  tempDirectory?: string;
  shutdownGraceMs: number;
  slowStatementMs: number;
  logLevel: string;
  httpPort?: number;
  allowFileAccess: boolean;
  catalog?: string;
  metadataSchema?: string;
  dataPath?: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3UrlStyle: string;
  s3CacheSize: string;
  s3CacheDir?: string;
  maintenance: boolean;
  maintenanceInterval: string;
  maintenanceFlushRows: number;
  maintenanceSmallFileSize: string;
  maintenanceMaxFiles: number;
  maintenanceRetention: string;
  maintenanceCleanup: string;
  maintenanceDeleteOrphans: boolean;
}

export const OPTIONS: OptionSpec[] = [
  { key: 'host', flag: '--host', type: 'string', default: '127.0.0.1', arg: '<address>', description: 'address to listen on (0.0.0.0 for all interfaces)' },
  { key: 'port', flag: '--port', type: 'int', default: 5332, arg: '<port>', description: 'TCP port for the PostgreSQL protocol' },
  { key: 'dataDir', flag: '--data-dir', type: 'string', default: './lakegres-data', arg: '<dir>', description: 'directory for the lake catalog, data files and TLS material' },
  { key: 'config', flag: '--config', type: 'string', arg: '<file>', description: 'JSON config file; its keys are the camelCase option names' },
  { key: 'database', flag: '--database', type: 'list', default: ['lake'], arg: '<names>', description: 'database (lake) names clients may connect to, comma separated' },
  { key: 'maxConnections', flag: '--max-connections', type: 'int', default: 100, arg: '<n>', description: 'maximum concurrent client sessions (53300 beyond it)' },
  { key: 'auth', flag: '--auth', type: 'string', default: 'auto', choices: ['auto', 'trust', 'scram-sha-256', 'md5', 'password'], arg: '<method>', description: 'authentication method; auto = scram-sha-256 when passwords are configured, else trust' },
  { key: 'usersFile', flag: '--users-file', type: 'string', arg: '<file>', description: 'users file: one "name:verifier" per line (SCRAM-SHA-256 verifier, md5 hash or plain:<password>)' },
  { key: 'user', flag: '--user', type: 'string', default: 'lakegres', arg: '<name>', description: 'user name that --password / LAKEGRES_PASSWORD applies to' },
  { key: 'password', flag: '--password', type: 'string', arg: '<password>', description: 'password of --user (prefer the LAKEGRES_PASSWORD environment variable)' },
  { key: 'allowTrustRemote', flag: '--allow-trust-remote', type: 'bool', default: false, description: 'allow trust authentication on a non-loopback address (dangerous)' },
  { key: 'tls', flag: '--tls', type: 'string', default: 'off', choices: ['off', 'on', 'auto'], arg: '<mode>', description: 'TLS: on (needs --tls-cert/--tls-key), auto (self-signed pair in the data dir), off' },
  { key: 'tlsCert', flag: '--tls-cert', type: 'string', arg: '<file>', description: 'PEM certificate (chain) for TLS' },
  { key: 'tlsKey', flag: '--tls-key', type: 'string', arg: '<file>', description: 'PEM private key for TLS' },
  { key: 'memoryLimit', flag: '--memory-limit', type: 'string', arg: '<size>', description: "DuckDB memory_limit for the whole process (e.g. '4GB'); default: DuckDB's (80% of RAM)" },
  { key: 'threads', flag: '--threads', type: 'int', arg: '<n>', description: 'DuckDB worker threads; default: number of cores' },
  { key: 'tempDirectory', flag: '--temp-directory', type: 'string', arg: '<dir>', description: 'where DuckDB spills; default: <data-dir>/tmp' },
  { key: 'shutdownGraceMs', flag: '--shutdown-grace-ms', type: 'int', default: 10000, arg: '<ms>', description: 'on SIGTERM/SIGINT, how long running statements may finish before sessions are terminated' },
  { key: 'slowStatementMs', flag: '--slow-statement-ms', type: 'int', default: 1000, arg: '<ms>', description: 'log statements slower than this (0 = off)' },
  { key: 'logLevel', flag: '--log-level', type: 'string', default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], arg: '<level>', description: 'log level' },
  { key: 'httpPort', flag: '--http-port', type: 'int', arg: '<port>', description: 'HTTP port for /health, /ready and /metrics (off when unset)' },
  { key: 'catalog', flag: '--catalog', type: 'string', arg: '<url|file>', description: 'catalog of the first database: postgres://user@host/db, or a DuckDB catalog file; default: <data-dir>/metadata.ducklake' },
  { key: 'metadataSchema', flag: '--metadata-schema', type: 'string', arg: '<schema>', description: "schema of the catalog tables (PostgreSQL catalogs; default: the catalog's default schema)" },
  { key: 'dataPath', flag: '--data-path', type: 'string', arg: '<dir|s3://bucket/prefix/>', description: 'where the first database keeps its Parquet files; default: <data-dir>/data/ (new lakes) or what the catalog records' },
  { key: 's3Endpoint', flag: '--s3-endpoint', type: 'string', arg: '<url>', description: 'S3 endpoint URL (MinIO, s3rver, ...); default: AWS' },
  { key: 's3Region', flag: '--s3-region', type: 'string', arg: '<region>', description: 'S3 region; default: from the AWS configuration, else us-east-1' },
  { key: 's3UrlStyle', flag: '--s3-url-style', type: 'string', default: 'path', choices: ['path', 'vhost'], arg: '<style>', description: 'S3 addressing: path (bucket in the path, for MinIO and most endpoints) or vhost' },
  { key: 's3CacheSize', flag: '--s3-cache-size', type: 'string', default: '2GB', arg: '<size>', description: 'bound of the local cache of S3 objects that DuckDB reads (e.g. 512MB, 10GB)' },
  { key: 's3CacheDir', flag: '--s3-cache-dir', type: 'string', arg: '<dir>', description: 'directory of the S3 object cache; default: <data-dir>/s3cache' },
  { key: 'allowFileAccess', flag: '--allow-file-access', type: 'bool', default: false, description: "let SQL read and write the server's files (read_csv, COPY ... TO 'file', ...)" },
  { key: 'maintenance', flag: '--maintenance', type: 'bool', default: false, description: 'maintain the lakes in the background: flush inlined data, merge small files, rewrite files with many deletions, expire old snapshots, delete files no longer needed (see --maintenance-*)' },
  { key: 'maintenanceInterval', flag: '--maintenance-interval', type: 'string', default: '5m', arg: '<duration>', description: 'time between maintenance runs (e.g. 30s, 5m, 1h; a plain number is seconds)' },
  { key: 'maintenanceFlushRows', flag: '--maintenance-flush-rows', type: 'int', default: 1000, arg: '<n>', description: "flush a table's inlined data to Parquet once it holds this many inlined rows and deletions (0 = any)" },
  { key: 'maintenanceSmallFileSize', flag: '--maintenance-small-file-size', type: 'string', default: '16MB', arg: '<size>', description: 'merge adjacent data files smaller than this' },
  { key: 'maintenanceMaxFiles', flag: '--maintenance-max-files', type: 'int', default: 64, arg: '<n>', description: 'bound of one maintenance run: tables flushed, and merges per table' },
  { key: 'maintenanceRetention', flag: '--maintenance-retention', type: 'string', default: 'auto', arg: '<duration|auto|off>', description: "expire snapshots older than this (e.g. 7d); auto = the lake's expire_older_than option (none by default); off = never" },
  { key: 'maintenanceCleanup', flag: '--maintenance-cleanup', type: 'string', default: 'auto', arg: '<duration|auto|off>', description: "delete files scheduled for deletion longer ago than this; auto = the lake's delete_older_than option (2 days by default); off = never" },
  { key: 'maintenanceDeleteOrphans', flag: '--maintenance-delete-orphans', type: 'bool', default: false, description: 'maintenance also deletes *.parquet files in the data path that no catalog row names, once older than the cleanup age' },
];

export const envName = (spec: OptionSpec) => 'LAKEGRES_' + spec.flag.slice(2).replace(/-/g, '_').toUpperCase();

/** An invalid option value, config file or users file: the CLI exits with status 2. */
export class ConfigError extends PgError {
  constructor(message: string) {
    super(SqlState.configFileError, message);
    this.name = 'ConfigError';
  }
}

function configError(message: string): ConfigError {
  return new ConfigError(message);
}

/** Option name as the user wrote it for a source (flag, env variable or config-file key). */
const display = (spec: OptionSpec, source: string) => (source.startsWith('LAKEGRES_') ? source : source === spec.flag ? spec.flag : `${source}: ${spec.key}`);

function coerce(spec: OptionSpec, raw: unknown, source: string): unknown {
  if (raw === undefined || raw === null) return undefined;
  switch (spec.type) {
    case 'int': {
      // Digits only: Number() would also accept "1e3", "0x10" or "" (0).
      const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
      if (!/^\d{1,15}$/.test(text)) throw configError(`invalid value for ${display(spec, source)}: expected a non-negative integer, got ${JSON.stringify(raw)}`);
      return Number(text);
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
      throw configError(`invalid value for ${display(spec, source)}: expected true or false, got ${JSON.stringify(raw)}`);
    }
    case 'list': {
      if (!Array.isArray(raw) && typeof raw !== 'string') throw configError(`invalid value for ${display(spec, source)}: expected a comma-separated string or an array, got ${JSON.stringify(raw)}`);
      const list = Array.isArray(raw) ? raw.map(String) : raw.split(',');
      const clean = list.map((s) => s.trim()).filter(Boolean);
      if (clean.length === 0) throw configError(`invalid value for ${display(spec, source)}: must not be empty`);
      return clean;
    }
    default: {
      if (typeof raw !== 'string' && typeof raw !== 'number') throw configError(`invalid value for ${display(spec, source)}: expected a string, got ${JSON.stringify(raw)}`);
      const s = String(raw);
      if (spec.choices && !spec.choices.includes(s)) throw configError(`invalid value for ${display(spec, source)}: must be one of ${spec.choices.join(', ')}, got ${JSON.stringify(raw)}`);
      if (s === '' && spec.key !== 'password') throw configError(`invalid value for ${display(spec, source)}: must not be empty`);
      return s;
    }
  }
}

/**
 * Merges the sources. `cli` holds only options given on the command line (camelCase keys).
 */
export function resolveConfig(cli: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): LakegresConfig {
  const out: Record<string, unknown> = {};
  for (const spec of OPTIONS) if (spec.default !== undefined) out[spec.key] = spec.default;

  const configPath = (cli.config as string | undefined) ?? env.LAKEGRES_CONFIG;
  if (configPath) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(configPath, 'utf8'));
    } catch (e) {
      throw configError(`cannot read config file ${configPath}: ${(e as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw configError(`config file ${configPath} must hold a JSON object`);
    // Keys are the camelCase option names; the flag spelling ("data-dir") is accepted too.
    const known = new Map<string, OptionSpec>();
    for (const o of OPTIONS) {
      if (o.key === 'config') continue;
      known.set(o.key, o);
      known.set(o.flag.slice(2), o);
    }
    for (const [k, v] of Object.entries(parsed)) {
      const spec = known.get(k);
      if (!spec) throw configError(`config file ${configPath}: unknown option "${k}" (known: ${OPTIONS.filter((o) => o.key !== 'config').map((o) => o.key).join(', ')})`);
      if (v === null) continue;
      out[spec.key] = coerce(spec, v, configPath);
    }
  }
  for (const spec of OPTIONS) {
    const v = env[envName(spec)];
    if (v !== undefined && v !== '') out[spec.key] = coerce(spec, v, envName(spec));
  }
  for (const spec of OPTIONS) {
    if (cli[spec.key] !== undefined) out[spec.key] = coerce(spec, cli[spec.key], spec.flag);
  }
  if (configPath) out.config = configPath;
  const cfg = out as unknown as LakegresConfig;
  validate(cfg);
  return cfg;
}

function validate(cfg: LakegresConfig): void {
  if (cfg.port > 65535) throw configError(`invalid value for --port: must be at most 65535, got ${cfg.port}`);
  if (cfg.httpPort !== undefined && cfg.httpPort > 65535) throw configError(`invalid value for --http-port: must be at most 65535, got ${cfg.httpPort}`);
  if (cfg.maxConnections < 1) throw configError('invalid value for --max-connections: must be at least 1');
  if (cfg.threads !== undefined && cfg.threads < 1) throw configError('invalid value for --threads: must be at least 1');
  if (!validUserName(cfg.user)) throw configError(`invalid value for --user: ${JSON.stringify(cfg.user)} (at most 63 bytes, no ':' and no control characters)`);
  if (cfg.tls === 'on' && (!cfg.tlsCert || !cfg.tlsKey)) throw configError('--tls on needs --tls-cert and --tls-key');
  if ((cfg.tlsCert && !cfg.tlsKey) || (!cfg.tlsCert && cfg.tlsKey)) throw configError('--tls-cert and --tls-key go together');
  if (cfg.tlsCert && cfg.tls === 'off') cfg.tls = 'on';
  if (cfg.dataPath && /^s3:/i.test(cfg.dataPath) && !/^s3:\/\/[^/]+/i.test(cfg.dataPath)) throw configError(`invalid value for --data-path: ${JSON.stringify(cfg.dataPath)} (expected s3://bucket/prefix/)`);
  if (cfg.dataPath && /^[a-z][a-z0-9+.-]*:\/\//i.test(cfg.dataPath) && !/^s3:/i.test(cfg.dataPath)) throw configError(`invalid value for --data-path: only local directories and s3:// are supported, got ${JSON.stringify(cfg.dataPath)}`);
  if (cfg.catalog && /^[a-z][a-z0-9+.-]*:\/\//i.test(cfg.catalog) && !/^postgres(ql)?:\/\//i.test(cfg.catalog)) throw configError(`invalid value for --catalog: expected postgres://... or a file path, got ${JSON.stringify(cfg.catalog.replace(/:[^:@/]*@/, ':***@'))}`);
  if (parseByteSize(cfg.s3CacheSize) === undefined) throw configError(`invalid value for --s3-cache-size: ${JSON.stringify(cfg.s3CacheSize)} (expected a size such as 512MB or 10GB)`);
  for (const name of cfg.database) {
    if (!/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/.test(name)) throw configError(`invalid database name "${name}"`);
  }
}

/** User names as the users file can hold them: 1..63 bytes, no ':' (the separator), no control characters. */
export function validUserName(name: string): boolean {
  return name.length > 0 && Buffer.byteLength(name) <= 63 && !/[:\x00-\x1f\x7f]/.test(name);
}

/** "512MB", "10GB", "1.5 GiB", "1000000" → bytes; undefined when not a size. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase().replace(/i?b$/, '') || 'b';
  const mult: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  const n = Number(m[1]) * (mult[unit] ?? NaN);
  return Number.isFinite(n) ? Math.floor(n) : undefined;
}

/** A connection URL with its password replaced, for logs and --print-config. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, '$1:[redacted]@').replace(/(password=)[^&\s]*/gi, '$1[redacted]');
}
