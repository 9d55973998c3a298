/**
 * Maps DuckDB errors to PostgreSQL ErrorResponse fields.
 *
 * The engine runs with `errors_as_json = true`, so DuckDB reports errors as a JSON object
 * (`exception_type`, `exception_message`, `error_subtype`, `type`, `name`, `position`,
 * `candidates`). Parser errors arrive as `Parser Error: {json}`. Older plain messages
 * (`Catalog Error: ...\n\nLINE 1: ...`) are understood too.
 */
import { PgError, SqlState } from './pg-error.js';

interface DuckErrorInfo {
  type: string;
  message: string;
  subtype?: string;
  entryType?: string;
  name?: string;
  position?: number;
  candidates?: string;
}

export function parseDuckDBError(raw: string, statement?: string): DuckErrorInfo {
  let text = raw;
  const jsonStart = text.indexOf('{"exception_type"');
  if (jsonStart >= 0) {
    try {
      const j = JSON.parse(text.slice(jsonStart)) as Record<string, string>;
      return {
        type: j.exception_type ?? 'Unknown',
        message: j.exception_message ?? raw,
        subtype: j.error_subtype,
        entryType: j.type,
        name: j.name,
        position: j.position !== undefined ? Number(j.position) : undefined,
        candidates: j.candidates,
      };
    } catch {
      /* fall through to the plain-text form */
    }
  }
  const m = /^([A-Za-z ]+?) Error: ([\s\S]*)$/.exec(text);
  let type = 'Unknown';
  if (m) {
    type = m[1]!;
    text = m[2]!;
  }
  let position: number | undefined;
  const lineAt = text.indexOf('\n\nLINE ');
  if (lineAt >= 0) {
    position = positionFromCaret(text.slice(lineAt + 2), statement);
    text = text.slice(0, lineAt);
  }
  return { type, message: text, position };
}

/** Recovers a 0-based offset from DuckDB's `LINE n: <snippet>\n   ^` display. */
function positionFromCaret(display: string, statement?: string): number | undefined {
  const m = /^LINE (\d+): (.*)\n( *)\^/.exec(display);
  if (!m || statement === undefined) return undefined;
  const lineNo = Number(m[1]);
  const prefixLen = `LINE ${m[1]}: `.length;
  const caret = m[3]!.length - prefixLen;
  let snippet = m[2]!;
  let snippetShift = 0;
  if (snippet.startsWith('...')) {
    snippet = snippet.slice(3);
    snippetShift = 3;
  }
  if (snippet.endsWith('...')) snippet = snippet.slice(0, -3);
  const lines = statement.split('\n');
  let lineStart = 0;
  for (let i = 0; i < lineNo - 1 && i < lines.length; i++) lineStart += lines[i]!.length + 1;
  const line = lines[lineNo - 1] ?? '';
  const at = line.indexOf(snippet);
  if (at < 0) return lineStart + Math.max(0, caret);
  return lineStart + at + Math.max(0, caret - snippetShift);
}

const FUNCTION_ENTRY_TYPES = new Set(['Scalar Function', 'Aggregate Function', 'Table Function', 'Macro Function', 'Table Macro Function', 'Pragma Function', 'Copy Function']);

