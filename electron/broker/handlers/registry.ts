import type { Broker } from '../cluster/broker';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ProtocolDecodeError } from '../../kafka/protocol/errors';
import { ApiVersions, type ApiVersionsResponse } from '../../kafka/protocol/generated/index';
import { decodeRequestHeader, encodeResponseFrame } from '../../kafka/protocol/headers';
import { Reader } from '../../kafka/protocol/reader';
import { CloseConnection, DeferredResponse, type Connection, type ResponseChunks } from '../server/connection';
import type { RequestDispatcher } from '../server/dispatcher';
import { Deferred, type AnyHandler, type HandlerRegistry, type RequestContext } from './handler';
import { handlers } from './index';
import { advertisedApisFor } from './release-apis';
import type { KafkaReleaseId, MetadataMode } from '../../kafka/releases';
import { clientThrottles, quotaIdentity } from '../quotas/throttle';
import { RequestTime } from '../quotas/request-time';

/** Requests no request quota counts (KIP-124): the handshake a client needs before anything else, and the brokers' own. */
const REQUEST_QUOTA_EXEMPT = new Set<number>([17, 18, 27, 36]);

export type { HandlerRegistry } from './handler';

/**
 * A handler's answer in the request's version; null (no response: Produce acks=0) stays null. A client
 * over a quota (KIP-219): the answer says for how long, and the channel reads nothing more until then;
 * a client too old to throttle itself gets its answer only after that time.
 */
function encodeAnswer(
  handler: AnyHandler,
  header: { apiKey: number; apiVersion: number; correlationId: number },
  context: RequestContext,
  connection: Connection,
  response: unknown,
): ResponseChunks | Promise<ResponseChunks> {
  const throttle = context.throttleTimeMs;
  if (throttle <= 0) return response === null ? null : encodeResponseFrame(handler.api, header.apiVersion, header.correlationId, response);
  if (response !== null && typeof response === 'object' && 'throttleTimeMs' in response) {
    const body = response as { throttleTimeMs: number };
    body.throttleTimeMs = Math.max(body.throttleTimeMs, throttle);
  }
  connection.mute(throttle);
  const chunks = response === null ? null : encodeResponseFrame(handler.api, header.apiVersion, header.correlationId, response);
  if (clientThrottles(header.apiKey, header.apiVersion)) return chunks;
  return new Promise((resolve) => setTimeout(() => resolve(chunks), throttle));
}

/** The registry of implemented APIs; ApiVersions advertises exactly these versions. */
export function createRegistry(list: readonly AnyHandler[] = handlers): HandlerRegistry {
  const byKey = new Map<number, AnyHandler>();
  for (const handler of list) {
    if (byKey.has(handler.api.apiKey)) throw new Error(`two handlers for API key ${handler.api.apiKey}`);
    byKey.set(handler.api.apiKey, handler);
  }
  const sorted = [...byKey.values()].sort((a, b) => a.api.apiKey - b.api.apiKey);
  return { get: (apiKey) => byKey.get(apiKey), all: () => sorted };
}

