// Network failures of the Kafka client in words that say what failed where: which host:port, whether
// it refused, could not be resolved, timed out connecting, or accepted the connection and then gave
// no answer to which request within the connection's timeout.
//
// @platformatic/kafka reports a timeout as a TimeoutError whose code is PLT_KFK_NETWORK (and whose
// message for a request is only "Request timed out"), so timeouts are told apart by class here and
// the request is named from the app's own record of what was waiting (NetworkActivity).
import { TimeoutError } from '@platformatic/kafka';

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
}

/** Every error inside an error: AggregateError members and causes, depth first. */
export function* flatten(error: unknown, depth = 0): Generator {
  if (depth > 8) return;
  yield error;
  if (error instanceof AggregateError) for (const inner of error.errors) yield* flatten(inner, depth + 1);
  if (error instanceof Error && error.cause !== undefined) yield* flatten(error.cause, depth + 1);
}

/** The `code` of an error (Node's system codes, the client library's PLT_KFK_*), if it has one. */
export function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const CONNECTION_TO = /^Connection to (.+):(\d+) (failed|timed out)\.$/;

function systemReason(address: string, host: string, code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return `${address} refused the connection: nothing is listening on that port (ECONNREFUSED).`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The host name ${host} could not be resolved (${code}).`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${address} cannot be reached from this machine (${code}).`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `${address} closed the connection (${code}): is it a Kafka listener, and does it expect TLS or SASL?`;
    case 'ETIMEDOUT':
      return `Connecting to ${address} timed out (ETIMEDOUT).`;
    default:
      return `The connection to ${address} failed (${code}).`;
  }
}

export interface FailureContext {
  connectTimeoutMs?: number;
  /** The request that timed out, from NetworkActivity, when the failure is a request timeout. */
  timedOut?: { api: string; address: string; timeoutMs: number } | null;
}

function timedOutWords({ address, api, timeoutMs }: { address: string; api: string; timeoutMs: number }): string {
  return `${address} did not answer the ${api} request within ${formatSeconds(timeoutMs)} (the request timeout).`;
}

/** One sentence per broker address that failed, or null when the error is not a network failure. */
export function describeNetworkFailure(error: unknown, context: FailureContext = {}): string | null {
  const reasons: string[] = [];
  const add = (reason: string) => {
    if (!reasons.includes(reason)) reasons.push(reason);
  };
  let network = false;
  for (const inner of flatten(error)) {
    if (!(inner instanceof Error)) continue;
    const match = CONNECTION_TO.exec(inner.message);
    if (inner instanceof TimeoutError) {
      network = true;
      if (match) {
        const limit = context.connectTimeoutMs ? ` within ${formatSeconds(context.connectTimeoutMs)} (the connect timeout)` : '';
        add(`No connection to ${match[1]}:${match[2]} could be made${limit}: is the address right, and is nothing dropping the packets?`);
      } else if (context.timedOut) {
        add(timedOutWords(context.timedOut));
      } else {
        add('A broker did not answer within the request timeout.');
      }
      continue;
    }
    if (match && match[3] === 'failed') {
      network = true;
      const systemCode = [...flatten(inner.cause)].map(codeOf).find((code) => code && /^E[A-Z_]+$/.test(code));
      const tlsCause = [...flatten(inner.cause)].find((cause) => codeOf(cause)?.startsWith('ERR_TLS') || codeOf(cause)?.includes('CERT'));
      const address = `${match[1]}:${match[2]}`;
      if (tlsCause) add(`The TLS handshake with ${address} failed: ${(tlsCause as Error).message}.`);
      else if (systemCode) add(systemReason(address, match[1] ?? '', systemCode));
      else if (inner.cause instanceof Error && codeOf(inner.cause) === 'PLT_KFK_USER') add(`${address}: ${inner.cause.message}`);
      else if (!(inner.cause instanceof Error) || codeOf(inner.cause) !== 'PLT_KFK_AUTHENTICATION') add(`The connection to ${address} failed.`);
      continue;
    }
    if (codeOf(inner) === 'PLT_KFK_NETWORK' && /^Connection (closed|error)/.test(inner.message)) {
      network = true;
      const systemCode = [...flatten(inner.cause)].map(codeOf).find((code) => code && /^E[A-Z_]+$/.test(code));
      // The client library closes a connection whose request timed out (as Kafka's NetworkClient
      // does), failing the other requests on it as closed: the timeout is what happened.
      if (context.timedOut && !systemCode) add(timedOutWords(context.timedOut));
      else add(`A broker closed the connection before it answered${systemCode ? ` (${systemCode})` : ''}.`);
    }
  }
  if (!network || reasons.length === 0) return null;
  if (reasons.length === 1) return reasons[0] ?? null;
  return `No broker could be reached. ${reasons.join(' ')}`;
}

/** Whether an error means the cluster (not one request) could not be reached. */
export function isNetworkFailure(error: unknown): boolean {
  return describeNetworkFailure(error) !== null;
}
