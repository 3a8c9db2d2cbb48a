import { createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClusterMetadataState, MetadataRecord } from '../cluster/metadata-store';
import type { DelegationToken } from './delegation-token';
import { credentialFromSaltedPassword, SCRAM_MIN_ITERATIONS, type ScramCredential, type ScramMechanism } from './scram';

export type { DelegationToken };

/** The brokers' delegation token configs (delegation.token.*); tokens are off without a secret key. */
export interface DelegationTokenConfig {
  secretKey: string | null;
  maxLifetimeMs: number;
  expiryTimeMs: number;
}

/** What the tokens need of the controller: the persisted state and a way to log changes (as SecurityMetadata). */
export interface DelegationTokenStore {
  readonly state: ClusterMetadataState;
  record(key: string, build: () => MetadataRecord | null): boolean;
  unavailable(): string | null;
}

export type TokenFailure = {
  error:
    'DELEGATION_TOKEN_AUTH_DISABLED' | 'DELEGATION_TOKEN_NOT_FOUND' | 'DELEGATION_TOKEN_OWNER_MISMATCH' | 'DELEGATION_TOKEN_EXPIRED' | 'KAFKA_STORAGE_ERROR';
  message: string;
};

const HMAC_ALGORITHM = 'sha512';

/** A token's HMAC: HmacSHA512 of its id under the secret key (Kafka's DelegationTokenManager.createHmac). */
export function tokenHmac(tokenId: string, secretKey: string): Buffer {
  return createHmac(HMAC_ALGORITHM, Buffer.from(secretKey, 'utf8')).update(tokenId, 'utf8').digest();
}

/**
 * Delegation tokens (KIP-48): cluster metadata owned by the controller and kept in its metadata log, so
 * every broker knows every token. A token authenticates as its owner over SCRAM with the `tokenauth=true`
 * extension: user name the token id, password the base64 HMAC; the SCRAM credentials are derived from
 * the HMAC in memory (fresh salt, 4096 iterations, as Kafka's DelegationTokenCache does). Expired
 * tokens authenticate no one and are dropped at the next change (Kafka's expiry check does it hourly).
 */
export class DelegationTokens {
  readonly #store: DelegationTokenStore;
  readonly #config: () => DelegationTokenConfig;
  readonly #now: () => number;
  /** SCRAM credentials derived from the tokens' HMACs, by token id and mechanism (not persisted). */
  readonly #credentials = new Map<string, ScramCredential>();

  constructor(store: DelegationTokenStore, config: () => DelegationTokenConfig, now: () => number = Date.now) {
    this.#store = store;
    this.#config = config;
    this.#now = now;
  }

  get enabled(): boolean {
    const key = this.#config().secretKey;
    return key !== null && key !== '';
  }

