/** Decoders for frontend (client → server) messages after startup. */
import { PgError, SqlState } from '../errors/pg-error.js';
import { PayloadReader, type Frame } from './frames.js';

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
  | { kind: 'functionCall' };

/** PostgreSQL caps the number of parameters of one statement at 65535. */
const MAX_PARAMS = 65535;

export function decodeFrontend(frame: Frame): FrontendMessage {
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
      const n = r.int16();
      if (n < 0) throw invalid('invalid number of parameter types');
      if (n * 4 > r.remaining) throw invalid('insufficient data left in message');
      const paramTypes: number[] = [];
      for (let i = 0; i < n; i++) paramTypes.push(r.uint32());
      r.expectEnd();
      return { kind: 'parse', name, sql, paramTypes };
    }
    case 0x42: {
      const portal = r.cstring();
      const statement = r.cstring();
      const nFormats = r.int16();
      if (nFormats < 0 || nFormats * 2 > r.remaining) throw invalid('insufficient data left in message');
      const paramFormats: number[] = [];
      for (let i = 0; i < nFormats; i++) paramFormats.push(checkFormat(r.int16()));
      const nParams = r.int16();
      if (nParams < 0 || nParams > MAX_PARAMS || nParams * 4 > r.remaining) throw invalid('insufficient data left in message');
      const params: (Buffer | null)[] = [];
      for (let i = 0; i < nParams; i++) {
        const len = r.int32();
        if (len === -1) params.push(null);
        else if (len < 0) throw invalid('invalid parameter length');
        else params.push(r.bytes(len));
      }
      const nResult = r.int16();
      if (nResult < 0 || nResult * 2 > r.remaining) throw invalid('insufficient data left in message');
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
    case 0x66:
      return { kind: 'copyFail', message: r.cstring() };
    case 0x70:
      return { kind: 'password', data: r.rest() };
    case 0x46:
      return { kind: 'functionCall' };
    default:
      throw new PgError(SqlState.protocolViolation, `invalid frontend message type ${frame.type}`, { severity: 'FATAL' });
  }
}

function checkFormat(f: number): number {
  if (f !== 0 && f !== 1) throw new PgError(SqlState.protocolViolation, `unsupported format code: ${f}`);
  return f;
}

const invalid = (message: string) => new PgError(SqlState.protocolViolation, message);
