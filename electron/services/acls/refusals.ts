// The words for a cluster's refusal of an ACL or SCRAM request, shared by the ACL and user services:
// which right the connected principal lacks (CLUSTER_AUTHORIZATION_FAILED), that the cluster has no
// authorizer (SECURITY_DISABLED), or Kafka's own name and message for the rest.
import { AppError } from '../../core/errors';
import { errorName } from '../../kafka/protocol/error-codes';

export interface RefusalContext {
  /** What the user tried, as a verb phrase: "list ACLs", "create this ACL". */
  action: string;
  /** The cluster operation it needs: DESCRIBE to read, ALTER to change. */
  right: 'DESCRIBE' | 'ALTER' | 'DESCRIBE_CONFIGS' | 'ALTER_CONFIGS';
  /** The principal the connection authenticates as (User:alice), when it uses SASL. */
  connectedAs: string | null;
}

export function refusal(code: number, serverMessage: string | null, context: RefusalContext): AppError {
  const kafkaCode = errorName(code);
  const detail = serverMessage ? ` (${serverMessage})` : '';
  if (kafkaCode === 'SECURITY_DISABLED') {
    return new AppError(
      'kafka',
      `This cluster has no authorizer, so it enforces no ACLs and cannot ${context.action}: its brokers need authorizer.class.name set (the embedded cluster: --acl).`,
      { kafkaCode },
    );
  }
  if (kafkaCode === 'CLUSTER_AUTHORIZATION_FAILED') {
    const who = context.connectedAs ?? 'The user this connection authenticates as';
    return new AppError(
      'kafka',
      `${who} may not ${context.action}: that needs ${context.right} on the cluster resource (an ALLOW ${context.right} ACL on CLUSTER "kafka-cluster", or a super user).`,
      { kafkaCode },
    );
  }
  const kind =
    kafkaCode === 'RESOURCE_NOT_FOUND' ? 'not-found' : kafkaCode === 'INVALID_REQUEST' || kafkaCode === 'UNACCEPTABLE_CREDENTIAL' ? 'invalid-request' : 'kafka';
  return new AppError(kind, `The cluster refused to ${context.action}: ${kafkaCode}${detail}.`, { kafkaCode });
}
