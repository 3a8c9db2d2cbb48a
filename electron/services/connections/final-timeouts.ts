// A timeout ends the call: @platformatic/kafka 2.x retries a request or connect timeout (`retries`
// times, each waiting the whole timeout, and nested: each Metadata attempt redoes its own ApiVersions
// attempts), so with the app's 3 retries a broker that accepts connections but never answers would
// cost 4 to 16 timeouts before the screen hears of it. 1.x treated timeouts as final; the app keeps
// that: one timeout, then the error naming the request and the broker (errors.ts). Every other
// retriable error (a closed connection, NOT_LEADER_OR_FOLLOWER, ...) is still retried.
import { kPerformWithRetry, TimeoutError } from '@platformatic/kafka';

/** Whether `error`, or any error it carries (MultipleErrors' list, causes), is a timeout. */
export function involvesTimeout(error: unknown, depth = 0): boolean {
  if (depth > 8 || !(error instanceof Error)) return false;
  if (error instanceof TimeoutError) return true;
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.some((item) => involvesTimeout(item, depth + 1))) return true;
  return involvesTimeout(error.cause, depth + 1);
}

type SkipRetry = (error: unknown) => boolean;
type PerformWithRetry = (
  operationId: string,
  operation: unknown,
  callback: unknown,
  attempt?: number,
  errors?: unknown[],
  shouldSkipRetry?: SkipRetry,
  retryLimit?: number,
) => void;

/** Makes timeouts final for this client (Admin, Producer, Consumer): see the top of this file. */
export function withFinalTimeouts<Client extends object>(client: Client): Client {
  const target = client as unknown as Record<symbol, PerformWithRetry>;
  const perform = target[kPerformWithRetry];
  if (typeof perform !== 'function') throw new Error('@platformatic/kafka no longer retries through kPerformWithRetry: check withFinalTimeouts');
  // The library's retry loop calls this[kPerformWithRetry] again for each attempt, with the same
  // shouldSkipRetry, so the rule holds for every attempt and every nested operation.
  target[kPerformWithRetry] = function (this: unknown, operationId, operation, callback, attempt, errors, shouldSkipRetry, retryLimit) {
    const skip: SkipRetry = (error) => involvesTimeout(error) || (shouldSkipRetry?.(error) ?? false);
    return perform.call(this, operationId, operation, callback, attempt, errors, skip, retryLimit);
  };
  return client;
}
