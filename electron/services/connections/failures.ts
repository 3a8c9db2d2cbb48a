// A connection refused because of its security settings, in words that say which mismatch it is and
// what to change: a CA the connection does not trust, a certificate for another host, credentials or
// a mechanism the cluster refuses, TLS or SASL on one side only. The client library reports most of
// these as a cause under "Connection to host:port failed."; a listener that just closes the socket
// (a plaintext client on a TLS listener, a client without SASL on a SASL listener) is told apart by
// asking the listener itself (diagnoseListener).
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { Connection, saslHandshakeV1 } from '@platformatic/kafka';
import type { ConnectionFailure } from '../../../shared/model/connections';
import { AppError } from '../../core/errors';
import { codeOf, flatten } from '../../core/network-errors';

/** What the failing connection was set up with, for the words and the hints. */
export interface SecurityContext {
  tls: boolean;
  caFile?: string | undefined;
  /** The client certificate the connection presents (ssl.certificate.location), if any. */
  certFile?: string | undefined;
  mechanism: string | null;
  username?: string | undefined;
}

/** An OAUTHBEARER token that could not be had (token endpoint down, client refused, bad answer). */
export class OAuthTokenError extends Error {
  readonly code = 'KD_OAUTH_TOKEN';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'OAuthTokenError';
  }
}

/** The broker's error answer to an OAUTHBEARER token (KIP-255's JSON: status, scope, openid-configuration). */
export class OAuthBearerRefused extends Error {
  readonly code = 'KD_OAUTHBEARER_REFUSED';
  constructor(readonly status: string) {
    super(`the cluster answered the token with status ${status}`);
    this.name = 'OAuthBearerRefused';
  }
}

// Node's (OpenSSL's) codes for a chain that does not lead to a trusted CA.
const UNKNOWN_CA_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

const CONNECTION_FAILED = /^Connection to (.+):(\d+) failed\.$/;

function errorWith(failure: ConnectionFailure, message: string, hint: string, cause: unknown, kafkaCode?: string): AppError {
  return new AppError(kafkaCode ? 'kafka' : 'unavailable', message, { failure, hint, cause, ...(kafkaCode ? { kafkaCode } : {}) });
}

function protocolErrorOf(error: unknown, apiId: string): (Error & { serverErrorMessage?: string | null }) | undefined {
  return [...flatten(error)].find((inner): inner is Error => inner instanceof Error && (inner as { apiId?: unknown }).apiId === apiId);
}

/** The mechanisms a SaslHandshake answer listed (the library keeps the answer on its ResponseError). */
function offeredMechanisms(error: unknown): string[] | null {
  for (const inner of flatten(error)) {
    const mechanisms = (inner as { response?: { mechanisms?: unknown } } | null)?.response?.mechanisms;
    if (Array.isArray(mechanisms)) return mechanisms.filter((m): m is string => typeof m === 'string');
  }
  return null;
}

const listOf = (mechanisms: readonly string[]) => (mechanisms.length ? mechanisms.join(', ') : 'none');

/**
 * The security mismatch behind a client library error, or null when it is something else (a network
 * failure, a refused request). Only what the error itself shows: see diagnoseListener for closes.
 */
