import type { Connection, DeferredResponse, ResponseChunks } from './connection';

/**
 * Turns a request frame into a response for the broker that received it (see handlers/registry.ts).
 * The server layer knows that broker only as `Target`, handed through to the handlers: it needs nothing
 * of it, so it imports no broker module (the cluster supplies a RequestDispatcher<Broker>).
 */
export interface RequestDispatcher<Target> {
  handleFrame(frame: Buffer, connection: Connection, target: Target): ResponseChunks | Promise<ResponseChunks> | DeferredResponse;
  /** Whether the frame may be handled while earlier requests of its connection wait (see DeferredResponse). */
  mayOverlap?(frame: Buffer): boolean;
}
