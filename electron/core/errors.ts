// The app's errors: AppError, which services throw on purpose with words written for the user, and
// toIpcError, which turns whatever a service throws into the typed error the renderer receives (the
// IPC registry and the services that report errors in events use it). The renderer never sees a raw
// exception; bugs become `internal` errors and are logged here.
import { z } from 'zod';
import type { IpcError } from '../../shared/ipc/contract';
import { appLogger, type LogFields, type Logger } from './logger';
import { codeOf, describeNetworkFailure, flatten } from './network-errors';
import { ApiKey } from '../kafka/protocol/api-keys';
import { firstReleaseSupporting } from '../kafka/releases';

export type IpcErrorKind = IpcError['kind'];

/** An error a service throws on purpose: its message is already written for the user. */
export class AppError extends Error {
  readonly kind: IpcErrorKind;
  readonly kafkaCode: string | undefined;
  readonly recovery: IpcError['recovery'];
  readonly failure: IpcError['failure'];
  readonly hint: string | undefined;

  constructor(
    kind: IpcErrorKind,
    message: string,
    options: { kafkaCode?: string; cause?: unknown; recovery?: IpcError['recovery']; failure?: IpcError['failure']; hint?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.kafkaCode = options.kafkaCode;
    this.recovery = options.recovery;
    this.failure = options.failure;
    this.hint = options.hint;
  }
}

// Kafka error names (as @platformatic/kafka reports them in `apiId`) that deserve better words than
// the protocol's own description, and the kind of error each one is.
const kafkaErrorWords: Record<string, { kind: IpcErrorKind; message: string }> = {
  TOPIC_ALREADY_EXISTS: { kind: 'conflict', message: 'A topic with this name already exists.' },
  UNKNOWN_TOPIC_OR_PARTITION: { kind: 'not-found', message: 'This topic or partition does not exist on the cluster.' },
  UNKNOWN_TOPIC_ID: { kind: 'not-found', message: 'This topic does not exist on the cluster.' },
  INVALID_REPLICATION_FACTOR: {
    kind: 'kafka',
    message: 'The replication factor is larger than the number of brokers that are running.',
  },
  INVALID_PARTITIONS: { kind: 'kafka', message: 'The number of partitions is not valid.' },
  INVALID_TOPIC_EXCEPTION: { kind: 'kafka', message: 'The cluster refused this topic name.' },
  INVALID_CONFIG: { kind: 'kafka', message: 'The cluster refused one of the configs.' },
  // Kafka 0.11's default (delete.topic.enable=false), and any cluster configured so.
  TOPIC_DELETION_DISABLED: { kind: 'kafka', message: 'This cluster does not allow deleting topics: its delete.topic.enable is false.' },
  POLICY_VIOLATION: { kind: 'kafka', message: 'The request breaks a policy set on the cluster.' },
  TOPIC_AUTHORIZATION_FAILED: { kind: 'kafka', message: 'This user is not allowed to act on this topic.' },
  CLUSTER_AUTHORIZATION_FAILED: { kind: 'kafka', message: 'This user is not allowed to act on the cluster.' },
  SASL_AUTHENTICATION_FAILED: { kind: 'kafka', message: 'The cluster refused the user name or password.' },
  UNSUPPORTED_SASL_MECHANISM: { kind: 'kafka', message: 'The cluster does not accept this SASL mechanism.' },
  NOT_CONTROLLER: { kind: 'unavailable', message: 'The cluster is electing a controller; try again in a moment.' },
  LEADER_NOT_AVAILABLE: { kind: 'unavailable', message: 'A partition has no leader right now; try again in a moment.' },
  NOT_LEADER_OR_FOLLOWER: { kind: 'unavailable', message: 'Partition leadership is moving; try again in a moment.' },
  NOT_ENOUGH_REPLICAS: { kind: 'kafka', message: 'Too few replicas are in sync to accept the write (min.insync.replicas).' },
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: { kind: 'kafka', message: 'Too few replicas were in sync to confirm the write.' },
  MESSAGE_TOO_LARGE: { kind: 'kafka', message: 'The record is larger than the topic accepts (max.message.bytes).' },
  RECORD_LIST_TOO_LARGE: { kind: 'kafka', message: 'The batch is larger than the broker accepts.' },
  REQUEST_TIMED_OUT: { kind: 'unavailable', message: 'The cluster did not answer in time.' },
  OFFSET_OUT_OF_RANGE: { kind: 'kafka', message: 'The offset is outside the partition.' },
  NON_EMPTY_GROUP: { kind: 'conflict', message: 'The group has active members; stop its consumers first.' },
  GROUP_ID_NOT_FOUND: { kind: 'not-found', message: 'This consumer group does not exist on the cluster.' },
  GROUP_SUBSCRIBED_TO_TOPIC: { kind: 'conflict', message: 'Consumers of the group are subscribed to this topic; stop them first.' },
  INVALID_GROUP_ID: { kind: 'invalid-request', message: 'The cluster refused this group id.' },
  GROUP_AUTHORIZATION_FAILED: { kind: 'kafka', message: 'This user is not allowed to act on this consumer group.' },
  COORDINATOR_NOT_AVAILABLE: { kind: 'unavailable', message: "The group's coordinator is not available; try again in a moment." },
  NOT_COORDINATOR: { kind: 'unavailable', message: "The group's coordinator is moving; try again in a moment." },
  COORDINATOR_LOAD_IN_PROGRESS: { kind: 'unavailable', message: 'The coordinator is still loading the groups; try again in a moment.' },
  REBALANCE_IN_PROGRESS: { kind: 'conflict', message: 'The group is rebalancing; try again when it is stable.' },
  // Kafka 4.0+ (KIP-848 regex subscriptions, KIP-1152 transactional id patterns): Kafka parses them as RE2/J.
  INVALID_REGULAR_EXPRESSION: {
    kind: 'invalid-request',
    message: 'The cluster rejected the regular expression (INVALID_REGULAR_EXPRESSION): it is not a valid RE2 expression.',
  },
  // Kafka 4.0+ (KIP-1102).
  REBOOTSTRAP_REQUIRED: {
    kind: 'unavailable',
    message: "The cluster says this client's view of it is stale and it must reconnect from the bootstrap servers (REBOOTSTRAP_REQUIRED); try again.",
  },
};

interface ProtocolErrorLike {
  apiId: string;
  serverErrorMessage?: string | null;
  message: string;
}

function isProtocolErrorLike(error: unknown): error is ProtocolErrorLike {
  return error instanceof Error && typeof (error as { apiId?: unknown }).apiId === 'string';
}

export function zodIssues(error: z.ZodError): NonNullable<IpcError['issues']> {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** The typed error for whatever was thrown; an unexpected one is logged (with `context`, e.g. the channel). */
export function toIpcError(error: unknown, logger: Logger = appLogger, context: LogFields = {}): IpcError {
  if (error instanceof AppError) {
    return {
      kind: error.kind,
      message: error.message,
      ...(error.kafkaCode ? { kafkaCode: error.kafkaCode } : {}),
      ...(error.recovery ? { recovery: error.recovery } : {}),
      ...(error.failure ? { failure: error.failure } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  if (error instanceof z.ZodError) {
    const issues = zodIssues(error);
    return { kind: 'invalid-request', message: issues.map((issue) => issue.message).join(' '), issues };
  }
  const all = [...flatten(error)];
  const protocolError = all.find(isProtocolErrorLike);
  if (protocolError) {
    const words = kafkaErrorWords[protocolError.apiId];
    const detail = protocolError.serverErrorMessage ? ` (${protocolError.serverErrorMessage})` : '';
    return {
      kind: words?.kind ?? 'kafka',
      message: `${words?.message ?? protocolError.message}${detail}`,
      kafkaCode: protocolError.apiId,
    };
  }
  const codes = all.map(codeOf);
  if (codes.includes('PLT_KFK_AUTHENTICATION')) {
    return { kind: 'kafka', message: 'The cluster refused to authenticate this connection. Check the user name, password and mechanism.' };
  }
  const unsupported = all.find((inner) => codeOf(inner) === 'PLT_KFK_UNSUPPORTED_API' || (inner instanceof Error && inner.name === 'UnsupportedApiError'));
  if (unsupported) {
    return { kind: 'kafka', message: unsupportedApiWords(unsupported as Error) };
  }
  const compression = all.find((inner) => codeOf(inner) === 'PLT_KFK_UNSUPPORTED_COMPRESSION');
  if (compression) {
    return {
      kind: 'invalid-request',
      message: `Kafka Desk cannot use this compression on the runtime it runs on (Node.js ${process.versions.node}): ${(compression as Error).message.replace(/\.$/, '')}. Choose another codec.`,
    };
  }
  const network = describeNetworkFailure(error);
  if (network) return { kind: 'unavailable', message: network };
  const tlsError = all.find((inner) => codeOf(inner)?.startsWith('ERR_TLS') || codeOf(inner)?.includes('CERT'));
  if (tlsError) {
    return { kind: 'unavailable', message: `The TLS connection failed: ${(tlsError as Error).message}.` };
  }
  const systemCode = codes.find((code) => code && /^E[A-Z]+$/.test(code));
  if (codes.includes('PLT_KFK_NETWORK') || systemCode) {
    const detail = all.find((inner): inner is Error => inner instanceof Error);
    return { kind: 'unavailable', message: `The network connection failed${systemCode ? ` (${systemCode})` : ''}: ${detail?.message ?? 'no details'}` };
  }
  logger.error('Unexpected error in an IPC handler', { ...context, error });
  return { kind: 'internal', message: `Something went wrong inside Kafka Desk: ${error instanceof Error ? error.message : String(error)}` };
}

/** What the app does with each API a cluster may lack, for "… needs Kafka 2.4 or later". */
const API_ACTIONS: Readonly<Record<string, string>> = {
  OffsetDelete: "Deleting a group's offsets for one topic",
  DeleteGroups: 'Deleting a consumer group',
  IncrementalAlterConfigs: 'Changing configs one by one',
  AlterConfigs: 'Changing configs',
  DescribeConfigs: 'Reading configs',
  DescribeCluster: 'Describing the cluster',
  ElectLeaders: 'Electing preferred leaders',
  CreatePartitions: 'Adding partitions to a topic',
  DeleteRecords: 'Deleting records (purging a topic)',
  DescribeLogDirs: "Reading the brokers' log directories (replica sizes)",
  CreateTopics: 'Creating topics',
  DeleteTopics: 'Deleting topics',
  ListGroups: 'Listing consumer groups',
  DescribeGroups: 'Describing consumer groups',
  OffsetForLeaderEpoch: 'Checking offsets against leader epochs',
  ListTransactions: 'Listing transactions',
  DescribeTransactions: 'Describing transactions',
  DescribeProducers: "Listing a partition's producers",
  WriteTxnMarkers: 'Aborting a transaction',
  DescribeClientQuotas: 'Managing client quotas',
  AlterClientQuotas: 'Changing client quotas',
  ListPartitionReassignments: 'Listing partition moves (reassignments) under way',
  AlterPartitionReassignments: 'Moving partitions between brokers (reassignments)',
  DescribeUserScramCredentials: 'Listing SCRAM users',
  AlterUserScramCredentials: 'Creating, changing or deleting SCRAM users',
  DescribeAcls: 'Listing ACLs',
  CreateAcls: 'Creating ACLs',
  DeleteAcls: 'Deleting ACLs',
};

/**
 * The words for an API the cluster does not offer (the client library's UnsupportedApiError, "Unsupported
 * API OffsetDelete.", or the wire helper's, which names its API): what needs it and from which Kafka
 * release (kafka/releases.ts), instead of a bare "not supported".
 */
function unsupportedApiWords(error: Error): string {
  const named = (error as { api?: unknown }).api;
  const api = typeof named === 'string' ? named : /Unsupported API (\w+)/.exec(error.message)?.[1];
  return api === undefined ? `This request is not supported by this cluster: ${error.message}` : describeUnsupportedApi(api);
}

/** "Deleting a consumer group needs Kafka 1.1 or later (the DeleteGroups API), and this cluster does not offer it." */
export function describeUnsupportedApi(api: string): string {
  const key = apiKeyByName(api);
  const since = key === undefined ? undefined : firstReleaseSupporting(key);
  const action = API_ACTIONS[api] ?? `This request (${api})`;
  if (!since) return `${action} is not supported by this cluster (it does not offer the ${api} API).`;
  return `${action} needs Kafka ${since} or later (the ${api} API), and this cluster does not offer it.`;
}

function apiKeyByName(name: string): number | undefined {
  return (ApiKey as Readonly<Record<string, number>>)[name];
}
