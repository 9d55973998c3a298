/** Structured logging (pino). Secrets are redacted by path, and never logged on purpose. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    // No process pid in the base: "pid" in lakegres log lines is a session's backend pid
    // (as in PostgreSQL's logs and pg_stat_activity); a second "pid" key would clash with it.
    base: { service: 'lakegres' },
    redact: { paths: ['password', '*.password', 'secret', '*.secret', 'config.password'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** A logger that drops everything (tests, embedded use). */
export const silentLogger: Logger = pino({ level: 'silent' });
