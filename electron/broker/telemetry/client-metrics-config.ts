import { RE2JS } from 're2js';
import { ErrorCode } from '../../kafka/protocol/error-codes';

/**
 * Client metrics subscriptions (KIP-714): config resources of type CLIENT_METRICS, one per subscription,
 * with three configs, validated as Kafka's ClientMetricsConfigs does (server/metrics/ClientMetricsConfigs.java):
 * - `metrics`: metric name prefixes the matching clients are to push (`*` for all; none: push nothing);
 * - `interval.ms`: how often they push, 100 ms to 1 hour (default 5 minutes);
 * - `match`: `selector=regex` pairs a client must all match to be subscribed (none: every client), the
 *   selectors being the client's instance id, client id, software name and version, source address and port.
 * Kafka compiles the patterns with java.util.regex; here they are RE2 (re2js, linear time: a pattern runs
 * against every client that asks for its subscriptions), so the few Java constructs RE2 lacks
 * (backreferences, lookaround) are refused with a clear error instead of being accepted.
 */
export const CLIENT_METRICS_RESOURCE_TYPE = 16;
export const DEFAULT_PUSH_INTERVAL_MS = 300_000;
export const MIN_PUSH_INTERVAL_MS = 100;
export const MAX_PUSH_INTERVAL_MS = 3_600_000;
/** A `metrics` entry that subscribes to every metric. */
export const ALL_METRICS = '*';

export const MATCH_SELECTORS = [
  'client_instance_id',
  'client_id',
  'client_software_name',
  'client_software_version',
  'client_source_address',
  'client_source_port',
] as const;
export type MatchSelector = (typeof MATCH_SELECTORS)[number];

export interface ClientMetricsConfigDef {
  type: 'list' | 'int';
  default: string;
  doc: string;
}

export const CLIENT_METRICS_CONFIG_DEFS: ReadonlyMap<string, ClientMetricsConfigDef> = new Map([
  ['metrics', { type: 'list', default: '', doc: 'Subscription metrics list: metric name prefixes, * for all metrics.' }],
  ['interval.ms', { type: 'int', default: String(DEFAULT_PUSH_INTERVAL_MS), doc: 'Push interval in milliseconds, from 100 to 3600000.' }],
  [
    'match',
    {
      type: 'list',
      default: '',
      doc: `Client match pattern list: selector=regex, the selector one of ${MATCH_SELECTORS.join(', ')}; a client must match every pattern.`,
    },
  ],
]);

export interface MatchPattern {
  selector: MatchSelector;
  /** The regular expression as written (trimmed). */
  pattern: string;
  /** Compiled; the whole attribute must match. */
  regex: RE2JS;
}

export interface ClientMetricsSubscription {
  name: string;
  /** Metric name prefixes ('*' for all); empty: the matching clients push nothing. */
  metrics: string[];
  intervalMs: number;
  match: MatchPattern[];
}

export interface SubscriptionError {
  errorCode: number;
  errorMessage: string;
}

/** A LIST config's items as Kafka's ConfigDef parses them: split at commas, blanks around them dropped; '' is the empty list. */
export function configList(value: string): string[] {
  const trimmed = value.trim();
  return trimmed === '' ? [] : trimmed.split(/\s*,\s*/);
}

/**
 * The match patterns of a `match` list, or why one is illegal: each splits at '=' into exactly two parts
 * (so '=' cannot appear in a pattern, as in Kafka), a known selector and a regex that compiles.
 */
export function parseMatchPatterns(items: readonly string[]): MatchPattern[] | SubscriptionError {
  const patterns = new Map<MatchSelector, MatchPattern>();
  for (const item of items) {
    // Java's String.split drops trailing empty parts: 'client_id=' has one part, as 'client_id'.
    const parts = item.split('=');
    while (parts.length > 0 && parts.at(-1) === '') parts.pop();
    const illegal = (why: string): SubscriptionError => ({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: `Illegal client matching pattern: ${item} (${why})`,
    });
    if (parts.length !== 2) return illegal('write selector=regex, with no other =');
    const selector = parts[0]!.trim();
    if (!(MATCH_SELECTORS as readonly string[]).includes(selector)) return illegal(`the selector must be one of ${MATCH_SELECTORS.join(', ')}`);
    const pattern = parts[1]!.trim();
    let regex: RE2JS;
    try {
      regex = RE2JS.compile(pattern);
    } catch (error) {
      return illegal(`not a regular expression RE2 accepts: ${error instanceof Error ? error.message : String(error)}`);
    }
    // A selector given twice: the last one counts, as Kafka's map of patterns keeps it.
    patterns.set(selector as MatchSelector, { selector: selector as MatchSelector, pattern, regex });
  }
  return [...patterns.values()];
}

/**
 * Validates a subscription's configs (Kafka's ClientMetricsConfigs.validate: an empty name and unknown
 * configs are INVALID_REQUEST, as is an interval out of range; a value of the wrong type or an illegal
 * match pattern INVALID_CONFIG) and parses them.
 */
export function parseSubscription(name: string, configs: Readonly<Record<string, string>>): ClientMetricsSubscription | SubscriptionError {
  if (name === '') return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "Subscription name can't be empty" };
  for (const key of Object.keys(configs)) {
    if (!CLIENT_METRICS_CONFIG_DEFS.has(key)) {
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `Unknown client metrics configuration: ${key} (the configs are ${[...CLIENT_METRICS_CONFIG_DEFS.keys()].join(', ')})`,
      };
    }
  }
  let intervalMs = DEFAULT_PUSH_INTERVAL_MS;
  const interval = configs['interval.ms'];
  if (interval !== undefined) {
    const text = interval.trim();
    const value = /^[+-]?\d{1,10}$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
      return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Invalid value ${interval} for configuration interval.ms: Not a number of type INT` };
    }
    if (value < MIN_PUSH_INTERVAL_MS || value > MAX_PUSH_INTERVAL_MS) {
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `Invalid value ${value} for interval.ms, interval must be between ${MIN_PUSH_INTERVAL_MS} and ${MAX_PUSH_INTERVAL_MS} (1 hour)`,
      };
    }
    intervalMs = value;
  }
  const match = parseMatchPatterns(configList(configs['match'] ?? ''));
  if (!Array.isArray(match)) return match;
  return { name, metrics: configList(configs['metrics'] ?? ''), intervalMs, match };
}

export function isSubscriptionError(value: unknown): value is SubscriptionError {
  return typeof value === 'object' && value !== null && 'errorCode' in value;
}
