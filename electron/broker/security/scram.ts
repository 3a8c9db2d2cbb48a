import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { ScramMechanismCode } from '../../kafka/protocol/acl-codes';

const pbkdf2Async = promisify(pbkdf2);

/** SCRAM mechanisms (RFC 5802, RFC 7677); their numbers in KIP-554's APIs are ScramMechanismCode. */
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export const SCRAM_MECHANISM_CODES: Record<ScramMechanism, number> = {
  'SCRAM-SHA-256': ScramMechanismCode['SCRAM-SHA-256'],
  'SCRAM-SHA-512': ScramMechanismCode['SCRAM-SHA-512'],
};
export const scramMechanismOfCode = (code: number): ScramMechanism | null =>
  code === ScramMechanismCode['SCRAM-SHA-256'] ? 'SCRAM-SHA-256' : code === ScramMechanismCode['SCRAM-SHA-512'] ? 'SCRAM-SHA-512' : null;

/** Kafka's bounds on SCRAM iterations (ScramMechanism.minIterations, and 16384 at most for AlterUserScramCredentials). */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;
export const SCRAM_DEFAULT_ITERATIONS = 8192;

/** What the cluster keeps of a SCRAM user: the salted keys, never the password (base64 fields). */
export interface ScramCredential {
  salt: string;
  iterations: number;
  storedKey: string;
  serverKey: string;
}

const HASH: Record<ScramMechanism, { name: 'sha256' | 'sha512'; bytes: number }> = {
  'SCRAM-SHA-256': { name: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { name: 'sha512', bytes: 64 },
};

const hmac = (mechanism: ScramMechanism, key: Buffer, text: string | Buffer) => createHmac(HASH[mechanism].name, key).update(text).digest();
const hash = (mechanism: ScramMechanism, data: Buffer) => createHash(HASH[mechanism].name).update(data).digest();

/** The credential of a SaltedPassword (what KIP-554's AlterUserScramCredentials upsertion carries). */
export function credentialFromSaltedPassword(mechanism: ScramMechanism, saltedPassword: Buffer, salt: Buffer, iterations: number): ScramCredential {
  const clientKey = hmac(mechanism, saltedPassword, 'Client Key');
  return {
    salt: salt.toString('base64'),
    iterations,
    storedKey: hash(mechanism, clientKey).toString('base64'),
    serverKey: hmac(mechanism, saltedPassword, 'Server Key').toString('base64'),
  };
}

export async function saltedPassword(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  // SASLprep is left out, as Kafka's ScramFormatter does: the password's UTF-8 bytes.
  return pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, HASH[mechanism].bytes, HASH[mechanism].name);
}

export async function makeCredential(mechanism: ScramMechanism, password: string, iterations = SCRAM_DEFAULT_ITERATIONS): Promise<ScramCredential> {
  const salt = randomBytes(32);
  return credentialFromSaltedPassword(mechanism, await saltedPassword(mechanism, password, salt, iterations), salt, iterations);
}

/** Whether `password` is the one `credential` was made from (used by PLAIN, which keeps no password either). */
export async function passwordMatches(mechanism: ScramMechanism, credential: ScramCredential, password: string): Promise<boolean> {
  const salt = Buffer.from(credential.salt, 'base64');
  const made = credentialFromSaltedPassword(mechanism, await saltedPassword(mechanism, password, salt, credential.iterations), salt, credential.iterations);
  return timingSafeEqual(Buffer.from(made.storedKey, 'base64'), Buffer.from(credential.storedKey, 'base64'));
}

/** A SCRAM exchange failed; the message says why (it goes back to the client, as Kafka's does). */
export class ScramError extends Error {
  override readonly name = 'ScramError';
}

