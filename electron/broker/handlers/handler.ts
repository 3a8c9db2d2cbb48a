import type { Broker } from '../cluster/broker';
import type { ApiDescriptor, ApiVersionsResponse } from '../../kafka/protocol/generated/index';
import type { Connection } from '../server/connection';
import type { RequestTime } from '../quotas/request-time';

/** What a handler knows about the request it answers. */
export interface RequestContext {
  broker: Broker;
  connection: Connection;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** The APIs and versions this broker implements, from the handler registry (for ApiVersions). */
  supportedApis: ApiVersionsResponse['apiKeys'];
  /**
   * The release played advertises this version but refuses it (Kafka 4.0+: Produce v0-2, KAFKA-18659):
   * the handler answers UNSUPPORTED_VERSION for every entity instead of doing the work.
   */
  versionRefused?: boolean;
  /**
   * How long the client is to be throttled for a quota (KIP-13, KIP-124): set by handlers (produce and
   * fetch byte rates) and by the dispatcher (request time); the dispatcher answers with it and mutes the
   * channel (KIP-219). 0 when within every quota.
   */
  throttleTimeMs: number;
  /**
   * The request's handling time under a request quota (KIP-124), when the client has one: recorded by
   * the dispatcher once the handler returns, or by the handler first if it answers according to it.
   */
  requestTime?: RequestTime;
  /** The request's size in bytes (header included), as Kafka's produce quota counts it. */
  requestSize: number;
}

/**
 * An answer that comes later although the request's work is done (an acks=all produce, appended,
 * waiting for its followers): unlike a plain promise, it lets the connection handle the next request
 * meanwhile when that request's API `overlaps`. Answers still go out in request order.
 */
export class Deferred<Res> {
  constructor(readonly answer: Promise<Res | null>) {}
}

/**
 * One Kafka API as the broker implements it: the versions it supports (ApiVersions advertises exactly
 * these) and a function from request to response. Handlers answer per-entity error codes; they throw
 * only on bugs. Returning null sends no response (Produce with acks=0).
 */
export interface Handler<Req, Res> {
  api: ApiDescriptor<Req, Res>;
  minVersion: number;
  maxVersion: number;
  handle(request: Req, context: RequestContext): Res | null | Promise<Res | null> | Deferred<Res>;
  /**
   * Whether a request of this API may be handled while earlier requests on its connection wait with a
   * Deferred answer (Produce: appends stay in arrival order, so does every answer).
   */
  overlaps?: boolean;
  /**
   * Only ZooKeeper-mode brokers listed this API (the controller's requests to brokers and the brokers'
   * to the controller): advertised when a release played in ZooKeeper mode lists it, never by the
   * default broker, which answers as the newest KRaft release.
   */
  zooKeeperModeOnly?: boolean;
}

/** Declares a handler with its types inferred from the API descriptor. */
export function defineHandler<Req, Res>(handler: Handler<Req, Res>): Handler<Req, Res> {
  if (handler.minVersion < handler.api.minVersion || handler.maxVersion > handler.api.maxVersion) {
    throw new Error(
      `${handler.api.name} handler versions ${handler.minVersion}-${handler.maxVersion} exceed the schema's ${handler.api.minVersion}-${handler.api.maxVersion}`,
    );
  }
  return handler;
}

export type AnyHandler = Handler<unknown, unknown>;

/** The implemented APIs by key (registry.ts builds it; release-apis.ts reads it without importing the dispatcher). */
export interface HandlerRegistry {
  get(apiKey: number): AnyHandler | undefined;
  all(): readonly AnyHandler[];
}
