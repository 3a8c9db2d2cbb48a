import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { Connection } from '../server/connection';
import { saslSession } from './sasl-session';

/** What the delegation token handlers need to know of a request's connection. */
export interface TokenRequestContext {
  broker: { security: { settings: { sasl: boolean } } | null };
  connection: Connection;
}

/**
 * Why a connection may not ask for delegation tokens (Kafka's KafkaApis.allowTokenRequests), or null:
 * only a client that authenticated with SASL, and not with a token itself (a token cannot beget tokens).
 */
export function tokenRequestRefusal(context: TokenRequestContext): { errorCode: number; message: string } | null {
  if (!context.broker.security?.settings.sasl) {
    return {
      errorCode: ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED,
      message: 'Delegation token requests are only allowed on SASL listeners (this one has no SASL authentication).',
    };
  }
  if (saslSession(context.connection).tokenAuthenticated) {
    return { errorCode: ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, message: 'A connection authenticated with a delegation token may not manage tokens.' };
  }
  return null;
}

/** `User:alice` as Kafka's principal type and name. */
export function principalParts(principal: string): { principalType: string; principalName: string } {
  const colon = principal.indexOf(':');
  return colon < 0
    ? { principalType: 'User', principalName: principal }
    : { principalType: principal.slice(0, colon), principalName: principal.slice(colon + 1) };
}