/** saslname (RFC 5802 5.1): ',' and '=' are written =2C and =3D; any other '=' is malformed. */
function decodeSaslName(name: string): string {
  if (/=(?!2C|3D)/.test(name)) throw new ScramError(`invalid user name encoding in '${name}'`);
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** Parses `a=x,b=y` attributes, refusing duplicates and attributes without '='. */
function attributes(text: string): Array<[string, string]> {
  return text.split(',').map((part) => {
    if (!/^[A-Za-z]=/.test(part)) throw new ScramError(`malformed SCRAM attribute '${part.slice(0, 40)}'`);
    return [part[0]!, part.slice(2)];
  });
}

const PRINTABLE_NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

export type ScramStep =
  | { kind: 'challenge'; bytes: Buffer }
  /** `token`: authenticated with a delegation token (`tokenauth=true`), as its owner. */
  | { kind: 'done'; bytes: Buffer; user: string; token?: { owner: string; expiresAt: number } };

/** Finds a delegation token's SCRAM credential by token id (KIP-48). */
export type TokenCredentialLookup = (
  tokenId: string,
  mechanism: ScramMechanism,
) => { credential: ScramCredential; owner: string; expiresAt: number } | undefined;

/**
 * The server side of one SCRAM exchange (RFC 5802 section 5): client-first, server-first, client-final,
 * server-final. Channel binding is not offered ('n' or 'y' GS2 flags only); an authorization id must be
 * the user itself (Kafka's rule). With Kafka's `tokenauth=true` extension (KIP-48) the user is a
 * delegation token's id and the password its HMAC; refused when the cluster has no token lookup.
 */
export class ScramServer {
  #state: 'first' | 'final' | 'done' = 'first';
  #gs2Header = '';
  #clientFirstBare = '';
  #serverFirst = '';
  #nonce = '';
  #user = '';
  #credential: ScramCredential | null = null;
  #token: { owner: string; expiresAt: number } | undefined;
  readonly #mechanism: ScramMechanism;
  readonly #lookup: (user: string, mechanism: ScramMechanism) => ScramCredential | undefined;
  readonly #tokenLookup: TokenCredentialLookup | undefined;

  constructor(
    mechanism: ScramMechanism,
    lookup: (user: string, mechanism: ScramMechanism) => ScramCredential | undefined,
    tokenLookup?: TokenCredentialLookup,
  ) {
    this.#mechanism = mechanism;
    this.#lookup = lookup;
    this.#tokenLookup = tokenLookup;
  }

  evaluate(message: Buffer): ScramStep {
    const text = message.toString('utf8');
    if (this.#state === 'first') return this.#clientFirst(text);
    if (this.#state === 'final') return this.#clientFinal(text);
    throw new ScramError('SCRAM exchange already complete');
  }

  #clientFirst(text: string): ScramStep {
    const match = /^([ny]),(a=[^,]*)?,(.*)$/s.exec(text);
    if (!match) throw new ScramError(text.startsWith('p=') ? 'channel binding is not supported' : 'malformed SCRAM client-first message');
    this.#gs2Header = `${match[1]},${match[2] ?? ''},`;
    this.#clientFirstBare = match[3]!;
    const parts = this.#clientFirstBare.split(',');
    const attrs = attributes(parts.slice(0, 2).join(','));
    if (attrs[0]?.[0] !== 'n' || attrs[1]?.[0] !== 'r') throw new ScramError('SCRAM client-first message must start with n=<user>,r=<nonce>');
    const user = decodeSaslName(attrs[0][1]);
    const clientNonce = attrs[1][1];
    if (user === '' || !PRINTABLE_NONCE.test(clientNonce)) throw new ScramError('SCRAM client-first message has an empty user or an invalid nonce');
    // Extensions after the nonce (Kafka's key=value form, ScramExtensions): tokenauth=true names a
    // delegation token (KIP-48); others are tolerated, a mandatory one (m=) is not.
    if (parts.slice(2).some((part) => part.startsWith('m='))) throw new ScramError('mandatory SCRAM extensions are not supported');
    const tokenAuth = parts.slice(2).some((part) => part.toLowerCase() === 'tokenauth=true');
    const authzid = match[2] ? decodeSaslName(match[2].slice(2)) : '';
    let credential: ScramCredential | undefined;
    if (tokenAuth) {
      if (!this.#tokenLookup) throw new ScramError('delegation tokens are not supported');
      const token = this.#tokenLookup(user, this.#mechanism);
      if (!token) throw new ScramError('Authentication failed: Invalid user credentials');
      // Kafka's ScramSaslServer: an authorization id must be the token's owner.
      if (authzid !== '' && `User:${authzid}` !== token.owner) throw new ScramError(`authorization id '${authzid}' differs from the token's owner`);
      credential = token.credential;
      this.#token = { owner: token.owner, expiresAt: token.expiresAt };
    } else {
      if (authzid !== '' && authzid !== user) throw new ScramError(`authorization id '${authzid}' differs from the user '${user}'`);
      credential = this.#lookup(user, this.#mechanism);
    }
    if (!credential) throw new ScramError('Authentication failed: Invalid user credentials');
    this.#user = user;
    this.#credential = credential;
    this.#nonce = clientNonce + randomBytes(24).toString('base64url');
    this.#serverFirst = `r=${this.#nonce},s=${credential.salt},i=${credential.iterations}`;
    this.#state = 'final';
    return { kind: 'challenge', bytes: Buffer.from(this.#serverFirst, 'utf8') };
  }

  #clientFinal(text: string): ScramStep {
    this.#state = 'done';
    const proofAt = text.lastIndexOf(',p=');
    if (proofAt < 0) throw new ScramError('SCRAM client-final message has no proof');
    const withoutProof = text.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    const channelBinding = attrs.find(([k]) => k === 'c')?.[1];
    const nonce = attrs.find(([k]) => k === 'r')?.[1];
    if (attrs[0]?.[0] !== 'c' || attrs[1]?.[0] !== 'r') throw new ScramError('SCRAM client-final message must start with c=...,r=...');
    if (channelBinding !== Buffer.from(this.#gs2Header, 'utf8').toString('base64'))
      throw new ScramError('SCRAM channel binding does not match the client-first message');
    // Kafka's ScramSaslServer checks that the nonce ends with the server-first one (librdkafka sends its
    // client nonce again in front); the proof covers this message, so it cannot be altered either way.
    if (nonce === undefined || !nonce.endsWith(this.#nonce))
      throw new ScramError('Invalid nonce: the SCRAM client-final nonce differs from the server-first one');
    const proof = Buffer.from(text.slice(proofAt + 3), 'base64');
    const credential = this.#credential!;
    const storedKey = Buffer.from(credential.storedKey, 'base64');
    if (proof.length !== storedKey.length) throw new ScramError('Invalid client proof');
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.#mechanism, storedKey, authMessage);
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (!timingSafeEqual(hash(this.#mechanism, clientKey), storedKey)) throw new ScramError('Authentication failed: Invalid user credentials');
    const serverSignature = hmac(this.#mechanism, Buffer.from(credential.serverKey, 'base64'), authMessage);
    return { kind: 'done', bytes: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'), user: this.#user, token: this.#token };
  }
}
