import { ensureOffsetsTopic, OFFSETS_TOPIC } from '../groups/coordinator';
import { ensureTransactionStateTopic, TRANSACTION_STATE_TOPIC } from '../transactions/coordinator';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { FindCoordinator, type FindCoordinatorResponseCoordinator } from '../../kafka/protocol/generated/index';
import { defineHandler, type RequestContext } from './handler';
import { AclOperation, authorizedOnGroup, authorizedOnTransactionalId } from '../security/request-authorization';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

function notFound(key: string, errorCode: number, errorMessage: string): FindCoordinatorResponseCoordinator {
  return { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage };
}

function findOne(key: string, keyType: number, context: RequestContext): FindCoordinatorResponseCoordinator {
  const { broker } = context;
  let topic: string;
  let partition: number;
  if (keyType === KEY_TYPE_TRANSACTION) {
    if (!authorizedOnTransactionalId(context, AclOperation.DESCRIBE, key))
      return notFound(key, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, `Not authorized to access transactional id ${key}.`);
    if (!ensureTransactionStateTopic(broker)) return notFound(key, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The transaction state topic cannot be created.');
    topic = TRANSACTION_STATE_TOPIC;
    partition = broker.transactions.partitionFor(key);
  } else if (keyType === KEY_TYPE_GROUP) {
    if (!authorizedOnGroup(context, AclOperation.DESCRIBE, key))
      return notFound(key, ErrorCode.GROUP_AUTHORIZATION_FAILED, `Not authorized to access group ${key}.`);
    if (!ensureOffsetsTopic(broker)) return notFound(key, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The offsets topic cannot be created.');
    topic = OFFSETS_TOPIC;
    partition = broker.groups.partitionFor(key);
  } else {
    return notFound(key, ErrorCode.INVALID_REQUEST, `Unknown coordinator key type ${keyType}.`);
  }
  const meta = broker.controller.partition(topic, partition);
  const leader = meta && meta.leader >= 0 ? broker.liveBrokers().find((b) => b.id === meta.leader) : undefined;
  if (!leader) return notFound(key, ErrorCode.COORDINATOR_NOT_AVAILABLE, `Partition ${partition} of ${topic} has no leader.`);
  const storageError = leader.storageErrorOf(topic, partition);
  if (storageError !== null) {
    // Its coordinator cannot load or store the group or transaction until the log opens (retried by the broker).
    return notFound(key, ErrorCode.COORDINATOR_NOT_AVAILABLE, `Partition ${partition} of ${topic} cannot be opened on broker ${leader.id}: ${storageError}`);
  }
  return { key, nodeId: leader.id, ...leader.advertisedEndpoint(), errorCode: ErrorCode.NONE, errorMessage: null };
}

/**
 * FindCoordinator: the coordinator of a group (key type 0) is the leader of the group's
 * `__consumer_offsets` partition, that of a transactional id (key type 1, KIP-98) the leader of the id's
 * `__transaction_state` partition; each topic is created on the first request for it, as Kafka does.
 * Several keys at once from v4. v5 (3.8) only adds TRANSACTION_ABORTABLE, v6 (3.9) the share-group key
 * type 2 (KIP-932), which gets INVALID_REQUEST here like any unknown type.
 */
export const findCoordinatorHandler = defineHandler({
  api: FindCoordinator,
  minVersion: 0,
  maxVersion: 6,
  handle: (request, context) => {
    if (context.apiVersion >= 4) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        nodeId: -1,
        host: '',
        port: -1,
        coordinators: request.coordinatorKeys.map((key) => findOne(key, request.keyType, context)),
      };
    }
    const found = findOne(request.key, request.keyType, context);
    return {
      throttleTimeMs: 0,
      errorCode: found.errorCode,
      errorMessage: found.errorMessage,
      nodeId: found.nodeId,
      host: found.host,
      port: found.port,
      coordinators: [],
    };
  },
});
