// OAUTHBEARER tokens for a connection: a static token as given, or one fetched from an identity
// provider with OAuth's client-credentials grant (RFC 6749 section 4.4), kept until shortly before it
// expires, as Kafka's OAuthBearerLoginCallbackHandler (KIP-768) does. The client library asks for a
// token on every broker connection and at every re-authentication (KIP-368).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { SASLCustomAuthenticator } from '@platformatic/kafka';
import { OAuthBearerRefused, OAuthTokenError } from './failures';

/** A token endpoint's answer is small; a larger one is not a token response. */
const MAX_TOKEN_RESPONSE_BYTES = 256 * 1024;

export interface ClientCredentials {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  scope?: string | undefined;
}

export interface TokenFetchOptions {
  timeoutMs: number;
  /** CAs to trust for an https endpoint (the connection's own), or Node's default ones. */
  ca?: string | string[] | undefined;
}

interface TokenResponse {
  access_token?: unknown;
  token_type?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

function post(url: URL, body: string, headers: Record<string, string>, options: TokenFetchOptions): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        },
        timeout: options.timeoutMs,
        ...(url.protocol === 'https:' && options.ca ? { ca: options.ca } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_TOKEN_RESPONSE_BYTES) {
            request.destroy(new Error(`the answer is larger than ${MAX_TOKEN_RESPONSE_BYTES / 1024} KB`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs / 1000} s`)));
    request.on('error', reject);
    request.end(body);
  });
}

/** Fetches one token with the client-credentials grant; the error says what the endpoint answered. */
export async function fetchClientCredentialsToken(
  credentials: ClientCredentials,
  options: TokenFetchOptions,
): Promise<{ token: string; expiresInMs: number | null }> {
  const url = new URL(credentials.tokenEndpoint);
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (credentials.scope) form.set('scope', credentials.scope);
  // RFC 6749 section 2.3.1: client id and secret form-encoded, then HTTP Basic.
  const basic = Buffer.from(`${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`).toString('base64');
  let answer: { status: number; text: string };
  try {
    answer = await post(url, form.toString(), { authorization: `Basic ${basic}` }, options);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = error instanceof Error ? error.message : String(error);
    throw new OAuthTokenError(
      `The token endpoint ${url.origin}${url.pathname} could not be reached${code ? ` (${code})` : ''}: ${reason.replace(/\.$/, '')}.`,
      {
        cause: error,
      },
    );
  }
  let body: TokenResponse;
  try {
    body = JSON.parse(answer.text) as TokenResponse;
  } catch {
    body = {};
  }
  if (answer.status < 200 || answer.status >= 300) {
    const error = typeof body.error === 'string' ? `: ${body.error}${typeof body.error_description === 'string' ? ` (${body.error_description})` : ''}` : '';
    const refused = answer.status === 400 || answer.status === 401 ? ' refused the client id or secret' : ' answered with an error';
    throw new OAuthTokenError(`The token endpoint ${url.origin}${url.pathname}${refused} (HTTP ${answer.status}${error}).`);
  }
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    throw new OAuthTokenError(`The token endpoint ${url.origin}${url.pathname} answered without an access_token.`);
  }
  const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : null;
  return { token: body.access_token, expiresInMs: expiresIn };
}

/**
 * A token provider for the client library: one token shared by every broker connection, fetched again
 * once 80% of its lifetime has passed (or after an hour when the endpoint does not say).
 */
export function clientCredentialsProvider(credentials: ClientCredentials, options: TokenFetchOptions): () => Promise<string> {
  let cached: { token: string; refreshAt: number } | null = null;
  let pending: Promise<string> | null = null;
  return () => {
    if (cached && Date.now() < cached.refreshAt) return Promise.resolve(cached.token);
    pending ??= fetchClientCredentialsToken(credentials, options)
      .then(({ token, expiresInMs }) => {
        cached = { token, refreshAt: Date.now() + (expiresInMs ?? 3_600_000) * 0.8 };
        return token;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  };
}

/** A SaslAuthenticate answer, as the library hands it to an authenticator's callback. */
type SaslAuthenticateResponse = NonNullable<Parameters<Parameters<SASLCustomAuthenticator>[6]>[1]>;

function errorStatus(authBytes: Buffer): string | null {
  if (authBytes.length === 0) return null;
  try {
    const status = (JSON.parse(authBytes.toString('utf8')) as { status?: unknown }).status;
    return typeof status === 'string' ? status : null;
  } catch {
    return null;
  }
}

/**
 * OAUTHBEARER as RFC 7628 runs it (KIP-255): the initial response carries the token; a broker that
 * refuses it answers a JSON error challenge, which the client acknowledges with %x01 so the broker ends
 * the exchange with SASL_AUTHENTICATION_FAILED and its reason (the library alone would take the
 * challenge for success and then find its connection closed).
 */
export const oauthBearerAuthenticator: SASLCustomAuthenticator = (_mechanism, connection, authenticate, _username, _password, token, callback) => {
  const send = (bytes: Buffer, then: (response: SaslAuthenticateResponse) => void) =>
    authenticate(connection, bytes, (error, response) => (error || !response ? callback(error ?? new Error('no SaslAuthenticate answer')) : then(response)));
  Promise.resolve(typeof token === 'function' ? token() : token).then(
    (value) => {
      if (typeof value !== 'string' || value === '') {
        callback(new OAuthTokenError('No OAUTHBEARER token was given.'));
        return;
      }
      send(Buffer.from(`n,,\x01auth=Bearer ${value}\x01\x01`), (response) => {
        const status = errorStatus(response.authBytes);
        if (status === null) {
          callback(null, response);
          return;
        }
        // The acknowledgement: the broker answers with the failure and its reason, which callback gets.
        send(Buffer.from('\x01'), () => callback(new OAuthBearerRefused(status)));
      });
    },
    (error: unknown) => callback(error instanceof Error ? error : new OAuthTokenError(String(error))),
  );
};
