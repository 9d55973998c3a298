/** Starts the server for the CLI and wires process signals to a graceful shutdown. */
import type { LakegresConfig } from './config/options.js';
import { createLogger } from './util/log.js';
import { LakegresServer } from './server/server.js';

export async function runServer(config: LakegresConfig): Promise<LakegresServer> {
  const log = createLogger(config.logLevel);
  // Signals are handled from the start: one that arrives while the server starts (lakes are
  // opened) stops it as soon as it is up.
  let server: LakegresServer | undefined;
  let pending: string | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'signal received');
    if (!server) {
      pending = signal;
      return;
    }
    void server.shutdown().then(
      () => process.exit(0),
      (e) => {
        log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  server = await LakegresServer.start(config, log);
  if (pending) {
    stopping = false;
    stop(pending);
  }
  return server;
}
