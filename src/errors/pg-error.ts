/** An error destined for the client as an ErrorResponse (or a NoticeResponse for warnings). */

export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

export interface PgErrorFields {
  severity?: Severity;
  detail?: string;
  hint?: string;
  /** 1-based character position in the query string. */
  position?: number;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  where?: string;
}

export class PgError extends Error {
  readonly code: string;
  readonly severity: Severity;
  detail?: string;
  hint?: string;
  position?: number;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  where?: string;

  constructor(code: string, message: string, fields: PgErrorFields = {}) {
    super(message);
    this.code = code;
    this.severity = fields.severity ?? 'ERROR';
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
    this.schema = fields.schema;
    this.table = fields.table;
    this.column = fields.column;
    this.dataType = fields.dataType;
    this.constraint = fields.constraint;
    this.where = fields.where;
  }

  /** Same error with its position shifted, for statements cut out of a longer query string. */
  withPositionOffset(offset: number): PgError {
    if (this.position !== undefined) this.position += offset;
    return this;
  }
}

/** SQLSTATE codes used by lakegres (PostgreSQL Appendix A names). */
export const SqlState = {
  successfulCompletion: '00000',
  warning: '01000',
  noActiveSqlTransaction: '25P01',
  activeSqlTransaction: '25001',
  inFailedSqlTransaction: '25P02',
  readOnlySqlTransaction: '25006',
  cardinalityViolation: '21000',
  invalidTransactionState: '25000',
  connectionException: '08000',
  protocolViolation: '08P01',
  connectionFailure: '08006',
  featureNotSupported: '0A000',
  invalidAuthorizationSpecification: '28000',
  invalidPassword: '28P01',
  invalidCatalogName: '3D000',
  syntaxError: '42601',
  undefinedTable: '42P01',
  undefinedColumn: '42703',
  undefinedFunction: '42883',
  undefinedObject: '42704',
  undefinedSchema: '3F000',
  duplicateTable: '42P07',
  duplicateSchema: '42P06',
  duplicateObject: '42710',
  duplicateColumn: '42701',
  duplicateCursor: '42P03',
  duplicatePreparedStatement: '42P05',
  ambiguousColumn: '42702',
  ambiguousFunction: '42725',
  datatypeMismatch: '42804',
  wrongObjectType: '42809',
  invalidName: '42602',
  insufficientPrivilege: '42501',
  dependentObjectsStillExist: '2BP01',
  invalidCursorName: '34000',
  invalidSqlStatementName: '26000',
  invalidCursorState: '24000',
  objectNotInPrerequisiteState: '55000',
  invalidParameterValue: '22023',
  invalidTextRepresentation: '22P02',
  invalidBinaryRepresentation: '22P03',
  numericValueOutOfRange: '22003',
  divisionByZero: '22012',
  stringDataRightTruncation: '22001',
  invalidDatetimeFormat: '22007',
  datetimeFieldOverflow: '22008',
  characterNotInRepertoire: '22021',
  untranslatableCharacter: '22P05',
  badCopyFileFormat: '22P04',
  dataException: '22000',
  nullValueNotAllowed: '22004',
  invalidEscapeSequence: '22025',
  arraySubscriptError: '2202E',
  notNullViolation: '23502',
  foreignKeyViolation: '23503',
  uniqueViolation: '23505',
  checkViolation: '23514',
  integrityConstraintViolation: '23000',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  queryCanceled: '57014',
  adminShutdown: '57P01',
  cannotConnectNow: '57P03',
  tooManyConnections: '53300',
  outOfMemory: '53200',
  diskFull: '53100',
  insufficientResources: '53000',
  programLimitExceeded: '54000',
  ioError: '58030',
  internalError: 'XX000',
  idleInTransactionSessionTimeout: '25P03',
  undefinedParameter: '42P02',
  invalidRegularExpression: '2201B',
  cantChangeRuntimeParam: '55P02',
  invalidSchemaName: '3F000',
  invalidColumnReference: '42P10',
  groupingError: '42803',
  windowingError: '42P20',
  invalidRecursion: '42P19',
  indeterminateDatatype: '42P18',
  cannotCoerce: '42846',
  invalidTableDefinition: '42P16',
  readOnlyFeature: '25006',
  configFileError: 'F0000',
} as const;

export const protocolViolation = (message: string) => new PgError(SqlState.protocolViolation, message, { severity: 'FATAL' });