  #secret(): string | TokenFailure {
    const key = this.#config().secretKey;
    if (key === null || key === '') {
      return { error: 'DELEGATION_TOKEN_AUTH_DISABLED', message: 'Delegation tokens are disabled: the brokers have no delegation.token.secret.key.' };
    }
    return key;
  }

  #tokens(): DelegationToken[] {
    return this.#store.state.delegationTokens ?? [];
  }

  /** Unexpired tokens. */
  tokens(): DelegationToken[] {
    const now = this.#now();
    return this.#tokens().filter((t) => t.expiryTimestamp > now);
  }

  hmacOf(token: DelegationToken): Buffer | null {
    const secret = this.#secret();
    return typeof secret === 'string' ? tokenHmac(token.tokenId, secret) : null;
  }

  #write(tokenId: string, token: DelegationToken | null): TokenFailure | null {
    const reason = this.#store.unavailable();
    if (reason) return { error: 'KAFKA_STORAGE_ERROR', message: reason };
    const now = this.#now();
    // Expired tokens go with any change (Kafka's expirator removes them on its own schedule).
    const expired = this.#tokens().filter((t) => t.expiryTimestamp <= now && t.tokenId !== tokenId);
    const kept = this.#tokens().filter((t) => t.expiryTimestamp > now && t.tokenId !== tokenId);
    this.#store.state.delegationTokens = token ? [...kept, token] : kept;
    for (const gone of [...expired.map((t) => t.tokenId), tokenId]) {
      for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) this.#credentials.delete(`${gone}\u0000${mechanism}`);
      this.#store.record(`delegation-token:${gone}`, () => ({
        type: 'delegation-token',
        tokenId: gone,
        token: this.#tokens().find((t) => t.tokenId === gone) ?? null,
      }));
    }
    return null;
  }

  /**
   * Creates a token for `owner` (KafkaApis.handleCreateTokenRequest): it lives at most `maxLifetimeMs`
   * (delegation.token.max.lifetime.ms when not positive, and never more), and expires after
   * delegation.token.expiry.time.ms unless renewed.
   */
  create(owner: string, requester: string, renewers: string[], maxLifetimeMs: number): { token: DelegationToken; hmac: Buffer } | TokenFailure {
    const secret = this.#secret();
    if (typeof secret !== 'string') return secret;
    const config = this.#config();
    const now = this.#now();
    const lifetime = maxLifetimeMs > 0 ? Math.min(maxLifetimeMs, config.maxLifetimeMs) : config.maxLifetimeMs;
    const maxTimestamp = now + lifetime;
    const token: DelegationToken = {
      tokenId: randomBytes(16).toString('base64url'),
      owner,
      requester,
      renewers: [...new Set(renewers)],
      issueTimestamp: now,
      maxTimestamp,
      expiryTimestamp: Math.min(now + config.expiryTimeMs, maxTimestamp),
    };
    const failed = this.#write(token.tokenId, token);
    return failed ?? { token, hmac: tokenHmac(token.tokenId, secret) };
  }

  /** The unexpired token an HMAC belongs to, if the requester owns it or is among its renewers. */
  #owned(hmac: Buffer, requester: string): DelegationToken | TokenFailure {
    const secret = this.#secret();
    if (typeof secret !== 'string') return secret;
    const token = this.#tokens().find((t) => {
      const own = tokenHmac(t.tokenId, secret);
      return own.length === hmac.length && timingSafeEqual(own, hmac);
    });
    if (!token) return { error: 'DELEGATION_TOKEN_NOT_FOUND', message: 'No delegation token has this HMAC.' };
    if (token.owner !== requester && !token.renewers.includes(requester)) {
      return { error: 'DELEGATION_TOKEN_OWNER_MISMATCH', message: `${requester} is neither the owner nor a renewer of the token.` };
    }
    const now = this.#now();
    if (token.expiryTimestamp <= now || token.maxTimestamp < now) {
      return { error: 'DELEGATION_TOKEN_EXPIRED', message: `The token expired at ${new Date(token.expiryTimestamp).toISOString()}.` };
    }
    return token;
  }

  /** Renews a token for `renewPeriodMs` (delegation.token.expiry.time.ms when negative), never past its max lifetime. */
  renew(hmac: Buffer, requester: string, renewPeriodMs: number): { expiryTimestamp: number } | TokenFailure {
    const token = this.#owned(hmac, requester);
    if ('error' in token) return token;
    const period = renewPeriodMs < 0 ? this.#config().expiryTimeMs : renewPeriodMs;
    const expiryTimestamp = Math.min(this.#now() + period, token.maxTimestamp);
    const failed = this.#write(token.tokenId, { ...token, expiryTimestamp });
    return failed ?? { expiryTimestamp };
  }

  /** Expires a token after `expiryTimePeriodMs`, at once (and removed) when negative. */
  expire(hmac: Buffer, requester: string, expiryTimePeriodMs: number): { expiryTimestamp: number } | TokenFailure {
    const token = this.#owned(hmac, requester);
    if ('error' in token) return token;
    const now = this.#now();
    if (expiryTimePeriodMs < 0) {
      const failed = this.#write(token.tokenId, null);
      return failed ?? { expiryTimestamp: now };
    }
    const expiryTimestamp = Math.min(now + expiryTimePeriodMs, token.maxTimestamp);
    const failed = this.#write(token.tokenId, { ...token, expiryTimestamp });
    return failed ?? { expiryTimestamp };
  }

  /**
   * The SCRAM credential a token id authenticates with, and as whom: none for an unknown or expired
   * token, or while tokens are disabled.
   */
  scramCredential(tokenId: string, mechanism: ScramMechanism): { credential: ScramCredential; owner: string; expiresAt: number } | undefined {
    const secret = this.#secret();
    if (typeof secret !== 'string') return undefined;
    const token = this.#tokens().find((t) => t.tokenId === tokenId);
    if (!token || token.expiryTimestamp <= this.#now()) return undefined;
    const key = `${tokenId}\u0000${mechanism}`;
    let credential = this.#credentials.get(key);
    if (!credential) {
      const password = tokenHmac(tokenId, secret).toString('base64');
      const salt = randomBytes(32);
      const hash = mechanism === 'SCRAM-SHA-512' ? 'sha512' : 'sha256';
      const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, SCRAM_MIN_ITERATIONS, hash === 'sha512' ? 64 : 32, hash);
      credential = credentialFromSaltedPassword(mechanism, salted, salt, SCRAM_MIN_ITERATIONS);
      this.#credentials.set(key, credential);
    }
    return { credential, owner: token.owner, expiresAt: token.expiryTimestamp };
  }
}