export function classifyConnectionFailure(error: unknown, context: SecurityContext): AppError | null {
  if (error instanceof AppError) return error.failure ? error : null;
  let address = 'The broker';
  let host = '';
  for (const inner of flatten(error)) {
    if (!(inner instanceof Error)) continue;
    const match = CONNECTION_FAILED.exec(inner.message);
    if (match) {
      address = `${match[1]}:${match[2]}`;
      host = match[1] ?? '';
    }
    const code = codeOf(inner);
    if (code === 'KD_OAUTH_TOKEN') {
      return errorWith('oauth-token-failed', inner.message, 'Check the token endpoint, the client id and the client secret.', error);
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      const names = (inner as { cert?: { subjectaltname?: string } }).cert?.subjectaltname;
      return errorWith(
        'tls-hostname-mismatch',
        `The certificate of ${address} is not for ${host || 'this host'}${names ? `: it names ${names}` : ''}.`,
        'Connect with a name the certificate covers (in the bootstrap servers, and in the brokers’ advertised listeners), or turn off hostname verification for this connection if you trust the network.',
        error,
      );
    }
    if (code && UNKNOWN_CA_CODES.has(code)) {
      return errorWith(
        'tls-unknown-ca',
        `The certificate of ${address} was issued by a CA this connection does not trust (${code}).`,
        context.caFile
          ? `The CA file ${context.caFile} did not issue it: choose this cluster’s CA certificate (for an embedded cluster, the ssl.ca.location it prints).`
          : 'The system’s trusted CAs do not include it: choose the cluster’s CA certificate file (PEM) under TLS.',
        error,
      );
    }
    if (code) {
      const refusal = clientCertificateRefusal(code, address, context, error);
      if (refusal) return refusal;
    }
    if (code && (code.startsWith('ERR_TLS') || code.startsWith('CERT_') || code.includes('_CERT'))) {
      return errorWith(
        'tls-certificate',
        `The TLS handshake with ${address} failed: ${inner.message} (${code}).`,
        code === 'CERT_HAS_EXPIRED'
          ? 'The broker’s certificate has expired: it must be renewed on the cluster.'
          : 'Check the CA certificate and the client certificate.',
        error,
      );
    }
    if (code === 'PLT_KFK_USER' && inner.message.startsWith('TLS handshake failed')) {
      return errorWith(
        'tls-not-offered',
        `${address} does not speak TLS: it closed the connection during the TLS handshake.`,
        'Turn TLS off (security.protocol PLAINTEXT or SASL_PLAINTEXT), or connect to the cluster’s TLS listener.',
        error,
      );
    }
    if (code === 'PLT_KFK_USER' && inner.message === 'Broker requires TLS.') {
      return tlsExpected(address, error);
    }
    if (inner instanceof OAuthBearerRefused) {
      return errorWith(
        'sasl-authentication-failed',
        `${address} refused the OAUTHBEARER token (${inner.status}).`,
        'The token must be valid now (not expired) and accepted by the cluster (its issuer, audience and scope).',
        error,
        'SASL_AUTHENTICATION_FAILED',
      );
    }
  }
  const refused = protocolErrorOf(error, 'SASL_AUTHENTICATION_FAILED');
  if (refused) {
    const who =
      context.mechanism === 'OAUTHBEARER' ? 'the OAUTHBEARER token' : `the credentials of user ${context.username ?? ''} (${context.mechanism ?? 'SASL'})`;
    const server = refused.serverErrorMessage ? `: ${refused.serverErrorMessage.replace(/\.$/, '')}` : '';
    return errorWith(
      'sasl-authentication-failed',
      `${address} refused ${who}${server}.`,
      context.mechanism === 'OAUTHBEARER'
        ? 'The token must be valid now (not expired) and accepted by the cluster.'
        : 'Check the user name and the password. SCRAM credentials are kept per mechanism: the user may have them for the other SCRAM mechanism only.',
      error,
      'SASL_AUTHENTICATION_FAILED',
    );
  }
  if (protocolErrorOf(error, 'UNSUPPORTED_SASL_MECHANISM')) {
    const offered = offeredMechanisms(error);
    return errorWith(
      'sasl-mechanism-unsupported',
      `${address} does not accept ${context.mechanism ?? 'this SASL mechanism'}${offered ? `; it offers ${listOf(offered)}` : ''}.`,
      'Choose a mechanism the cluster offers (its listener’s sasl.enabled.mechanisms).',
      error,
      'UNSUPPORTED_SASL_MECHANISM',
    );
  }
  if (protocolErrorOf(error, 'ILLEGAL_SASL_STATE') && context.mechanism) {
    return saslNotOffered(address, context.mechanism, error);
  }
  return null;
}

// OpenSSL's codes for the alerts a TLS server sends about the client's certificate: none given where
// one is required (TLS 1.3's certificate_required; TLS 1.2 has only handshake_failure for it), or one
// it does not accept (issued by a CA it does not trust, expired, unreadable).
const CERTIFICATE_REQUIRED_CODES = new Set(['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED']);
const CERTIFICATE_REFUSED_CODES = new Set([
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
]);

