/**
 * A Kafka client over one TLS (or TCP) connection for the security tests: any API and version through
 * the generated codecs, bare size-prefixed frames (the v0 SASL token flow), raw bytes, and a SCRAM
 * client written here from RFC 5802 (not the broker's code), so proofs and nonces can be tampered with.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { SaslAuthenticate, SaslHandshake, type ApiDescriptor } from '../../../electron/kafka/protocol/generated/index';
import { decodeResponseHeader, encodeRequestFrame, responseHeaderVersion } from '../../../electron/kafka/protocol/headers';
import { Reader } from '../../../electron/kafka/protocol/reader';

export class WireClient {
  private buffered = Buffer.alloc(0);
  private waiting: { resolve: (frame: Buffer) => void; reject: (error: Error) => void } | null = null;
  private correlationId = 0;
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      if (this.buffered.length < 4) return;
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.resolve(frame);
    });
    this.closedPromise = new Promise((resolve) => {
      socket.on('close', () => {
        this.closed = true;
        this.waiting?.reject(new Error('connection closed before the response'));
        this.waiting = null;
        resolve();
      });
    });
    socket.on('error', () => {});
  }

  /** Opens a connection to `host:port`, over TLS trusting `caFile` when given. */
  static open(hostPort: string, caFile?: string): Promise<WireClient> {
    const [host, port] = hostPort.split(':');
    return new Promise((resolve, reject) => {
      const socket: Socket = caFile
        ? connectTls({ host, port: Number(port), ca: readFileSync(caFile), servername: 'localhost' }, () => resolve(new WireClient(socket)))
        : connectTcp({ host, port: Number(port), noDelay: true }, () => resolve(new WireClient(socket)));
      socket.once('error', reject);
    });
  }

  private next(): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise<Buffer>((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  async call<Req, Res>(api: ApiDescriptor<Req, Res>, version: number, body: Req): Promise<Res> {
    const correlationId = ++this.correlationId;
    const answer = this.next();
    this.socket.write(Buffer.concat(encodeRequestFrame(api, version, correlationId, 'wire-client', body)));
    const reader = new Reader(await answer);
    const header = decodeResponseHeader(reader, responseHeaderVersion(api.apiKey, version));
    if (header.correlationId !== correlationId) throw new Error(`correlation id ${header.correlationId}, expected ${correlationId}`);
    return api.decodeResponse(reader, version);
  }

  /** Sends a bare size-prefixed frame (a v0 SASL token) and returns the bare frame answered. */
  async rawToken(token: Buffer): Promise<Buffer> {
    const answer = this.next();
    const size = Buffer.alloc(4);
    size.writeInt32BE(token.length, 0);
    this.socket.write(Buffer.concat([size, token]));
    return Buffer.from(await answer);
  }

  /** Resolves true once the broker closed the connection (within `ms`), false if it stays open. */
  async closesWithin(ms: number): Promise<boolean> {
    const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms));
    return Promise.race([this.closedPromise.then(() => true), timer]);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A connection authenticated as `user` with SCRAM-SHA-256 (SaslHandshake v1, SaslAuthenticate v2); throws, naming the error, when the broker refuses. */
export async function openScram(hostPort: string, user: string, password: string): Promise<WireClient> {
  const client = await WireClient.open(hostPort);
  try {
    const handshake = await client.call(SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' });
    if (handshake.errorCode !== ErrorCode.NONE) throw new Error(`SaslHandshake refused: error ${handshake.errorCode}`);
    const scram = new ScramClient('sha256', user, password);
    const first = await client.call(SaslAuthenticate, 2, { authBytes: scram.first() });
    const final = await client.call(SaslAuthenticate, 2, { authBytes: scram.final(first.authBytes) });
    if (final.errorCode !== ErrorCode.NONE) throw new Error(`SCRAM authentication of ${user} refused: error ${final.errorCode} ${final.errorMessage ?? ''}`);
    return client;
  } catch (error) {
    client.close();
    throw error;
  }
}

type Hash = 'sha256' | 'sha512';
export const SCRAM_HASH: Record<string, Hash> = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' };

/** The client side of a SCRAM exchange (RFC 5802), with hooks to tamper with its final message. */
export class ScramClient {
  readonly nonce = randomBytes(18).toString('base64');
  readonly clientFirstBare: string;
  private serverSignature = '';

  constructor(
    private readonly hash: Hash,
    readonly user: string,
    private readonly password: string,
    /** SCRAM extensions after the nonce, e.g. `tokenauth=true` for a delegation token (KIP-48). */
    extensions: readonly string[] = [],
  ) {
    this.clientFirstBare = [`n=${user.replace(/=/g, '=3D').replace(/,/g, '=2C')}`, `r=${this.nonce}`, ...extensions].join(',');
  }

  first(): Buffer {
    return Buffer.from(`n,,${this.clientFirstBare}`);
  }

  final(serverFirst: Buffer, tamper: { nonce?: (n: string) => string; proof?: (p: Buffer) => Buffer } = {}): Buffer {
    const text = serverFirst.toString();
    const attrs: Record<string, string> = Object.fromEntries(text.split(',').map((kv): [string, string] => [kv.slice(0, 1), kv.slice(2)]));
    const salted = pbkdf2Sync(this.password, Buffer.from(attrs['s']!, 'base64'), Number(attrs['i']), this.hash === 'sha256' ? 32 : 64, this.hash);
    const clientKey = createHmac(this.hash, salted).update('Client Key').digest();
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const nonce = tamper.nonce ? tamper.nonce(attrs['r']!) : attrs['r']!;
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${text},${withoutProof}`;
    const signature = createHmac(this.hash, storedKey).update(authMessage).digest();
    let proof: Buffer = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
    if (tamper.proof) proof = tamper.proof(proof);
    const serverKey = createHmac(this.hash, salted).update('Server Key').digest();
    this.serverSignature = createHmac(this.hash, serverKey).update(authMessage).digest('base64');
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  }

  /** Whether the server-final message proves the server knew the credential. */
  verifies(serverFinal: Buffer): boolean {
    return serverFinal.toString() === `v=${this.serverSignature}`;
  }
}

/** An unsecured JWS (KIP-255) for `sub`, expiring `expiresInS` seconds from now. */
export function unsecuredJws(sub: string, expiresInS: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Date.now() / 1000;
  return `${part({ alg: 'none' })}.${part({ sub, iat: Math.floor(now) - 1, exp: now + expiresInS })}.`;
}

/** OAUTHBEARER's initial client response (RFC 7628) for a token. */
export function oauthBearerMessage(token: string): Buffer {
  return Buffer.from(`n,,\x01auth=Bearer ${token}\x01\x01`);
}
