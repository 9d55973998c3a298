/** Structured logging (pino). Secrets are redacted by path, and never logged on purpose. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'lakegres', pid: process.pid },
    redact: { paths: ['password', '*.password', 'secret', '*.secret', 'config.password'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** A logger that drops everything (tests, embedded use). */
export const silentLogger: Logger = pino({ level: 'silent' });
