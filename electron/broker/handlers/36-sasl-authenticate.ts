import { ErrorCode } from '../../kafka/protocol/error-codes';
import { SaslAuthenticate, type SaslAuthenticateResponse } from '../../kafka/protocol/generated/index';
import { MAX_SASL_TOKEN_BYTES, SaslAuthenticationError, type SaslStep } from '../security/sasl-mechanisms';
import type { Broker } from '../cluster/broker';
import type { Connection } from '../server/connection';
import { closeIfFailedAfterAnswer, logAuthenticationFailure, saslSession, type SaslSession } from '../security/sasl-session';
import { defineHandler } from './handler';

const EMPTY = Buffer.alloc(0);

/**
 * SaslAuthenticate (KIP-152; v1 adds the session lifetime of KIP-368): one token of the mechanism
 * chosen by SaslHandshake. A failure answers SASL_AUTHENTICATION_FAILED with the reason and closes the
 * connection; success sets the connection's principal and tells how long the session lasts
 * (connections.max.reauth.ms, or the OAUTHBEARER token's expiry) so the client re-authenticates in time.
 */
export const saslAuthenticateHandler = defineHandler({
  api: SaslAuthenticate,
  minVersion: 0,
  maxVersion: 2,
  handle: (request, context) => {
    const { connection, broker } = context;
    const session = saslSession(connection);
    // Registered now (hooks must be, synchronously); closes the connection after the answer if the exchange failed.
    closeIfFailedAfterAnswer(connection, session);
    return authenticate(request.authBytes, context.apiVersion, connection, session, broker);
  },
});

async function authenticate(
  authBytes: Buffer,
  apiVersion: number,
  connection: Connection,
  session: SaslSession,
  broker: Broker,
): Promise<SaslAuthenticateResponse> {
  const security = broker.security;
  const fail = (errorCode: number, message: string): SaslAuthenticateResponse => {
    logAuthenticationFailure(broker.logger, connection, session.mechanism, message);
    session.fail(message);
    return { errorCode, errorMessage: message, authBytes: EMPTY, sessionLifetimeMs: 0n };
  };
  if (!security?.settings.sasl || session.state !== 'authenticate' || session.rawTokens || !session.server) {
    return fail(ErrorCode.ILLEGAL_SASL_STATE, 'SaslAuthenticate not expected now (SaslHandshake v1 first)');
  }
  if (apiVersion >= 1) session.supportsReauthentication = true;
  if (authBytes.length > MAX_SASL_TOKEN_BYTES)
    return fail(ErrorCode.SASL_AUTHENTICATION_FAILED, `SASL token of ${authBytes.length} bytes (at most ${MAX_SASL_TOKEN_BYTES})`);
  let step: SaslStep;
  try {
    step = await session.server.evaluate(authBytes);
  } catch (error) {
    if (!(error instanceof SaslAuthenticationError)) throw error;
    return fail(ErrorCode.SASL_AUTHENTICATION_FAILED, error.message);
  }
  if (step.kind === 'challenge') return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step.bytes, sessionLifetimeMs: 0n };
  const completed = session.complete(step, security);
  if ('error' in completed) return fail(ErrorCode.SASL_AUTHENTICATION_FAILED, completed.error);
  connection.principal = session.principal!;
  return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step.bytes, sessionLifetimeMs: BigInt(completed.lifetimeMs) };
}
