// Requests the client library does not offer, or reads too strictly, sent on the library's own
// connections (so TLS, SASL and timeouts stay the connection's) but encoded and decoded with the
// project's generated codec. The library's Metadata and ListOffsets parsers throw on any partition
// error code (a partition without a leader is LEADER_NOT_AVAILABLE), which turns one offline
// partition into a failure of the whole read; the generated decoders keep every error code as data.
import {
  Writer as LibraryWriter,
  kGetBootstrapConnection,
  kGetConnection,
  type Base,
  type Connection,
  type Reader as LibraryReader,
} from '@platformatic/kafka';
import type { ApiDescriptor } from '../../kafka/protocol/generated/index';
import { Reader } from '../../kafka/protocol/reader';
import { describeUnsupportedApi } from '../../core/errors';
import { Writer } from '../../kafka/protocol/writer';

/** Any client of the library (Admin, Producer, Consumer): they share connections and API lookup. */
export type KafkaClient = Base;

interface ApiRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

// ApiVersions answers per client: one round trip per client, not per request.
const apiRanges = new WeakMap<KafkaClient, Promise<ApiRange[]>>();

function supportedApis(admin: KafkaClient): Promise<ApiRange[]> {
  let ranges = apiRanges.get(admin);
  if (!ranges) {
    ranges = admin.listApis();
    // A failed ApiVersions (cluster down) is asked again next time.
    ranges.catch(() => apiRanges.delete(admin));
    apiRanges.set(admin, ranges);
  }
  return ranges;
}

/** Whether the cluster (as its bootstrap broker says) lists `apiKey` at all. */
export async function supportsApi(admin: KafkaClient, apiKey: number): Promise<boolean> {
  return (await supportedApis(admin)).some((entry) => entry.apiKey === apiKey);
}

/** The newest version of `apiKey` the cluster (as its bootstrap broker says) lists, or null without it. */
export async function apiMaxVersion(admin: KafkaClient, apiKey: number): Promise<number | null> {
  return (await supportedApis(admin)).find((entry) => entry.apiKey === apiKey)?.maxVersion ?? null;
}

/** Thrown when the cluster does not speak any version of an API this codec knows. */
export class UnsupportedApiError extends Error {
  constructor(readonly api: string) {
    super(describeUnsupportedApi(api));
    this.name = 'UnsupportedApiError';
  }
}

/** The highest version both the cluster (as its bootstrap broker says) and the codec speak. */
export async function negotiateVersion(admin: KafkaClient, api: ApiDescriptor<unknown, unknown>, highest = api.maxVersion): Promise<number> {
  const range = (await supportedApis(admin)).find((entry) => entry.apiKey === api.apiKey);
  const version = Math.min(range?.maxVersion ?? -1, highest);
  if (!range || version < Math.max(range.minVersion, api.minVersion)) throw new UnsupportedApiError(api.name);
  return version;
}

const API_VERSIONS_KEY = 18;

/** Sends one request on a library connection and decodes the answer with the generated codec. */
export function send<Req, Res>(connection: Connection, api: ApiDescriptor<Req, Res>, version: number, request: Req): Promise<Res> {
  const flexible = version >= api.firstFlexibleVersion;
  const body = new Writer();
  api.encodeRequest(body, version, request);
  const payload = LibraryWriter.create().append(body.toBuffer());
  return new Promise<Res>((resolve, reject) => {
    connection.send(
      api.apiKey,
      version,
      () => payload,
      // The library has read the response header (and skipped its tagged fields when flexible).
      (_correlationId: number, _apiKey: number, _apiVersion: number, reader: LibraryReader) =>
        api.decodeResponse(new Reader(reader.buffer.slice(reader.position)), version),
      flexible,
      // ApiVersions answers with header v0 at every version, so a client that does not know the
      // broker's versions yet can read it (KIP-511).
      flexible && api.apiKey !== API_VERSIONS_KEY,
      (error, response) => (error ? reject(error) : resolve(response as Res)),
    );
  });
}

/** The connection the library uses to bootstrap: the first broker of the list that answers. */
export function bootstrapConnection(admin: KafkaClient): Promise<Connection> {
  return new Promise((resolve, reject) =>
    admin[kGetBootstrapConnection]((error, connection) => (error || !connection ? reject(error ?? new Error('no connection')) : resolve(connection))),
  );
}

/** A connection to one broker at a known address (from Metadata, or remembered from an earlier one). */
export function brokerConnection(admin: KafkaClient, broker: { host: string; port: number }): Promise<Connection> {
  return new Promise((resolve, reject) =>
    admin[kGetConnection](broker, (error, connection) => (error || !connection ? reject(error ?? new Error('no connection')) : resolve(connection))),
  );
}
