import type { Connection } from '../server/connection';
import { AclOperation, ResourceType } from '../../kafka/protocol/acl-codes';
import { CLUSTER_NAME, SUPPORTED_OPERATIONS } from './acl';
import type { Authorizer, Requester } from './authorizer';

/** What a handler needs to authorize its request: the cluster's authorizer (if on) and the connection. */
export interface AuthorizationContext {
  broker: { security: { authorizer: Authorizer | null } | null };
  connection: Connection;
}

/** Who sent a request: the connection's principal and its client's address (IPv4 without the ::ffff: prefix). */
export function requester(connection: Connection): Requester {
  const address = connection.socket.remoteAddress ?? '';
  return { principal: connection.principal, host: address.startsWith('::ffff:') ? address.slice(7) : address };
}

/** Whether the request's principal may do `operation` on the resource; always true without an authorizer. */
export function authorized(context: AuthorizationContext, operation: number, resourceType: number, resourceName: string): boolean {
  const authorizer = context.broker.security?.authorizer;
  return !authorizer || authorizer.authorize(requester(context.connection), operation, resourceType, resourceName);
}

export const authorizedOnCluster = (context: AuthorizationContext, operation: number): boolean =>
  authorized(context, operation, ResourceType.CLUSTER, CLUSTER_NAME);
export const authorizedOnTopic = (context: AuthorizationContext, operation: number, topic: string): boolean =>
  authorized(context, operation, ResourceType.TOPIC, topic);
export const authorizedOnGroup = (context: AuthorizationContext, operation: number, group: string): boolean =>
  authorized(context, operation, ResourceType.GROUP, group);
export const authorizedOnTransactionalId = (context: AuthorizationContext, operation: number, transactionalId: string): boolean =>
  authorized(context, operation, ResourceType.TRANSACTIONAL_ID, transactionalId);

/** Whether the principal may do `operation` on some resource of the type (KIP-679's authorizeByResourceType). */
export function authorizedOnAny(context: AuthorizationContext, operation: number, resourceType: number): boolean {
  const authorizer = context.broker.security?.authorizer;
  return !authorizer || authorizer.authorizeAny(requester(context.connection), operation, resourceType);
}

/** The authorized-operations bit field of a resource (Metadata, DescribeGroups, DescribeCluster when asked). */
export function authorizedOperations(context: AuthorizationContext, resourceType: number, resourceName: string): number {
  const authorizer = context.broker.security?.authorizer;
  if (!authorizer) {
    // Without an authorizer everything is allowed: every operation the resource type has.
    return authorizedOperationsAll(resourceType);
  }
  return authorizer.authorizedOperations(requester(context.connection), resourceType, resourceName);
}

function authorizedOperationsAll(resourceType: number): number {
  return (SUPPORTED_OPERATIONS[resourceType] ?? []).reduce((bits, op) => bits | (1 << op), 0);
}

export { AclOperation, ResourceType };

/** Config resource types (DescribeConfigs and AlterConfigs' ConfigResource.Type). */
const CONFIG_TOPIC = 2;
const CONFIG_GROUP = 32;

/**
 * Why the principal may not describe (DESCRIBE_CONFIGS) or alter (ALTER_CONFIGS) a config resource, as
 * Kafka answers it: a topic's on the topic, a broker's or broker logger's on the cluster. Null if it may.
 */
export function configResourceRefusal(
  context: AuthorizationContext,
  operation: number,
  resourceType: number,
  resourceName: string,
): { errorCode: number; errorMessage: string } | null {
  const verb = operation === AclOperation.ALTER_CONFIGS ? 'alter' : 'describe';
  if (resourceType === CONFIG_TOPIC) {
    return authorizedOnTopic(context, operation, resourceName)
      ? null
      : { errorCode: 29, errorMessage: `Not authorized to ${verb} the configs of topic ${resourceName}.` };
  }
  if (resourceType === CONFIG_GROUP) {
    // Kafka authorizes a GROUP config resource on the group itself (DESCRIBE_CONFIGS / ALTER_CONFIGS).
    return authorizedOnGroup(context, operation, resourceName)
      ? null
      : { errorCode: 30, errorMessage: `Not authorized to ${verb} the configs of group ${resourceName}.` };
  }
  return authorizedOnCluster(context, operation)
    ? null
    : {
        errorCode: 31,
        errorMessage: `Not authorized to ${verb} broker configs (needs ${verb === 'alter' ? 'ALTER_CONFIGS' : 'DESCRIBE_CONFIGS'} on the cluster).`,
      };
}
