// Client metrics as the app shows them (KIP-714, Kafka 3.7+): the subscriptions (CLIENT_METRICS config
// resources: which metrics, how often, for which clients) and, on the embedded cluster, the clients
// that pushed telemetry with their latest metrics.
import { z } from 'zod';
import { connectionIdSchema } from './schemas';

export const MATCH_SELECTORS = [
  'client_instance_id',
  'client_id',
  'client_software_name',
  'client_software_version',
  'client_source_address',
  'client_source_port',
] as const;
export const matchSelectorSchema = z.enum(MATCH_SELECTORS);
export type MatchSelector = z.infer<typeof matchSelectorSchema>;

export const MIN_PUSH_INTERVAL_MS = 100;
export const MAX_PUSH_INTERVAL_MS = 3_600_000;
export const DEFAULT_PUSH_INTERVAL_MS = 300_000;

export const clientMetricsSubscriptionSchema = z.object({
  name: z.string(),
  // Metric name prefixes; ['*'] for all; [] for none.
  metrics: z.array(z.string()),
  // null: not set (Kafka's default, 5 minutes, applies).
  intervalMs: z.number().int().nullable(),
  match: z.array(z.object({ selector: z.string(), pattern: z.string() })),
});
export type ClientMetricsSubscription = z.infer<typeof clientMetricsSubscriptionSchema>;

export const telemetryPointSchema = z.object({
  attributes: z.record(z.string(), z.string()),
  timeMs: z.number().nullable(),
  // The value (gauge, sum) or the sum (histogram, summary); null when absent.
  value: z.number().nullable(),
  count: z.number().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});
export type TelemetryPoint = z.infer<typeof telemetryPointSchema>;

export const telemetryMetricSchema = z.object({
  name: z.string(),
  description: z.string(),
  unit: z.string(),
  kind: z.enum(['gauge', 'sum', 'histogram', 'exponential-histogram', 'summary', 'unknown']),
  temporality: z.enum(['delta', 'cumulative']).nullable(),
  monotonic: z.boolean(),
  points: z.array(telemetryPointSchema),
  pointsOmitted: z.number().int(),
});
export type TelemetryMetric = z.infer<typeof telemetryMetricSchema>;

export const telemetryClientSchema = z.object({
  clientInstanceId: z.string(),
  clientId: z.string().nullable(),
  softwareName: z.string().nullable(),
  softwareVersion: z.string().nullable(),
  sourceAddress: z.string().nullable(),
  sourcePort: z.string().nullable(),
  brokerId: z.number().int(),
  subscriptionId: z.number().int(),
  requestedMetrics: z.array(z.string()),
  pushIntervalMs: z.number().int(),
  compression: z.string(),
  payloadBytes: z.number().int(),
  // When the latest push arrived.
  at: z.number(),
  terminating: z.boolean(),
  pushes: z.number().int(),
  resource: z.record(z.string(), z.string()),
  metrics: z.array(telemetryMetricSchema),
  metricsOmitted: z.number().int(),
  // Why the payload could not be decoded (then metrics is empty), or null.
  decodeError: z.string().nullable(),
});
export type TelemetryClient = z.infer<typeof telemetryClientSchema>;

export const clientMetricsOverviewSchema = z.object({
  // Why this cluster has no client metrics ("… need Kafka 3.7 or later"), or null.
  unsupported: z.string().nullable(),
  subscriptions: z.array(clientMetricsSubscriptionSchema),
  telemetry: z.object({
    // Pushed metrics are kept by the embedded cluster; a remote cluster hands them to its own receiver.
    available: z.boolean(),
    note: z.string().nullable(),
    clients: z.array(telemetryClientSchema),
  }),
});
export type ClientMetricsOverview = z.infer<typeof clientMetricsOverviewSchema>;

const subscriptionNameSchema = z
  .string()
  .trim()
  .min(1, 'Name the subscription.')
  .max(249, 'A subscription name has at most 249 characters.')
  .refine((name) => !Array.from(name).some((c) => c.charCodeAt(0) < 0x20), 'A subscription name cannot contain control characters.');

const metricPrefixSchema = z
  .string()
  .trim()
  .min(1, 'A metric prefix cannot be empty.')
  .max(500, 'A metric prefix has at most 500 characters.')
  .regex(/^[^,]+$/, 'A metric prefix cannot contain a comma (the list separator).');

const matchPatternSchema = z
  .string()
  .trim()
  .min(1, 'A match pattern needs a regular expression.')
  .max(1000, 'A match pattern has at most 1000 characters.')
  .regex(/^[^,=]+$/, 'A match pattern cannot contain "," or "=" (Kafka splits the list at commas and each pattern at "=").');

export const clientMetricsSaveRequestSchema = z
  .object({
    connectionId: connectionIdSchema,
    name: subscriptionNameSchema,
    // True: refuse if a subscription of that name exists (a new one); false: replace its configs.
    create: z.boolean(),
    metrics: z.array(metricPrefixSchema).max(200, 'At most 200 metric prefixes.'),
    intervalMs: z
      .number()
      .int('The push interval is a whole number of milliseconds.')
      .min(MIN_PUSH_INTERVAL_MS, 'The push interval must be at least 100 ms.')
      .max(MAX_PUSH_INTERVAL_MS, 'The push interval must be at most 3600000 ms (1 hour).'),
    match: z
      .array(z.object({ selector: matchSelectorSchema, pattern: matchPatternSchema }).strict())
      .max(MATCH_SELECTORS.length, 'At most one pattern per selector.')
      .refine((list) => new Set(list.map((m) => m.selector)).size === list.length, 'Give each selector at most one pattern.'),
  })
  .strict();
export type ClientMetricsSaveRequest = z.infer<typeof clientMetricsSaveRequestSchema>;

export const clientMetricsDeleteRequestSchema = z.object({ connectionId: connectionIdSchema, name: subscriptionNameSchema }).strict();
export type ClientMetricsDeleteRequest = z.infer<typeof clientMetricsDeleteRequestSchema>;
