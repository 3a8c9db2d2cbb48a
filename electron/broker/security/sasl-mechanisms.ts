import { passwordMatches, ScramError, ScramServer, type ScramCredential, type ScramMechanism } from './scram';
import type { SaslMechanismName } from './security-config';

/** Authentication failed; the message goes back to the client in SaslAuthenticate's errorMessage, as Kafka's does. */
export class SaslAuthenticationError extends Error {
  override readonly name = 'SaslAuthenticationError';
}

export type SaslStep =
  | { kind: 'challenge'; bytes: Buffer }
  /** Authenticated as `principal`; `expiresAt`: when the credential (an OAUTHBEARER token) stops being valid. */
  | { kind: 'done'; bytes: Buffer; principal: string; expiresAt?: number; tokenAuthenticated?: boolean };

/** The server side of one SASL mechanism's exchange; one instance per authentication. */
export interface SaslServer {
  evaluate(token: Buffer): SaslStep | Promise<SaslStep>;
}

export interface CredentialLookup {
  scramCredential(user: string, mechanism: ScramMechanism): ScramCredential | undefined;
  /** A delegation token's SCRAM credential and owner (KIP-48), for SCRAM with `tokenauth=true`. */
  delegationToken?(tokenId: string, mechanism: ScramMechanism): { credential: ScramCredential; owner: string; expiresAt: number } | undefined;
}

/** The longest token any mechanism here accepts (Kafka's SaslServerAuthenticator caps tokens at sasl.server.max.receive.size, 512 KiB). */
export const MAX_SASL_TOKEN_BYTES = 524_288;

/**
 * PLAIN (RFC 4616): `[authzid] NUL authcid NUL password`. The password is checked against the user's
 * SCRAM credential (SHA-512, else SHA-256), so the cluster keeps no password anywhere: a user made with
 * AlterUserScramCredentials can use PLAIN too.
 */
class PlainServer implements SaslServer {
  readonly #credentials: CredentialLookup;
  constructor(credentials: CredentialLookup) {
    this.#credentials = credentials;
  }

  async evaluate(token: Buffer): Promise<SaslStep> {
    const parts = token.toString('utf8').split('\u0000');
    if (parts.length !== 3) throw new SaslAuthenticationError('Invalid SASL/PLAIN response: expected 3 tokens separated by NUL');
    const [authzid, user, password] = parts as [string, string, string];
    if (user === '') throw new SaslAuthenticationError('Authentication failed: username not specified');
    if (password === '') throw new SaslAuthenticationError('Authentication failed: password not specified');
    if (authzid !== '' && authzid !== user)
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username');
    for (const mechanism of ['SCRAM-SHA-512', 'SCRAM-SHA-256'] as const) {
      const credential = this.#credentials.scramCredential(user, mechanism);
      if (credential) {
        if (await passwordMatches(mechanism, credential, password)) return { kind: 'done', bytes: Buffer.alloc(0), principal: `User:${user}` };
        break;
      }
    }
    throw new SaslAuthenticationError('Authentication failed: Invalid username or password');
  }
}

class ScramSaslServer implements SaslServer {
  readonly #server: ScramServer;

  constructor(mechanism: ScramMechanism, credentials: CredentialLookup) {
    this.#server = new ScramServer(
      mechanism,
      (user, m) => credentials.scramCredential(user, m),
      credentials.delegationToken ? (tokenId, m) => credentials.delegationToken!(tokenId, m) : undefined,
    );
  }

  evaluate(token: Buffer): SaslStep {
    try {
      const step = this.#server.evaluate(token);
      if (step.kind === 'challenge') return step;
      // A delegation token authenticates as its owner until it expires (KIP-48, KIP-368's session lifetime).
      if (step.token) return { kind: 'done', bytes: step.bytes, principal: step.token.owner, expiresAt: step.token.expiresAt, tokenAuthenticated: true };
      return { kind: 'done', bytes: step.bytes, principal: `User:${step.user}` };
    } catch (error) {
      if (error instanceof ScramError) throw new SaslAuthenticationError(error.message);
      throw error;
    }
  }
}

