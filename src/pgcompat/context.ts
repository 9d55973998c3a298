/**
 * What the PostgreSQL rewrites need to know about the session: who and where it is (substituted
 * as literals: current_user, current_database(), pg_backend_pid(), current_setting(...)), and the
 * names it can see (a user table called like a catalog relation wins; INSERT target columns).
 * The session builds one per statement (session/lake-routing.ts).
 */
import { VERSION as LAKEGRES_VERSION } from '../version.js';
import { PG_VERSION } from '../session/settings.js';

export interface PgCompatContext {
  /** DuckDB database the session reads the lake through; the catalog lives in "<readDb>".__lakegres_pg. */
  readonly readDb: string;
  /** The database (lake) the client connected to: current_database(), current_catalog. */
  readonly database: string;
  /** current_user, session_user, user, current_role. */
  readonly user: string;
  /** pg_backend_pid(). */
  readonly pid: number;
  /**
   * Schemas of search_path that exist, in order, by their PostgreSQL names (`public`, not
   * `main`; `"$user"` resolved). pg_catalog is listed only where the path names it explicitly.
   */
  searchPath(): string[];
  /** current_setting(name): the session's value, undefined for an unknown setting. */
  setting(name: string): string | undefined;
  /** Every setting the session knows (for current_setting of a non-constant name). */
  settingNames(): string[];
  /** A number stable for the current transaction (txid_current()). */
  txid(): number;
  /** Server and client addresses of the connection (inet_server_addr() ...); null on Unix sockets. */
  readonly serverAddress: { address: string; port: number } | null;
  readonly clientAddress: { address: string; port: number } | null;
  /** A user relation (lake table or view) of this name is visible without a schema (search_path). */
  hasUserRelation(name: string): boolean;
  /** Top-level column names of a lake table, in order (undefined when the name is not a lake table). */
  tableColumns(schema: string | undefined, name: string): string[] | undefined;
}

/** When this process started: pg_postmaster_start_time(). */
export const SERVER_START_TIME = new Date(Date.now() - Math.round(process.uptime() * 1000));

/** PostgreSQL's platform triple for version(): x86_64-pc-linux-gnu, aarch64-unknown-linux-gnu, ... */
function platformTriple(): string {
  const arch = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch;
  switch (process.platform) {
    case 'linux':
      return arch === 'x86_64' ? 'x86_64-pc-linux-gnu' : `${arch}-unknown-linux-gnu`;
    case 'darwin':
      return `${arch}-apple-darwin`;
    case 'win32':
      return `${arch}-pc-windows-msvc`;
    default:
      return `${arch}-unknown-${process.platform}`;
  }
}

/**
 * version(): PostgreSQL's layout, which SQLAlchemy (`PostgreSQL (\d+)\.(\d+)`), asyncpg, DBeaver
 * and Metabase parse, with lakegres named where PostgreSQL distributions put their own label.
 */
export const PG_VERSION_STRING = `PostgreSQL ${PG_VERSION} (lakegres ${LAKEGRES_VERSION}) on ${platformTriple()}, compiled by Node.js ${process.version} and DuckDB, 64-bit`;
