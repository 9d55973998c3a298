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
  { key: 'allowFileAccess', flag: '--allow-file-access', type: 'bool', default: false, description: "let SQL read and write the server's files (read_csv, COPY ... TO 'file', ...)" },
];

export const envName = (spec: OptionSpec) => 'LAKEGRES_' + spec.flag.slice(2).replace(/-/g, '_').toUpperCase();

function configError(message: string): PgError {
  return new PgError(SqlState.configFileError, message);
}

function coerce(spec: OptionSpec, raw: unknown, source: string): unknown {
  if (raw === undefined || raw === null) return undefined;
  switch (spec.type) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isInteger(n) || n < 0) throw configError(`${source}: ${spec.flag.slice(2)} must be a non-negative integer, got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
      throw configError(`${source}: ${spec.flag.slice(2)} must be true or false, got ${JSON.stringify(raw)}`);
    }
    case 'list': {
      const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
      const clean = list.map((s) => s.trim()).filter(Boolean);
      if (clean.length === 0) throw configError(`${source}: ${spec.flag.slice(2)} must not be empty`);
      return clean;
    }
    default: {
      const s = String(raw);
      if (spec.choices && !spec.choices.includes(s)) throw configError(`${source}: ${spec.flag.slice(2)} must be one of ${spec.choices.join(', ')}, got ${JSON.stringify(raw)}`);
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
    const known = new Map(OPTIONS.map((o) => [o.key as string, o]));
    for (const [k, v] of Object.entries(parsed)) {
      const spec = known.get(k);
      if (!spec) throw configError(`config file ${configPath}: unknown option "${k}" (known: ${[...known.keys()].join(', ')})`);
      out[k] = coerce(spec, v, configPath);
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
  if (cfg.port > 65535) throw configError(`port must be at most 65535, got ${cfg.port}`);
  if (cfg.maxConnections < 1) throw configError('max-connections must be at least 1');
  if (cfg.tls === 'on' && (!cfg.tlsCert || !cfg.tlsKey)) throw configError('--tls on needs --tls-cert and --tls-key');
  if ((cfg.tlsCert && !cfg.tlsKey) || (!cfg.tlsCert && cfg.tlsKey)) throw configError('--tls-cert and --tls-key go together');
  if (cfg.tlsCert && cfg.tls === 'off') cfg.tls = 'on';
  for (const name of cfg.database) {
    if (!/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/.test(name)) throw configError(`invalid database name "${name}"`);
  }
}
