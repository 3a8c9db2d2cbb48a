import { CloseConnection, type Connection, type FrameHandler, type ResponseChunks } from '../server/connection';
import { refusalLog } from '../server/refusal-log';
import type { Logger } from '../server/logger';
import type { BrokerTlsMaterial } from './certificates';
import { createSaslServer, MAX_SASL_TOKEN_BYTES, SaslAuthenticationError, type CredentialLookup, type SaslServer, type SaslStep } from './sasl-mechanisms';
import type { SaslMechanismName, SecuritySettings } from './security-config';
import type { Authorizer } from './authorizer';

/** What a broker knows about its cluster's security: settings, TLS material, credentials, the authorizer. */
export interface BrokerSecurity {
  settings: SecuritySettings;
  tls: BrokerTlsMaterial | null;
  credentials: CredentialLookup;
  /** Null when the authorizer is off (every principal may do everything, as in Kafka without one). */
  authorizer: Authorizer | null;
  now: () => number;
}

const SASL_HANDSHAKE = 17;
const API_VERSIONS = 18;
const SASL_AUTHENTICATE = 36;

/** A SASL connection's place in Kafka's exchange (SaslServerAuthenticator's states). */
export class SaslSession {
  /** handshake: SaslHandshake expected; authenticate: tokens of `mechanism` expected; failed: closing. */
  state: 'handshake' | 'authenticate' | 'authenticated' | 'failed' = 'handshake';
  mechanism: SaslMechanismName | null = null;
  server: SaslServer | null = null;
  /** After a v0 SaslHandshake the tokens come as bare size-prefixed frames, not SaslAuthenticate requests. */
  rawTokens = false;
  /** The authenticated principal (kept during a re-authentication, which must not change it). */
  principal: string | null = null;
  /** When the session ends (connections.max.reauth.ms, a token's expiry); null: never. */
  expiresAt: number | null = null;
  /** Authenticated with a delegation token: such a session may not ask for tokens itself (KIP-48). */
  tokenAuthenticated = false;
  /** The client sent SaslAuthenticate v1+, so it knows KIP-368's re-authentication. */
  supportsReauthentication = false;

  begin(mechanism: SaslMechanismName, rawTokens: boolean, security: BrokerSecurity): void {
    this.mechanism = mechanism;
    this.rawTokens = rawTokens;
    this.server = createSaslServer(mechanism, security.credentials, security.now);
    this.state = 'authenticate';
  }

  /** Records a successful exchange; returns the session's lifetime (0: unlimited) or why it is refused. */
  complete(step: Extract<SaslStep, { kind: 'done' }>, security: BrokerSecurity): { lifetimeMs: number } | { error: string } {
    if (this.principal !== null && this.principal !== step.principal) {
      return { error: `Cannot change principals during re-authentication from ${this.principal}: ${step.principal}` };
    }
    const now = security.now();
    const limits = [security.settings.maxReauthMs > 0 ? now + security.settings.maxReauthMs : Infinity, step.expiresAt ?? Infinity];
    const expiresAt = Math.min(...limits);
    this.principal = step.principal;
    this.tokenAuthenticated = step.tokenAuthenticated === true;
    this.expiresAt = Number.isFinite(expiresAt) ? expiresAt : null;
    this.state = 'authenticated';
    this.server = null;
    this.rawTokens = false;
    return { lifetimeMs: this.expiresAt === null ? 0 : Math.max(1, this.expiresAt - now) };
  }

  /** Why the session failed (state 'failed'): the connection serves nothing more and is closed. */
  failure: string | null = null;

  fail(reason: string): void {
    this.state = 'failed';
    this.failure = reason;
    this.server = null;
  }

  expired(now: number): boolean {
    return this.expiresAt !== null && now >= this.expiresAt;
  }
}

const sessions = new WeakMap<Connection, SaslSession>();

export function saslSession(connection: Connection): SaslSession {
  let session = sessions.get(connection);
  if (!session) {
    session = new SaslSession();
    sessions.set(connection, session);
  }
  return session;
}

