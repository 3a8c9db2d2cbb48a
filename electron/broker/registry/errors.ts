/**
 * Confluent Schema Registry's error answers: an HTTP status and a body `{"error_code": N, "message": "..."}`
 * whose codes and wording follow Confluent's `rest/exceptions/Errors.java` (40401 subject not found,
 * 42201 invalid schema, 409 incompatible, 50001 store error, ...), so clients that switch on
 * `error_code` behave as they do against Confluent.
 */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }

  body(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const ErrorCodes = {
  SUBJECT_NOT_FOUND: 40401,
  VERSION_NOT_FOUND: 40402,
  SCHEMA_NOT_FOUND: 40403,
  SUBJECT_SOFT_DELETED: 40404,
  SUBJECT_NOT_SOFT_DELETED: 40405,
  SCHEMA_VERSION_SOFT_DELETED: 40406,
  SCHEMA_VERSION_NOT_SOFT_DELETED: 40407,
  SUBJECT_COMPATIBILITY_NOT_CONFIGURED: 40408,
  SUBJECT_MODE_NOT_CONFIGURED: 40409,
  INCOMPATIBLE_SCHEMA: 409,
  INVALID_SCHEMA: 42201,
  INVALID_VERSION: 42202,
  INVALID_COMPATIBILITY_LEVEL: 42203,
  INVALID_MODE: 42204,
  OPERATION_NOT_PERMITTED: 42205,
  REFERENCE_EXISTS: 42206,
  ID_DOES_NOT_MATCH: 42207,
  INVALID_SUBJECT: 42208,
  SCHEMA_TOO_LARGE: 42209,
  STORE_ERROR: 50001,
  OPERATION_TIMEOUT: 50002,
  UNKNOWN_LEADER: 50004,
} as const;

const notFound = (code: number, message: string) => new RegistryError(404, code, message);
const unprocessable = (code: number, message: string) => new RegistryError(422, code, message);

export const subjectNotFound = (subject: string) => notFound(ErrorCodes.SUBJECT_NOT_FOUND, `Subject '${subject}' not found.`);
export const versionNotFound = (version: number) => notFound(ErrorCodes.VERSION_NOT_FOUND, `Version ${version} not found.`);
export const schemaNotFound = (id?: number) => notFound(ErrorCodes.SCHEMA_NOT_FOUND, id === undefined ? 'Schema not found' : `Schema ${id} not found`);
// Confluent's messages lack the space after the first sentence; clients may match on them.
export const subjectSoftDeleted = (subject: string) =>
  notFound(ErrorCodes.SUBJECT_SOFT_DELETED, `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`);
export const subjectNotSoftDeleted = (subject: string) =>
  notFound(ErrorCodes.SUBJECT_NOT_SOFT_DELETED, `Subject '${subject}' was not deleted first before being permanently deleted`);
export const versionSoftDeleted = (subject: string, version: number) =>
  notFound(ErrorCodes.SCHEMA_VERSION_SOFT_DELETED, `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`);
export const versionNotSoftDeleted = (subject: string, version: number) =>
  notFound(ErrorCodes.SCHEMA_VERSION_NOT_SOFT_DELETED, `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`);
export const subjectCompatibilityNotConfigured = (subject: string) =>
  notFound(ErrorCodes.SUBJECT_COMPATIBILITY_NOT_CONFIGURED, `Subject '${subject}' does not have subject-level compatibility configured`);
export const subjectModeNotConfigured = (subject: string) =>
  notFound(ErrorCodes.SUBJECT_MODE_NOT_CONFIGURED, `Subject '${subject}' does not have subject-level mode configured`);

export const incompatibleSchema = (subject: string, messages: string[]) =>
  new RegistryError(
    409,
    ErrorCodes.INCOMPATIBLE_SCHEMA,
    `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${messages.join(', ')}]`,
  );
export const invalidSchema = (message: string) => unprocessable(ErrorCodes.INVALID_SCHEMA, message);
export const invalidVersion = (version: string) =>
  unprocessable(
    ErrorCodes.INVALID_VERSION,
    `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
  );
export const invalidCompatibilityLevel = () =>
  unprocessable(
    ErrorCodes.INVALID_COMPATIBILITY_LEVEL,
    'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
  );
export const invalidMode = () => unprocessable(ErrorCodes.INVALID_MODE, 'Invalid mode. Valid values are READWRITE, READONLY and IMPORT.');
export const operationNotPermitted = (message: string) => unprocessable(ErrorCodes.OPERATION_NOT_PERMITTED, message);
export const referenceExists = (subject: string, version: number) =>
  unprocessable(ErrorCodes.REFERENCE_EXISTS, `One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=${subject},version=${version}}.`);
export const idDoesNotMatch = (message: string) => unprocessable(ErrorCodes.ID_DOES_NOT_MATCH, message);
export const invalidSubject = (subject: string) => unprocessable(ErrorCodes.INVALID_SUBJECT, `The specified subject '${subject}' is not a valid.`);
export const schemaTooLarge = () => unprocessable(ErrorCodes.SCHEMA_TOO_LARGE, 'Register operation failed because schema is too large');
export const storeError = (message: string) => new RegistryError(500, ErrorCodes.STORE_ERROR, message);
export const operationTimeout = (message: string) => new RegistryError(500, ErrorCodes.OPERATION_TIMEOUT, message);

/** Errors of the HTTP layer itself (rest-utils' mappers): the HTTP status doubles as the error code. */
export const httpError = (status: number, message: string) => new RegistryError(status, status, message);