function codeFor(e: DuckErrorInfo): string {
  const msg = e.message;
  const lower = msg.toLowerCase();
  switch (e.type) {
    case 'Parser':
    case 'Syntax':
      return SqlState.syntaxError;
    case 'Catalog':
      if (e.subtype === 'MISSING_ENTRY' || / does not exist/.test(msg)) {
        if (e.entryType === 'configuration parameter') return SqlState.undefinedObject;
        if (e.entryType === 'Schema' || /^Schema with name/.test(msg)) return SqlState.undefinedSchema;
        if (e.entryType && FUNCTION_ENTRY_TYPES.has(e.entryType)) return SqlState.undefinedFunction;
        if (e.entryType === 'Type') return SqlState.undefinedObject;
        if (e.entryType === 'Sequence' || e.entryType === 'Index') return SqlState.undefinedTable;
        if (/^(Table|View) with name/.test(msg) || e.entryType === 'Table' || e.entryType === 'View') return SqlState.undefinedTable;
        if (/^Catalog/.test(msg)) return SqlState.invalidCatalogName;
        return SqlState.undefinedObject;
      }
      if (e.subtype === 'ENTRY_ALREADY_EXISTS' || / already exists/.test(msg)) {
        if (e.entryType === 'Schema') return SqlState.duplicateSchema;
        if (e.entryType === 'Table' || e.entryType === 'View') return SqlState.duplicateTable;
        if (e.entryType && FUNCTION_ENTRY_TYPES.has(e.entryType)) return '42723';
        return SqlState.duplicateObject;
      }
      if (/depend/i.test(msg)) return SqlState.dependentObjectsStillExist;
      if (/is not an? /.test(msg)) return SqlState.wrongObjectType;
      return SqlState.undefinedObject;
    case 'Binder':
      if (e.subtype === 'COLUMN_NOT_FOUND' || /Referenced column .* not found|column .* does not exist|not found in FROM clause/i.test(msg)) return SqlState.undefinedColumn;
      if (/Ambiguous reference/i.test(msg)) return SqlState.ambiguousColumn;
      if (/must appear in the GROUP BY clause|GROUP BY/i.test(msg)) return SqlState.groupingError;
      if (/No function matches|Could not choose a best candidate function|No function with name/i.test(msg)) return SqlState.undefinedFunction;
      if (/Cannot compare|Cannot mix|cannot be cast|type mismatch/i.test(msg)) return SqlState.datatypeMismatch;
      if (/duplicate column|Duplicate column/i.test(msg)) return SqlState.duplicateColumn;
      if (/ORDER term out of range|GROUP BY term out of range/.test(msg)) return SqlState.invalidColumnReference;
      if (/window/i.test(msg)) return SqlState.windowingError;
      if (/^Prepared statement ".*" does not exist/.test(msg)) return SqlState.invalidSqlStatementName;
      if (/Could not determine type of parameters|parameter/i.test(msg)) return SqlState.indeterminateDatatype;
      return '42000';
    case 'Conversion':
      if (/out of range/i.test(lower) && /date|time|interval/i.test(lower)) return SqlState.datetimeFieldOverflow;
      if (/out of range|overflow/i.test(lower)) return SqlState.numericValueOutOfRange;
      if (/date|time|interval/i.test(lower)) return SqlState.invalidDatetimeFormat;
      if (/utf-?8|unicode/i.test(lower)) return SqlState.characterNotInRepertoire;
      return SqlState.invalidTextRepresentation;
    case 'Out of Range':
    case 'Decimal':
      if (/division by zero|divide by zero/i.test(lower)) return SqlState.divisionByZero;
      return SqlState.numericValueOutOfRange;
    case 'Divide by Zero':
      return SqlState.divisionByZero;
    case 'Constraint':
      if (/NOT NULL/i.test(msg)) return SqlState.notNullViolation;
      if (/PRIMARY KEY|UNIQUE|duplicate key/i.test(msg)) return SqlState.uniqueViolation;
      if (/CHECK/i.test(msg)) return SqlState.checkViolation;
      if (/foreign key/i.test(msg)) return SqlState.foreignKeyViolation;
      return SqlState.integrityConstraintViolation;
    case 'TransactionContext':
    case 'Transaction':
      if (/transaction is aborted/i.test(msg)) return SqlState.inFailedSqlTransaction;
      if (/conflict/i.test(msg)) return SqlState.serializationFailure;
      if (/within a transaction/i.test(msg)) return SqlState.activeSqlTransaction;
      if (/no transaction is active/i.test(msg)) return SqlState.noActiveSqlTransaction;
      if (/read.only/i.test(msg)) return SqlState.readOnlySqlTransaction;
      return SqlState.invalidTransactionState;
    case 'INTERRUPT':
    case 'Interrupt':
      return SqlState.queryCanceled;
    case 'Out of Memory':
      return SqlState.outOfMemory;
    case 'Not implemented':
    case 'Not Implemented':
      return SqlState.featureNotSupported;
    case 'Permission':
      return SqlState.insufficientPrivilege;
    case 'IO':
      if (/No files found|No such file|does not exist|not found/i.test(msg)) return '58P01';
      if (/Failed to download extension|extension/i.test(msg)) return SqlState.featureNotSupported;
      return SqlState.ioError;
    case 'Missing Extension':
    case 'Autoload':
    case 'AUTOLOAD':
    case 'Extension':
      return SqlState.featureNotSupported;
    case 'Invalid Input':
      if (/Expected \d+ parameters/i.test(msg)) return SqlState.protocolViolation;
      if (/regular expression|missing \)|regex/i.test(msg)) return SqlState.invalidRegularExpression;
      if (/Failed to cast value/i.test(msg)) return SqlState.invalidParameterValue;
      if (/division by zero/i.test(lower)) return SqlState.divisionByZero;
      return SqlState.invalidParameterValue;
    case 'Invalid Configuration':
    case 'Settings':
      return SqlState.invalidParameterValue;
    case 'Dependency':
      return SqlState.dependentObjectsStillExist;
    case 'Sequence':
      return '2200H';
    case 'Object Size':
      return SqlState.programLimitExceeded;
    case 'Mismatch Type':
    case 'Invalid type':
      return SqlState.datatypeMismatch;
    case 'Unknown Type':
      return SqlState.undefinedObject;
    case 'Parameter Not Resolved':
      return SqlState.indeterminateDatatype;
    case 'Parameter Not Allowed':
      return SqlState.syntaxError;
    case 'Invalid':
      return SqlState.invalidParameterValue;
    default:
      return SqlState.internalError;
  }
}

