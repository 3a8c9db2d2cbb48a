import { ProtocolDecodeError, ProtocolEncodeError } from './errors';
import { apiDescriptors, type ApiDescriptor } from './generated/index';
import { writeNoTaggedFields } from './generated/runtime';
import { Reader, type RawTaggedField } from './reader';
import { Writer } from './writer';

/**
 * Request and response headers (RequestHeader.json, ResponseHeader.json), written by hand because every
 * request goes through them.
 *
 *   request v0: apiKey INT16, apiVersion INT16, correlationId INT32
 *   request v1: + clientId NULLABLE_STRING
 *   request v2: + tagged fields (clientId stays a classic INT16-length string)
 *   response v0: correlationId INT32
 *   response v1: + tagged fields
 *
 * Flexible API versions use request header v2 and response header v1, except ApiVersions, whose response
 * header is always v0 (a client that does not yet know the broker's versions must be able to read it), and
 * ControlledShutdown v0, which uses request header v0.
 */

export type RequestHeaderVersion = 0 | 1 | 2;
export type ResponseHeaderVersion = 0 | 1;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** Null in header v0 and when the client sends a null id. */
  clientId: string | null;
  /** Tagged fields of header v2 (none are defined; kept for a faithful round trip). */
  unknownTaggedFields?: RawTaggedField[];
}

export interface ResponseHeader {
  correlationId: number;
  unknownTaggedFields?: RawTaggedField[];
}

const API_VERSIONS_KEY = 18;
const CONTROLLED_SHUTDOWN_KEY = 7;

type Descriptors = ReadonlyMap<number, ApiDescriptor<unknown, unknown>>;

/**
 * The request header version for an API version. Flexibility only ever starts at some version and stays,
 * so versions newer than we know are flexible when the API has flexible versions at all. APIs we do not
 * describe are assumed non-flexible (header v1).
 */
export function requestHeaderVersion(apiKey: number, apiVersion: number, descriptors: Descriptors = apiDescriptors): RequestHeaderVersion {
  if (apiKey === CONTROLLED_SHUTDOWN_KEY && apiVersion === 0) return 0;
  const descriptor = descriptors.get(apiKey);
  if (descriptor === undefined) return 1;
  return apiVersion >= descriptor.firstFlexibleVersion ? 2 : 1;
}

/** The response header version for an API version: v1 for flexible versions, v0 otherwise and always for ApiVersions. */
export function responseHeaderVersion(apiKey: number, apiVersion: number, descriptors: Descriptors = apiDescriptors): ResponseHeaderVersion {
  if (apiKey === API_VERSIONS_KEY) return 0;
  const descriptor = descriptors.get(apiKey);
  if (descriptor === undefined) return 0;
  return apiVersion >= descriptor.firstFlexibleVersion ? 1 : 0;
}

/** Reads a request header of a known header version. */
export function decodeRequestHeaderVersion(r: Reader, headerVersion: RequestHeaderVersion): RequestHeader {
  const apiKey = r.readInt16();
  const apiVersion = r.readInt16();
  const correlationId = r.readInt32();
  const clientId = headerVersion >= 1 ? r.readNullableString() : null;
  const unknownTaggedFields = headerVersion >= 2 ? r.readTaggedFields() : undefined;
  return { apiKey, apiVersion, correlationId, clientId, unknownTaggedFields };
}

export function encodeRequestHeader(w: Writer, headerVersion: RequestHeaderVersion, header: RequestHeader): void {
  w.int16(header.apiKey);
  w.int16(header.apiVersion);
  w.int32(header.correlationId);
  if (headerVersion >= 1) w.nullableString(header.clientId);
  else if (header.clientId !== null) throw new ProtocolEncodeError('request header v0 has no client id');
  if (headerVersion >= 2) writeNoTaggedFields(w, header.unknownTaggedFields);
}

export function decodeResponseHeader(r: Reader, headerVersion: ResponseHeaderVersion): ResponseHeader {
  const correlationId = r.readInt32();
  const unknownTaggedFields = headerVersion >= 1 ? r.readTaggedFields() : undefined;
  return { correlationId, unknownTaggedFields };
}