/** The ApiVersions list built from the registry (with no release played: ZooKeeper-mode APIs left out). */
export function supportedApiKeys(registry: HandlerRegistry): ApiVersionsResponse['apiKeys'] {
  return registry
    .all()
    .filter((h) => !h.zooKeeperModeOnly)
    .map((h) => ({ apiKey: h.api.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
}

/**
 * Decodes each request, hands it to its handler and encodes the answer in the request's version.
 * A request the broker cannot understand (unknown API key, unsupported version, malformed body) closes
 * its own connection with a logged reason — except ApiVersions in a version we do not know, which by
 * the protocol's rule gets a v0 answer with UNSUPPORTED_VERSION (and, without a release to play, the
 * full list; see release-apis.ts for what a release answers), so the client can pick a version we support.
 * With `release`, the brokers advertise and accept what that Kafka release did (release-apis.ts).
 */
export function createDispatcher(
  registry: HandlerRegistry = createRegistry(),
  options: { release?: KafkaReleaseId | null; mode?: MetadataMode; clientTelemetry?: boolean } = {},
): RequestDispatcher<Broker> {
  const advertised = advertisedApisFor(registry, options.release ?? null, { clientTelemetry: options.clientTelemetry, mode: options.mode });
  const supportedApis = advertised.list;
  return {
    mayOverlap(frame: Buffer): boolean {
      return frame.length >= 2 && registry.get(frame.readInt16BE(0))?.overlaps === true;
    },
    handleFrame(frame: Buffer, connection: Connection, broker: Broker): ResponseChunks | Promise<ResponseChunks> | DeferredResponse {
      const reader = new Reader(frame);
      let result;
      try {
        result = decodeRequestHeader(reader);
      } catch (error) {
        if (error instanceof ProtocolDecodeError) throw new CloseConnection(`malformed request header: ${error.message}`);
        throw error;
      }
      const { header } = result;
      if (result.kind === 'unknown-api') {
        throw new CloseConnection(`unknown API key ${header.apiKey} (version ${header.apiVersion}, correlation id ${header.correlationId})`);
      }
      const handler = registry.get(header.apiKey);
      const range = advertised.range(header.apiKey);
      const inRange = handler && range && header.apiVersion >= range[0] && header.apiVersion <= range[1];
      if (result.kind === 'unsupported-version' || !handler || !inRange) {
        if (header.apiKey === ApiVersions.apiKey) {
          const body: ApiVersionsResponse = {
            errorCode: ErrorCode.UNSUPPORTED_VERSION,
            apiKeys: advertised.unsupportedApiVersionsKeys,
            throttleTimeMs: 0,
            supportedFeatures: [],
            finalizedFeaturesEpoch: -1n,
            finalizedFeatures: [],
            zkMigrationReady: false,
          };
          return encodeResponseFrame(ApiVersions, 0, header.correlationId, body);
        }
        const played = advertised.release === null ? '' : ` (playing Kafka ${advertised.release})`;
        throw new CloseConnection(`unsupported version ${header.apiVersion} of API ${header.apiKey}${played} (correlation id ${header.correlationId})`);
      }
      if (header.clientId !== null) connection.clientId = header.clientId;
      let request: unknown;
      try {
        request = handler.api.decodeRequest(reader, header.apiVersion);
      } catch (error) {
        if (error instanceof ProtocolDecodeError) {
          throw new CloseConnection(`malformed ${handler.api.name} v${header.apiVersion} request: ${error.message}`);
        }
        throw error;
      }
      // KIP-124: the time a request holds the broker's thread, as a percentage of one thread per second.
      const requestTime =
        !REQUEST_QUOTA_EXEMPT.has(header.apiKey) && broker.controller.clientQuotas.inUse('request_percentage')
          ? new RequestTime(broker.clientQuotas.request, quotaIdentity(connection, header.clientId))
          : undefined;
      const context: RequestContext = {
        broker,
        connection,
        apiVersion: header.apiVersion,
        correlationId: header.correlationId,
        clientId: header.clientId,
        supportedApis,
        versionRefused: advertised.refuses(header.apiKey, header.apiVersion),
        throttleTimeMs: 0,
        requestSize: frame.length,
        requestTime,
      };
      const answer = handler.handle(request, context);
      // Recorded here unless the handler did (a fetch, before it answered).
      const requestThrottle = context.requestTime?.record() ?? 0;
      if (requestThrottle > 0) context.throttleTimeMs = Math.max(context.throttleTimeMs, requestThrottle);
      // Arrows passed inline, not bound to a name: tsx/esbuild's keepNames would otherwise call __name
      // (a defineProperty) on each closure of every request, a measurable share of the produce path.
      if (answer instanceof Deferred)
        return new DeferredResponse(answer.answer.then((response) => encodeAnswer(handler, header, context, connection, response)));
      return answer instanceof Promise
        ? answer.then((response) => encodeAnswer(handler, header, context, connection, response))
        : encodeAnswer(handler, header, context, connection, answer);
    },
  };
}