/** Rewords the most common DuckDB messages the way PostgreSQL phrases them. */
function pgMessage(e: DuckErrorInfo, code: string): { message: string; detail?: string; hint?: string } {
  let msg = e.message;
  let hint: string | undefined;
  const didYouMean = /\n+\s*Did you mean:?\s*(.+)$/s.exec(msg);
  if (didYouMean) {
    msg = msg.slice(0, didYouMean.index);
    // Candidates inside lakegres's own objects (the emulated catalog, hidden views) are not the client's.
    const candidates = didYouMean[1]!.trim().replace(/\?$/, '').replace(/^"|"$/g, '').split(/ or |, /).filter((c) => !/__lake/.test(c));
    if (candidates.length > 0) hint = `Did you mean ${/^"/.test(didYouMean[1]!.trim()) ? `"${candidates.join(' or ')}"` : candidates.join(' or ')}?`;
  }
  const candidateBindings = /\n+Candidate bindings: (.+)$/s.exec(msg);
  if (candidateBindings) {
    msg = msg.slice(0, candidateBindings.index);
    hint = `Candidate columns: ${candidateBindings[1]!.trim()}.`;
  }
  let detail: string | undefined;
  const nl = msg.indexOf('\n');
  if (nl >= 0) {
    detail = msg.slice(nl + 1).trim() || undefined;
    msg = msg.slice(0, nl);
  }
  msg = msg.replace(/!$/, '');
  if (code === SqlState.undefinedTable) {
    const m = /^(?:Table|View) with name "?([^"\s]+)"? does not exist/.exec(msg);
    if (m) msg = `relation "${e.name ?? m[1]}" does not exist`;
  } else if (code === SqlState.undefinedColumn) {
    const m = /^Referenced column "([^"]+)" not found/.exec(msg);
    if (m) msg = `column "${m[1]}" does not exist`;
  } else if (code === SqlState.undefinedSchema) {
    const m = /schema "?([^"\s]+)"? does not exist/i.exec(msg);
    if (m) msg = `schema "${m[1]}" does not exist`;
  } else if (code === SqlState.duplicateTable) {
    const m = /^(?:Table|View) with name "?([^"]+?)"? already exists/.exec(msg);
    if (m) msg = `relation "${m[1]}" already exists`;
  } else if (code === SqlState.duplicateSchema) {
    const m = /^Schema with name "?([^"]+?)"? already exists/.exec(msg);
    if (m) msg = `schema "${m[1]}" already exists`;
  } else if (code === SqlState.undefinedObject && e.entryType === 'configuration parameter') {
    msg = `unrecognized configuration parameter "${e.name}"`;
    hint = undefined;
  } else if (code === SqlState.undefinedFunction && e.subtype === 'MISSING_ENTRY' && e.name) {
    msg = `function ${e.name} does not exist`;
    hint = hint ?? 'No function matches the given name and argument types. You might need to add explicit type casts.';
  }
  return { message: msg, detail, hint };
}

/**
 * Converts anything thrown by the DuckDB binding into a PgError. `statement` is the SQL text
 * that DuckDB saw (for the position), `offset` where it starts in the client's query string.
 */
export function fromDuckDBError(err: unknown, statement?: string, offset = 0): PgError {
  if (err instanceof PgError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const info = parseDuckDBError(raw, statement);
  // error('[lakegres:42P01] relation "x" does not exist') from SQL lakegres generated (pgcompat rewrites).
  const raised = /\[lakegres:([0-9A-Z]{5})\] ([\s\S]*)$/.exec(info.message);
  if (raised) return new PgError(raised[1]!, raised[2]!);
  const code = codeFor(info);
  const { message, detail, hint } = pgMessage(info, code);
  const position = info.position !== undefined && Number.isFinite(info.position) && statement !== undefined ? toCharPosition(statement, info.position) + offset + 1 : undefined;
  const pgErr = new PgError(code, code === SqlState.queryCanceled ? 'canceling statement due to user request' : message, { detail, hint, position });
  if (code === SqlState.undefinedTable && info.name) pgErr.table = info.name;
  if (code === SqlState.undefinedColumn && info.name) pgErr.column = info.name;
  return pgErr;
}

/**
 * DuckDB reports byte offsets into the UTF-8 query; PostgreSQL positions count characters.
 */
function toCharPosition(statement: string, byteOffset: number): number {
  let bytes = 0;
  let chars = 0;
  for (const ch of statement) {
    if (bytes >= byteOffset) break;
    bytes += Buffer.byteLength(ch);
    chars += ch.length === 2 ? 1 : 1;
  }
  return chars;
}