const base64UrlJson = (part: string): Record<string, unknown> => {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new SaslAuthenticationError('invalid_token: not base64url');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new SaslAuthenticationError('invalid_token: not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SaslAuthenticationError('invalid_token: not a JSON object');
  return value as Record<string, unknown>;
};

/**
 * OAUTHBEARER (RFC 7628) with Kafka's default validator for unsecured JWS tokens (KIP-255,
 * OAuthBearerUnsecuredValidatorCallbackHandler): header `alg: none`, no signature, `sub` names the
 * principal, `exp` (seconds) is required and in the future, `iat` if present is not in the future.
 * A bad token gets the RFC 7628 error challenge first; the client's %x01 answer then fails the exchange.
 */
class OAuthBearerServer implements SaslServer {
  #failed: string | null = null;
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  evaluate(token: Buffer): SaslStep {
    if (this.#failed !== null) {
      // The client acknowledged the error challenge (RFC 7628 3.2.3): the exchange fails with its reason.
      throw new SaslAuthenticationError(this.#failed);
    }
    try {
      return this.#validate(token.toString('utf8'));
    } catch (error) {
      if (!(error instanceof SaslAuthenticationError)) throw error;
      this.#failed = `Authentication failed: ${error.message}`;
      return { kind: 'challenge', bytes: Buffer.from(JSON.stringify({ status: 'invalid_token' }), 'utf8') };
    }
  }

  #validate(message: string): SaslStep {
    // gs2-header kvsep *(kvpair kvsep) kvsep, kvsep = %x01 (RFC 7628's separator, hence the control characters).
    // eslint-disable-next-line no-control-regex
    const match = /^n,(a=[^,\x01]*)?,\x01((?:[^\x01]*\x01)*)\x01$/s.exec(message);
    if (!match) throw new SaslAuthenticationError('invalid OAUTHBEARER initial client response');
    const pairs = new Map<string, string>();
    for (const pair of match[2]!.split('\x01').filter((p) => p !== '')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new SaslAuthenticationError('invalid OAUTHBEARER key/value pair');
      pairs.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const auth = pairs.get('auth');
    const bearer = auth !== undefined ? /^Bearer +([^ ]+)$/i.exec(auth) : null;
    if (!bearer) throw new SaslAuthenticationError('invalid_token: no auth=Bearer <token>');
    const parts = bearer[1]!.split('.');
    if (parts.length !== 3) throw new SaslAuthenticationError('invalid_token: not a JWS compact serialization');
    const header = base64UrlJson(parts[0]!);
    if (header['alg'] !== 'none' || parts[2] !== '')
      throw new SaslAuthenticationError('invalid_token: only unsecured JWS tokens (alg none, no signature) are accepted');
    const claims = base64UrlJson(parts[1]!);
    const subject = claims['sub'];
    const expiry = claims['exp'];
    const issuedAt = claims['iat'];
    if (typeof subject !== 'string' || subject.trim() === '') throw new SaslAuthenticationError("invalid_token: no 'sub' claim");
    if (typeof expiry !== 'number' || !Number.isFinite(expiry)) throw new SaslAuthenticationError("invalid_token: no numeric 'exp' claim");
    const now = this.#now();
    if (expiry * 1000 <= now) throw new SaslAuthenticationError('invalid_token: the token has expired');
    if (issuedAt !== undefined && (typeof issuedAt !== 'number' || issuedAt * 1000 > now))
      throw new SaslAuthenticationError("invalid_token: 'iat' is in the future");
    const authzid = match[1]?.slice(2) ?? '';
    if (authzid !== '' && authzid !== subject) throw new SaslAuthenticationError('authorization id differs from the token subject');
    return { kind: 'done', bytes: Buffer.alloc(0), principal: `User:${subject}`, expiresAt: Math.floor(expiry * 1000) };
  }
}

export function createSaslServer(mechanism: SaslMechanismName, credentials: CredentialLookup, now: () => number): SaslServer {
  switch (mechanism) {
    case 'PLAIN':
      return new PlainServer(credentials);
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-512':
      return new ScramSaslServer(mechanism, credentials);
    case 'OAUTHBEARER':
      return new OAuthBearerServer(now);
  }
}
