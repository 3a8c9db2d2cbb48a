import type { Broker } from '../cluster/broker';
import type { Connection, DeferredResponse, ResponseChunks } from './connection';

/** Turns a request frame into a response for the broker that received it (see handlers/registry.ts). */
export interface RequestDispatcher {
  handleFrame(frame: Buffer, connection: Connection, broker: Broker): ResponseChunks | Promise<ResponseChunks> | DeferredResponse;
  /** Whether the frame may be handled while earlier requests of its connection wait (see DeferredResponse). */
  mayOverlap?(frame: Buffer): boolean;
}