export function encodeResponseHeader(w: Writer, headerVersion: ResponseHeaderVersion, header: ResponseHeader): void {
  w.int32(header.correlationId);
  if (headerVersion >= 1) writeNoTaggedFields(w, header.unknownTaggedFields);
}

/**
 * The outcome of reading the header of a request frame:
 * - `ok`: a served API in a supported version; `r` is positioned at the body, to be read with
 *   `descriptor.decodeRequest(r, header.apiVersion)`.
 * - `unsupported-version`: a served API in a version outside [minVersion, maxVersion] (the broker answers
 *   ApiVersions with UNSUPPORTED_VERSION and its own versions, and closes the connection for others).
 * - `unknown-api`: an API key we do not serve.
 * For the last two the header was read as far as possible (`clientId` is null when it could not be read)
 * and `r` is left at an unspecified position: the body must not be decoded.
 */
export type RequestHeaderResult =
  | { kind: 'ok'; header: RequestHeader; headerVersion: RequestHeaderVersion; descriptor: ApiDescriptor<unknown, unknown> }
  | { kind: 'unsupported-version'; header: RequestHeader; headerVersion: RequestHeaderVersion; descriptor: ApiDescriptor<unknown, unknown> }
  | { kind: 'unknown-api'; header: RequestHeader; headerVersion: RequestHeaderVersion };

/**
 * Reads the header of a request frame (the bytes after the INT32 size), choosing the header version from
 * the API key and version it starts with. Throws {@link ProtocolDecodeError} only when the frame is too short
 * to hold an API key, version and correlation id, or when the header of a supported request is malformed.
 */
export function decodeRequestHeader(r: Reader, descriptors: Descriptors = apiDescriptors): RequestHeaderResult {
  if (r.remaining < 8) throw new ProtocolDecodeError(`request frame of ${r.remaining} bytes is too short for a header`, r.offset);
  const start = r.offset;
  const apiKey = r.buffer.readInt16BE(start);
  const apiVersion = r.buffer.readInt16BE(start + 2);
  const headerVersion = requestHeaderVersion(apiKey, apiVersion, descriptors);
  const descriptor = descriptors.get(apiKey);
  if (descriptor !== undefined && apiVersion >= descriptor.minVersion && apiVersion <= descriptor.maxVersion) {
    return { kind: 'ok', header: decodeRequestHeaderVersion(r, headerVersion), headerVersion, descriptor };
  }
  // Best effort: the correlation id is always readable; the client id usually is.
  r.offset = start + 4;
  const correlationId = r.readInt32();
  let clientId: string | null = null;
  if (headerVersion >= 1) {
    try {
      clientId = r.readNullableString();
    } catch (error) {
      if (!(error instanceof ProtocolDecodeError)) throw error;
    }
  }
  const header: RequestHeader = { apiKey, apiVersion, correlationId, clientId };
  if (descriptor === undefined) return { kind: 'unknown-api', header, headerVersion };
  return { kind: 'unsupported-version', header, headerVersion, descriptor };
}

function frame(w: Writer): Buffer[] {
  const chunks = w.toBuffers();
  const size = Buffer.allocUnsafe(4);
  size.writeInt32BE(w.length, 0);
  return [size, ...chunks];
}

/**
 * A complete response frame (INT32 size, header, body) as chunks for a vectored socket write. Large byte
 * fields (fetched record batches) stay by reference.
 */
export function encodeResponseFrame<Res>(descriptor: ApiDescriptor<unknown, Res>, apiVersion: number, correlationId: number, body: Res): Buffer[] {
  const w = new Writer(512);
  encodeResponseHeader(w, responseHeaderVersion(descriptor.apiKey, apiVersion), { correlationId });
  descriptor.encodeResponse(w, apiVersion, body);
  return frame(w);
}

/** A complete request frame (INT32 size, header, body), for clients and tests. */
export function encodeRequestFrame<Req>(
  descriptor: ApiDescriptor<Req, unknown>,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: Req,
): Buffer[] {
  const w = new Writer(512);
  const headerVersion = requestHeaderVersion(descriptor.apiKey, apiVersion);
  encodeRequestHeader(w, headerVersion, { apiKey: descriptor.apiKey, apiVersion, correlationId, clientId: headerVersion === 0 ? null : clientId });
  descriptor.encodeRequest(w, apiVersion, body);
  return frame(w);
}