/** The broker's refusal of this connection's client certificate (or of its lack of one), from the TLS alert's code. */
function clientCertificateRefusal(code: string, address: string, context: SecurityContext, cause: unknown): AppError | null {
  const required = CERTIFICATE_REQUIRED_CODES.has(code) || (code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' && context.tls && !context.certFile);
  if (required && !context.certFile) {
    return errorWith(
      'tls-client-certificate-required',
      `${address} requires a client certificate (ssl.client.auth=required), and this connection presents none.`,
      'Choose a client certificate and its key (PEM) under TLS, issued by a CA the cluster trusts; the cluster knows the connection by the certificate’s subject (User:CN=...). For the embedded cluster, `client-cert <name>` on npm run cluster’s standard input issues one.',
      cause,
    );
  }
  if (context.certFile && (required || CERTIFICATE_REFUSED_CODES.has(code))) {
    return errorWith(
      'tls-client-certificate-refused',
      `${address} refused the client certificate ${context.certFile} (${code}).`,
      'The cluster accepts client certificates issued by a CA it trusts (its ssl.truststore), not expired: use one it issued, or have this one’s CA added to its trust store.',
      cause,
    );
  }
  return null;
}

function tlsExpected(address: string, cause: unknown): AppError {
  return errorWith(
    'tls-expected',
    `${address} expects TLS, and this connection does not use it.`,
    'Turn TLS on (security.protocol SSL or SASL_SSL) and choose the cluster’s CA certificate.',
    cause,
  );
}

function saslNotOffered(address: string, mechanism: string, cause: unknown): AppError {
  return errorWith(
    'sasl-not-offered',
    `${address} does not use SASL on this listener, and this connection authenticates with ${mechanism}.`,
    'Set the SASL mechanism to None (security.protocol SSL or PLAINTEXT), or connect to the cluster’s SASL listener.',
    cause,
  );
}

/** Whether an error is a connection the other side closed without a word (what a listener does to a client speaking the wrong protocol). */
export function isUnexplainedClose(error: unknown): boolean {
  return [...flatten(error)].some(
    (inner) =>
      inner instanceof Error &&
      codeOf(inner) === 'PLT_KFK_NETWORK' &&
      /^Connection closed/.test(inner.message) &&
      ![...flatten(inner.cause)].some((cause) => /^E[A-Z]+$/.test(codeOf(cause) ?? '') && codeOf(cause) !== 'ECONNRESET'),
  );
}

/**
 * Asks a listener what it speaks, after it closed a connection without a word: a client without TLS
 * tries a TLS handshake (accepted: the listener wants TLS); a client without SASL sends SaslHandshake
 * (answered with mechanisms: the listener wants SASL). Null when neither explains it. Bounded by `timeoutMs`.
 */
export async function diagnoseListener(
  address: string,
  context: SecurityContext & { tlsOptions?: ConnectionOptions | undefined },
  timeoutMs: number,
  cause: unknown,
): Promise<AppError | null> {
  const [host, portText] = splitHostPort(address);
  const port = Number(portText);
  if (!host || !Number.isInteger(port)) return null;
  if (!context.tls) {
    if (await speaksTls(host, port, timeoutMs)) return tlsExpected(address, cause);
  } else if (context.tlsOptions) {
    // TLS 1.3 servers check a client's certificate after the client's side of the handshake is done:
    // the refusal comes as an alert on the first read, which the client library reports as a close.
    const outcome = await requestOverTls(host, port, context.tlsOptions, timeoutMs);
    const refusal = outcome.code ? clientCertificateRefusal(outcome.code, address, context, cause) : null;
    if (refusal) return refusal;
    if (outcome.kind === 'closed' && context.certFile) {
      // Closed without a word: Node's TLS servers (the embedded brokers) drop a client certificate they do
      // not trust without an alert. If the listener answers, or asks for a certificate, when given none,
      // it was the certificate it refused.
      const without = await requestOverTls(host, port, { ...context.tlsOptions, cert: undefined, key: undefined }, timeoutMs);
      if (without.kind === 'answered' || (without.code && CERTIFICATE_REQUIRED_CODES.has(without.code))) {
        return clientCertificateRefusal('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', address, context, cause);
      }
    }
  }
  if (!context.mechanism) {
    const offered = await saslMechanismsOffered(host, port, context.tlsOptions, timeoutMs);
    if (offered) {
      return errorWith(
        'sasl-expected',
        `${address} expects SASL authentication (it offers ${listOf(offered)}), and this connection does not authenticate.`,
        'Choose a SASL mechanism and enter the credentials (security.protocol SASL_SSL or SASL_PLAINTEXT).',
        cause,
      );
    }
  }
  return null;
}

function splitHostPort(address: string): [string, string] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon).replace(/^\[|\]$/g, ''), address.slice(colon + 1)];
}

/** Whether a TLS handshake with host:port completes (any certificate: only whether it speaks TLS). */
function speaksTls(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTls({ host, port, rejectUnauthorized: false, timeout: timeoutMs });
    const done = (value: boolean) => {
      socket.destroy();
      resolve(value);
    };
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

// ApiVersions v0 (api key 18, correlation id 1, no client id): any Kafka broker answers it.
const API_VERSIONS_V0 = Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff]);

/** How a listener takes a request sent over TLS with these options: an answer, a TLS error (its code), or a close without either. */
function requestOverTls(
  host: string,
  port: number,
  tls: ConnectionOptions,
  timeoutMs: number,
): Promise<{ kind: 'answered' | 'error' | 'closed'; code: string | null }> {
  return new Promise((resolve) => {
    const socket = connectTls({ ...tls, host, port, timeout: timeoutMs });
    let settled = false;
    const done = (kind: 'answered' | 'error' | 'closed', code: string | null = null) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ kind, code });
    };
    socket.once('secureConnect', () => socket.write(API_VERSIONS_V0));
    socket.once('data', () => done('answered'));
    socket.on('error', (error) => done('error', codeOf(error) ?? null));
    socket.once('timeout', () => done('closed'));
    socket.once('close', () => done('closed'));
  });
}

/** The mechanisms a listener offers to SaslHandshake, or null when it does not take SASL (or does not answer). */
async function saslMechanismsOffered(host: string, port: number, tls: ConnectionOptions | undefined, timeoutMs: number): Promise<string[] | null> {
  const connection = new Connection('kafka-desk-diagnosis', { connectTimeout: timeoutMs, requestTimeout: timeoutMs, ...(tls ? { tls } : {}) });
  // An error after the connection is made (a TLS alert refusing the client's certificate, a reset) is
  // emitted as 'error' on the connection, and with no listener it would end the process; the request
  // under way fails with it all the same.
  connection.on('error', () => undefined);
  try {
    await connection.connect(host, port);
    const response = await saslHandshakeV1.api.async(connection, 'PLAIN');
    return response.mechanisms;
  } catch (error) {
    if (protocolErrorOf(error, 'UNSUPPORTED_SASL_MECHANISM')) return offeredMechanisms(error);
    return null;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
