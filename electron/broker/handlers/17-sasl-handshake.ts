import { ErrorCode } from '../../kafka/protocol/error-codes';
import { SaslHandshake } from '../../kafka/protocol/generated/index';
import { closeIfFailedAfterAnswer, logAuthenticationFailure, saslSession } from '../security/sasl-session';
import type { SaslMechanismName } from '../security/security-config';
import { defineHandler } from './handler';

/**
 * SaslHandshake (KIP-43; v1 from KIP-152): the client names its mechanism. v1 is followed by
 * SaslAuthenticate requests, v0 by bare size-prefixed tokens (old clients). On an authenticated
 * connection of a client that knows KIP-368 it starts a re-authentication with the same mechanism.
 * Refusals are answered, then the connection is closed, as Kafka does.
 */
export const saslHandshakeHandler = defineHandler({
  api: SaslHandshake,
  minVersion: 0,
  maxVersion: 1,
  handle: (request, context) => {
    const { connection, broker } = context;
    const security = broker.security;
    const session = saslSession(connection);
    const enabled = security?.settings.sasl ? [...security.settings.mechanisms] : [];
    const refuse = (errorCode: number, reason: string) => {
      logAuthenticationFailure(broker.logger, connection, request.mechanism.slice(0, 64), reason);
      session.fail(reason);
      closeIfFailedAfterAnswer(connection, session);
      return { errorCode, mechanisms: enabled };
    };
    if (!security?.settings.sasl) return refuse(ErrorCode.ILLEGAL_SASL_STATE, `SaslHandshake on a ${security?.settings.protocol ?? 'PLAINTEXT'} listener`);
    const reauthenticating = session.principal !== null;
    if (session.state === 'authenticate') return refuse(ErrorCode.ILLEGAL_SASL_STATE, 'SaslHandshake while an authentication is under way');
    if (reauthenticating && (!session.supportsReauthentication || context.apiVersion < 1)) {
      return refuse(ErrorCode.ILLEGAL_SASL_STATE, 'SaslHandshake on an authenticated connection of a client without re-authentication (KIP-368)');
    }
    if (!(enabled as string[]).includes(request.mechanism)) {
      return refuse(
        ErrorCode.UNSUPPORTED_SASL_MECHANISM,
        `mechanism '${request.mechanism.slice(0, 64)}' is not enabled (sasl.enabled.mechanisms=${enabled.join(',')})`,
      );
    }
    if (reauthenticating && request.mechanism !== session.mechanism) {
      return refuse(ErrorCode.ILLEGAL_SASL_STATE, `cannot change the SASL mechanism from ${session.mechanism} to ${request.mechanism} when re-authenticating`);
    }
    session.begin(request.mechanism as SaslMechanismName, context.apiVersion === 0, security);
    return { errorCode: ErrorCode.NONE, mechanisms: enabled };
  },
});
