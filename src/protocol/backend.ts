/** Builders for backend (server → client) protocol messages. */
import type { BufferWriter } from './buffer-writer.js';
import type { PgError } from '../errors/pg-error.js';

export const enum BackendType {
  Authentication = 0x52, // R
  ParameterStatus = 0x53, // S
  BackendKeyData = 0x4b, // K
  ReadyForQuery = 0x5a, // Z
  RowDescription = 0x54, // T
  DataRow = 0x44, // D
  CommandComplete = 0x43, // C
  EmptyQueryResponse = 0x49, // I
  ErrorResponse = 0x45, // E
  NoticeResponse = 0x4e, // N
  ParseComplete = 0x31, // 1
  BindComplete = 0x32, // 2
  CloseComplete = 0x33, // 3
  NoData = 0x6e, // n
  PortalSuspended = 0x73, // s
  ParameterDescription = 0x74, // t
  CopyInResponse = 0x47, // G
  CopyOutResponse = 0x48, // H
  CopyData = 0x64, // d
  CopyDone = 0x63, // c
  NegotiateProtocolVersion = 0x76, // v
}

export interface FieldDescription {
  name: string;
  tableOid: number;
  columnAttr: number;
  typeOid: number;
  typeLen: number;
  typeMod: number;
  format: 0 | 1;
}

export const authOk = (w: BufferWriter) => w.begin(BackendType.Authentication).int32(0).end();
export const authCleartext = (w: BufferWriter) => w.begin(BackendType.Authentication).int32(3).end();
export const authMd5 = (w: BufferWriter, salt: Buffer) => w.begin(BackendType.Authentication).int32(5).bytes(salt).end();

export function authSasl(w: BufferWriter, mechanisms: string[]): void {
  w.begin(BackendType.Authentication).int32(10);
  for (const m of mechanisms) w.cstring(m);
  w.byte(0).end();
}

export const authSaslContinue = (w: BufferWriter, data: string) => w.begin(BackendType.Authentication).int32(11).string(data).end();
export const authSaslFinal = (w: BufferWriter, data: string) => w.begin(BackendType.Authentication).int32(12).string(data).end();

export const parameterStatus = (w: BufferWriter, name: string, value: string) =>
  w.begin(BackendType.ParameterStatus).cstring(name).cstring(value).end();

export const backendKeyData = (w: BufferWriter, pid: number, secret: number) =>
  w.begin(BackendType.BackendKeyData).int32(pid).int32(secret).end();

export const readyForQuery = (w: BufferWriter, status: 'I' | 'T' | 'E') =>
  w.begin(BackendType.ReadyForQuery).byte(status.charCodeAt(0)).end();

export function rowDescription(w: BufferWriter, fields: readonly FieldDescription[]): void {
  w.begin(BackendType.RowDescription).int16(fields.length);
  for (const f of fields) {
    w.cstring(f.name).int32(f.tableOid).int16(f.columnAttr).int32(f.typeOid).int16(f.typeLen).int32(f.typeMod).int16(f.format);
  }
  w.end();
}

export const commandComplete = (w: BufferWriter, tag: string) => w.begin(BackendType.CommandComplete).cstring(tag).end();
export const emptyQueryResponse = (w: BufferWriter) => w.begin(BackendType.EmptyQueryResponse).end();
export const parseComplete = (w: BufferWriter) => w.begin(BackendType.ParseComplete).end();
export const bindComplete = (w: BufferWriter) => w.begin(BackendType.BindComplete).end();
export const closeComplete = (w: BufferWriter) => w.begin(BackendType.CloseComplete).end();
export const noData = (w: BufferWriter) => w.begin(BackendType.NoData).end();
export const portalSuspended = (w: BufferWriter) => w.begin(BackendType.PortalSuspended).end();

export function parameterDescription(w: BufferWriter, oids: readonly number[]): void {
  w.begin(BackendType.ParameterDescription).int16(oids.length);
  for (const o of oids) w.uint32(o);
  w.end();
}

function errorFields(w: BufferWriter, err: PgError, localizedSeverity = err.severity): void {
  w.byte(0x53).cstring(localizedSeverity); // S
  w.byte(0x56).cstring(err.severity); // V
  w.byte(0x43).cstring(err.code); // C
  w.byte(0x4d).cstring(err.message); // M
  if (err.detail) w.byte(0x44).cstring(err.detail); // D
  if (err.hint) w.byte(0x48).cstring(err.hint); // H
  if (err.position !== undefined && err.position > 0) w.byte(0x50).cstring(String(err.position)); // P
  if (err.where) w.byte(0x57).cstring(err.where); // W
  if (err.schema) w.byte(0x73).cstring(err.schema); // s
  if (err.table) w.byte(0x74).cstring(err.table); // t
  if (err.column) w.byte(0x63).cstring(err.column); // c
  if (err.dataType) w.byte(0x64).cstring(err.dataType); // d
  if (err.constraint) w.byte(0x6e).cstring(err.constraint); // n
  w.byte(0);
}

export function errorResponse(w: BufferWriter, err: PgError): void {
  w.begin(BackendType.ErrorResponse);
  errorFields(w, err);
  w.end();
}

export function noticeResponse(w: BufferWriter, notice: PgError): void {
  w.begin(BackendType.NoticeResponse);
  errorFields(w, notice);
  w.end();
}

export function copyInResponse(w: BufferWriter, format: 0 | 1, columnFormats: readonly (0 | 1)[]): void {
  w.begin(BackendType.CopyInResponse).byte(format).int16(columnFormats.length);
  for (const f of columnFormats) w.int16(f);
  w.end();
}

export function copyOutResponse(w: BufferWriter, format: 0 | 1, columnFormats: readonly (0 | 1)[]): void {
  w.begin(BackendType.CopyOutResponse).byte(format).int16(columnFormats.length);
  for (const f of columnFormats) w.int16(f);
  w.end();
}

export const copyData = (w: BufferWriter, data: Uint8Array) => w.begin(BackendType.CopyData).bytes(data).end();
export const copyDone = (w: BufferWriter) => w.begin(BackendType.CopyDone).end();

/**
 * NegotiateProtocolVersion. The first field is documented as the newest minor version, but
 * PostgreSQL sends (and libpq reads) the whole version code, 3.minor as 0x0003_minor.
 */
export function negotiateProtocolVersion(w: BufferWriter, newestMinor: number, unsupportedOptions: readonly string[]): void {
  w.begin(BackendType.NegotiateProtocolVersion).int32((3 << 16) | newestMinor).int32(unsupportedOptions.length);
  for (const o of unsupportedOptions) w.cstring(o);
  w.end();
}
