/** What connections and sessions need from the server that owns them. */
import type { LakegresConfig } from '../config/options.js';
import type { Engine } from '../engine/engine.js';
import type { LakeService } from '../lake/service.js';
import type { Metrics } from './http.js';
import type { UserStore } from '../auth/users.js';
import type { TlsMaterial } from './tls.js';
import type { Session, SessionHost } from '../session/session.js';

export type AuthMethod = 'trust' | 'scram-sha-256' | 'md5' | 'password';

export interface ServerContext extends SessionHost {
  readonly config: LakegresConfig;
  readonly engine: Engine;
  readonly lakes: LakeService;
  readonly metrics: Metrics;
  readonly users: UserStore;
  readonly authMethod: AuthMethod;
  readonly tls?: TlsMaterial;
  readonly databases: readonly string[];
  readonly shuttingDown: boolean;
  /** Counts a connection against max_connections; false when the limit is reached. */
  reserveConnection(): boolean;
  releaseConnection(): void;
  nextPid(): number;
  registerSession(session: Session): void;
  /** CancelRequest: interrupts the session when pid and secret match; silently ignored otherwise. */
  cancel(pid: number, secret: number): void;
  sessions(): Iterable<Session>;
}
