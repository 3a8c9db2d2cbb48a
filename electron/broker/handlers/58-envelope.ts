import { Envelope } from '../../kafka/protocol/generated/index';
import { CloseConnection } from '../server/connection';
import { defineHandler } from './handler';

/**
 * Envelope (KIP-590: a broker forwards a client's request to the controller, with the client's
 * principal): listed by ZooKeeper-mode releases 3.4-3.9. Kafka's handleEnvelope accepts it only on
 * the inter-broker listener and closes any other connection that sends one, before authorization.
 * The embedded brokers' listeners are all client listeners (their controller needs no forwarding), so
 * every Envelope closes its connection, as on Kafka's client listeners.
 */
export const envelopeHandler = defineHandler({
  api: Envelope,
  minVersion: 0,
  maxVersion: 0,
  zooKeeperModeOnly: true,
  handle: () => {
    throw new CloseConnection('sent an Envelope request, which is only accepted on the inter-broker listener');
  },
});
