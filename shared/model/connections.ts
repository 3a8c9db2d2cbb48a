// The live state of a connection, as the main process sees it: whether the cluster answers, how fast,
// which brokers do not, and what is waiting on the network right now. Plain data validated with zod.
import { z } from 'zod';
import { connectionIdSchema, connectionTimeoutsSchema } from './schemas';

// idle: not checked yet (or not used for a while: the last verdict is kept with its time).
// connecting: the first check is under way (a cluster found down stays down while checked again).
// up: the cluster answers and every broker it lists answers.
// degraded: the cluster answers, but some brokers do not (down, refusing connections, timing out, or
//   gone from the metadata since they were last seen).
// down: no bootstrap server answered; lastError says why.
export const connectionStateSchema = z.enum(['idle', 'connecting', 'up', 'degraded', 'down']);
export type ConnectionState = z.infer<typeof connectionStateSchema>;

export const brokerReachabilitySchema = z.object({
  id: z.number().int(),
  // host:port as the cluster advertises the broker (what clients connect to).
  address: z.string(),
  // missing: listed before, absent from the cluster's metadata now (a stopped broker is not listed).
  state: z.enum(['up', 'down', 'missing']),
  // Round trip of an ApiVersions request to this broker at the last check.
  rttMs: z.number().nullable(),
  error: z.string().nullable(),
  // When it entered this state (ms since the epoch).
  since: z.number(),
});
export type BrokerReachability = z.infer<typeof brokerReachabilitySchema>;

export const connectionHealthSchema = z.object({
  connectionId: connectionIdSchema,
  state: connectionStateSchema,
  since: z.number(),
  // False once a check found the cluster down, true again when one finds it answering: screens load
  // again when it turns true (they heal by themselves).
  reachable: z.boolean(),
  // Round trip of the last check's Metadata request to a bootstrap server.
  rttMs: z.number().nullable(),
  checkedAt: z.number().nullable(),
  // When the next check runs: every few seconds while in use, backing off while down.
  nextCheckAt: z.number().nullable(),
  // A check is under way now.
  checking: z.boolean(),
  lastError: z.object({ message: z.string(), at: z.number() }).nullable(),
  // Why the connection is degraded, in words; null otherwise.
  detail: z.string().nullable(),
  brokers: z.array(brokerReachabilitySchema),
  timeouts: connectionTimeoutsSchema,
});
export type ConnectionHealth = z.infer<typeof connectionHealthSchema>;

// Something a connection is waiting for on the network, shown with its time so far and its limit.
export const pendingWorkSchema = z.object({
  id: z.string(),
  kind: z.enum(['connect', 'request']),
  // The Kafka request (Metadata, ApiVersions, ...) for kind request.
  api: z.string().nullable(),
  address: z.string(),
  elapsedMs: z.number(),
  timeoutMs: z.number(),
});
export type PendingWork = z.infer<typeof pendingWorkSchema>;

// key: a connection id, or "test:<testId>" for a test from the connection dialog.
export const connectionActivitySchema = z.object({ key: z.string(), pending: z.array(pendingWorkSchema) });
export type ConnectionActivity = z.infer<typeof connectionActivitySchema>;

export const testIdSchema = z.string().min(1).max(100);
export const testActivityKey = (testId: string): string => `test:${testId}`;

// Why a connection could not be made, when it is one of the usual misconfigurations of a secured
// cluster; errors carry it (with a hint of what to change) so the dialog can say so.
// - tls-unknown-ca: the broker's certificate was issued by a CA this connection does not trust.
// - tls-hostname-mismatch: the certificate does not name the host connected to.
// - tls-client-certificate-required: the listener requires a client certificate (ssl.client.auth=required), the connection has none.
// - tls-client-certificate-refused: the broker refused the connection's client certificate (a CA it does not trust, expired).
// - tls-certificate: another certificate problem (expired, not yet valid).
// - tls-expected: the listener speaks TLS, the connection does not (security.protocol PLAINTEXT/SASL_PLAINTEXT).
// - tls-not-offered: the connection uses TLS, the listener does not.
// - sasl-authentication-failed: the cluster refused the credentials (SASL_AUTHENTICATION_FAILED).
// - sasl-mechanism-unsupported: the listener does not enable this mechanism (UNSUPPORTED_SASL_MECHANISM).
// - sasl-expected: the listener wants SASL, the connection does not authenticate.
// - sasl-not-offered: the connection authenticates with SASL, the listener does not use it.
// - oauth-token-failed: no OAUTHBEARER token could be had from the token endpoint.
export const connectionFailureSchema = z.enum([
  'tls-unknown-ca',
  'tls-hostname-mismatch',
  'tls-certificate',
  'tls-client-certificate-required',
  'tls-client-certificate-refused',
  'tls-expected',
  'tls-not-offered',
  'sasl-authentication-failed',
  'sasl-mechanism-unsupported',
  'sasl-expected',
  'sasl-not-offered',
  'oauth-token-failed',
]);
export type ConnectionFailure = z.infer<typeof connectionFailureSchema>;
