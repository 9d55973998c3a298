/** Decoders for frontend (client → server) messages after startup. */
import { PgError, SqlState } from '../errors/pg-error.js';
import { PayloadReader, checkUtf8, type Frame } from './frames.js';

export type FrontendMessage =
  | { kind: 'query'; sql: string }
  | { kind: 'parse'; name: string; sql: string; paramTypes: number[] }
  | { kind: 'bind'; portal: string; statement: string; paramFormats: number[]; params: (Buffer | null)[]; resultFormats: number[] }
  | { kind: 'describe'; target: 'S' | 'P'; name: string }
  | { kind: 'execute'; portal: string; maxRows: number }
  | { kind: 'close'; target: 'S' | 'P'; name: string }
  | { kind: 'sync' }
  | { kind: 'flush' }
  | { kind: 'terminate' }
  | { kind: 'copyData'; data: Buffer }
  | { kind: 'copyDone' }
  | { kind: 'copyFail'; message: string }
  | { kind: 'password'; data: Buffer }
  | { kind: 'functionCall' }
  /**
   * A well-framed message whose payload is malformed (bad counts, trailing bytes, invalid
   * UTF-8). PostgreSQL answers these with an ERROR, not FATAL: the framing is intact, so the
   * session goes on. `extended` tells whether the error starts skip-until-Sync.
   */
  | { kind: 'invalid'; type: number; extended: boolean; error: PgError };

/** Message types after which an error makes PostgreSQL skip messages until Sync. */
const EXTENDED_TYPES = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]);

/**
 * Decodes one frame. Payload problems come back as an `invalid` message (an ERROR for the
 * session to report in order); only violations that end the connection throw (FATAL).
 */
export function decodeFrontend(frame: Frame): FrontendMessage {
  try {
    return decode(frame);
  } catch (e) {
    if (e instanceof PgError && e.severity === 'FATAL') throw e;
    const error = e instanceof PgError ? e : new PgError(SqlState.protocolViolation, 'invalid message format');
    return { kind: 'invalid', type: frame.type, extended: EXTENDED_TYPES.has(frame.type), error };
  }
}

function decode(frame: Frame): FrontendMessage {
  const r = new PayloadReader(frame.payload);
  switch (frame.type) {
    case 0x51: {
      const sql = r.cstring();
      r.expectEnd();
      return { kind: 'query', sql };
    }
    case 0x50: {
      const name = r.cstring();
      const sql = r.cstring();
      // Counts are unsigned 16-bit, as PostgreSQL reads them.
      const n = r.uint16();
      if (n * 4 > r.remaining) throw invalid('insufficient data left in message');
      const paramTypes: number[] = [];
      for (let i = 0; i < n; i++) paramTypes.push(r.uint32());
      r.expectEnd();
      return { kind: 'parse', name, sql, paramTypes };
    }
    case 0x42: {
      const portal = r.cstring();
      const statement = r.cstring();
      const nFormats = r.uint16();
      if (nFormats * 2 > r.remaining) throw invalid('insufficient data left in message');
      const paramFormats: number[] = [];
      for (let i = 0; i < nFormats; i++) paramFormats.push(checkFormat(r.int16()));
      const nParams = r.uint16();
      if (nParams * 4 > r.remaining) throw invalid('insufficient data left in message');
      const params: (Buffer | null)[] = [];
      for (let i = 0; i < nParams; i++) {
        const len = r.int32();
        if (len === -1) params.push(null);
        else if (len < 0) throw invalid('insufficient data left in message');
        else params.push(r.bytes(len));
      }
      // Text parameters are client strings: PostgreSQL converts (and so validates) them at Bind.
      for (let i = 0; i < params.length; i++) {
        const format = paramFormats.length === 0 ? 0 : paramFormats.length === 1 ? paramFormats[0] : paramFormats[i];
        const value = params[i];
        if (format === 0 && value) checkUtf8(value);
      }
      const nResult = r.uint16();
      if (nResult * 2 > r.remaining) throw invalid('insufficient data left in message');
      const resultFormats: number[] = [];
      for (let i = 0; i < nResult; i++) resultFormats.push(checkFormat(r.int16()));
      r.expectEnd();
      return { kind: 'bind', portal, statement, paramFormats, params, resultFormats };
    }
    case 0x44: {
      const t = r.byte();
      const name = r.cstring();
      r.expectEnd();
      if (t !== 0x53 && t !== 0x50) throw invalid(`invalid DESCRIBE message subtype ${t}`);
      return { kind: 'describe', target: t === 0x53 ? 'S' : 'P', name };
    }
    case 0x45: {
      const portal = r.cstring();
      const maxRows = r.int32();
      r.expectEnd();
      return { kind: 'execute', portal, maxRows: maxRows <= 0 ? 0 : maxRows };
    }
    case 0x43: {
      const t = r.byte();
      const name = r.cstring();
      r.expectEnd();
      if (t !== 0x53 && t !== 0x50) throw invalid(`invalid CLOSE message subtype ${t}`);
      return { kind: 'close', target: t === 0x53 ? 'S' : 'P', name };
    }
    case 0x53:
      r.expectEnd();
      return { kind: 'sync' };
    case 0x48:
      r.expectEnd();
      return { kind: 'flush' };
    case 0x58:
      return { kind: 'terminate' };
    case 0x64:
      return { kind: 'copyData', data: r.rest() };
    case 0x63:
      return { kind: 'copyDone' };
    case 0x66: {
      // Only quoted in the COPY's error message: never let a bad byte turn a CopyFail into
      // something else (the COPY must end either way).
      const raw = r.rest();
      const end = raw.indexOf(0);
      return { kind: 'copyFail', message: raw.toString('utf8', 0, end < 0 ? raw.length : end) };
    }
    case 0x70:
      // After authentication a password message is as invalid as an unknown type.
      throw new PgError(SqlState.protocolViolation, `invalid frontend message type ${frame.type}`, { severity: 'FATAL' });
    case 0x46:
      return { kind: 'functionCall' };
    default:
      throw new PgError(SqlState.protocolViolation, `invalid frontend message type ${frame.type}`, { severity: 'FATAL' });
  }
}

function checkFormat(f: number): number {
  if (f !== 0 && f !== 1) throw new PgError(SqlState.invalidParameterValue, `unsupported format code: ${f}`);
  return f;
}

const invalid = (message: string) => new PgError(SqlState.protocolViolation, message);