/** Logs an authentication refusal (rate-limited: a client can fail by the thousand). */
export function logAuthenticationFailure(logger: Logger, connection: Connection, mechanism: string | null, reason: string): void {
  refusalLog(logger).warn('SASL authentication failed', {
    connection: connection.id,
    remote: connection.remote,
    mechanism: mechanism ?? undefined,
    reason: reason.slice(0, 200),
    clientId: connection.clientId ?? undefined,
  });
}

/**
 * Ends the connection once the answer to the request being handled is on its way, if by then the
 * session failed (see SaslSession.fail): no more requests are handled, and the socket is half-closed so
 * the client reads the answer and then its end, instead of a reset; it is destroyed shortly after in
 * any case. Must be called synchronously in the handler (it hooks the request's answer).
 */
export function closeIfFailedAfterAnswer(connection: Connection, session: SaslSession): void {
  connection.afterResponse(() => {
    if (session.state !== 'failed') return;
    connection.socket.end();
    setTimeout(() => connection.close(`SASL authentication failed: ${session.failure ?? ''}`, 'debug'), 1000).unref();
  });
}

/** A size-prefixed frame of raw bytes (the v0 token flow's answers). */
function rawFrame(bytes: Buffer): Buffer[] {
  const size = Buffer.alloc(4);
  size.writeInt32BE(bytes.length, 0);
  return bytes.length > 0 ? [size, bytes] : [size];
}

/**
 * Puts SASL in front of a broker's request handling (Kafka's SaslServerAuthenticator before KafkaApis):
 * until a client has authenticated only ApiVersions, SaslHandshake and SaslAuthenticate are served,
 * anything else closes the connection; after a v0 handshake the next frames are bare tokens; a session
 * past its end (connections.max.reauth.ms, token expiry) is closed at its next request unless that
 * request starts a re-authentication (KIP-368).
 */
export function saslGate(security: BrokerSecurity, logger: Logger, next: FrameHandler): FrameHandler {
  if (!security.settings.sasl) return next;
  return {
    mayOverlap: (frame) => next.mayOverlap?.(frame) === true,
    handleFrame(frame, connection) {
      const session = saslSession(connection);
      if (session.state === 'failed') throw new CloseConnection('request after a failed SASL authentication');
      if (session.state === 'authenticate' && session.rawTokens) return rawToken(frame, connection, session);
      const apiKey = frame.length >= 2 ? frame.readInt16BE(0) : -1;
      const sasl = apiKey === SASL_HANDSHAKE || apiKey === SASL_AUTHENTICATE;
      if (session.principal !== null) {
        if (session.expired(security.now()) && apiKey !== SASL_HANDSHAKE && !(sasl && session.state === 'authenticate')) {
          throw new CloseConnection(`SASL session of ${session.principal} expired (connections.max.reauth.ms or token expiry) without re-authentication`);
        }
        return next.handleFrame(frame, connection);
      }
      if (apiKey !== API_VERSIONS && !sasl) {
        throw new CloseConnection(
          `request for API key ${apiKey} before SASL authentication (only ApiVersions, SaslHandshake and SaslAuthenticate are served until then)`,
        );
      }
      return next.handleFrame(frame, connection);
    },
  };

  async function rawToken(token: Buffer, connection: Connection, session: SaslSession): Promise<ResponseChunks> {
    if (token.length > MAX_SASL_TOKEN_BYTES) {
      logAuthenticationFailure(logger, connection, session.mechanism, `SASL token of ${token.length} bytes (at most ${MAX_SASL_TOKEN_BYTES})`);
      throw new CloseConnection('SASL token too large');
    }
    let step: SaslStep;
    try {
      step = await session.server!.evaluate(token);
    } catch (error) {
      if (!(error instanceof SaslAuthenticationError)) throw error;
      // The v0 flow has no way to say why: Kafka closes the connection too.
      logAuthenticationFailure(logger, connection, session.mechanism, error.message);
      session.fail(error.message);
      throw new CloseConnection(`SASL authentication failed: ${error.message}`);
    }
    if (step.kind === 'done') {
      const completed = session.complete(step, security);
      if ('error' in completed) {
        logAuthenticationFailure(logger, connection, session.mechanism, completed.error);
        session.fail(completed.error);
        throw new CloseConnection(completed.error);
      }
      connection.principal = session.principal!;
    }
    return rawFrame(step.bytes);
  }
}
