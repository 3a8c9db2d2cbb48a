// Decodes client telemetry (KIP-714): a PushTelemetry payload is an OpenTelemetry MetricsData protobuf
// (OTLP, opentelemetry-proto v1 metrics.proto), maybe compressed with a Kafka codec. The schema below is
// the part of OTLP's metrics.proto (and common.proto, resource.proto) a client's metrics use, written
// out from the published field numbers; protobufjs (already a dependency, for schema-registry Protobuf)
// decodes with it. What comes out is bounded: at most MAX_METRICS metrics and MAX_POINTS points each.
import protobuf from 'protobufjs';
import type { TelemetryMetric, TelemetryPoint } from '../../../shared/model/client-metrics';
import { decompress } from '../../kafka/records/compression';

const OTLP_METRICS_PROTO = `
syntax = "proto3";
package opentelemetry.proto.metrics.v1;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }

message MetricsData { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message Metric {
  string name = 1;
  string description = 2;
  string unit = 3;
  oneof data {
    Gauge gauge = 5;
    Sum sum = 7;
    Histogram histogram = 9;
    ExponentialHistogram exponential_histogram = 10;
    Summary summary = 11;
  }
  repeated KeyValue metadata = 12;
}
enum AggregationTemporality {
  AGGREGATION_TEMPORALITY_UNSPECIFIED = 0;
  AGGREGATION_TEMPORALITY_DELTA = 1;
  AGGREGATION_TEMPORALITY_CUMULATIVE = 2;
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; }
message ExponentialHistogram { repeated ExponentialHistogramDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; }
message Summary { repeated SummaryDataPoint data_points = 1; }
message NumberDataPoint {
  repeated KeyValue attributes = 7;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; }
  uint32 flags = 8;
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  optional double sum = 5;
  repeated fixed64 bucket_counts = 6;
  repeated double explicit_bounds = 7;
  uint32 flags = 10;
  optional double min = 11;
  optional double max = 12;
}
message ExponentialHistogramDataPoint {
  repeated KeyValue attributes = 1;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  optional double sum = 5;
  optional double min = 12;
  optional double max = 13;
}
message SummaryDataPoint {
  repeated KeyValue attributes = 7;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  double sum = 5;
}
`;

export const MAX_METRICS = 2000;
export const MAX_POINTS = 50;
/** A payload may not decompress to more than this. */
const MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024;

let metricsData: protobuf.Type | null = null;
/** The OTLP MetricsData type (parsed once). */
export function otlpMetricsDataType(): protobuf.Type {
  metricsData ??= protobuf.parse(OTLP_METRICS_PROTO, { keepCase: false }).root.lookupType('opentelemetry.proto.metrics.v1.MetricsData');
  return metricsData;
}

interface AnyValueObject {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValueObject[] };
  kvlistValue?: { values?: KeyValueObject[] };
  bytesValue?: string;
}
interface KeyValueObject {
  key?: string;
  value?: AnyValueObject;
}
interface PointObject {
  attributes?: KeyValueObject[];
  timeUnixNano?: number | string;
  asDouble?: number;
  asInt?: number | string;
  count?: number | string;
  sum?: number;
  min?: number;
  max?: number;
}
interface MetricObject {
  name?: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints?: PointObject[] };
  sum?: { dataPoints?: PointObject[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: { dataPoints?: PointObject[]; aggregationTemporality?: number };
  exponentialHistogram?: { dataPoints?: PointObject[]; aggregationTemporality?: number };
  summary?: { dataPoints?: PointObject[] };
}
interface MetricsDataObject {
  resourceMetrics?: Array<{ resource?: { attributes?: KeyValueObject[] }; scopeMetrics?: Array<{ scope?: { name?: string }; metrics?: MetricObject[] }> }>;
}

function anyValueText(value: AnyValueObject | undefined): string {
  if (!value) return '';
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return String(value.boolValue);
  if (value.intValue !== undefined) return String(value.intValue);
  if (value.doubleValue !== undefined) return String(value.doubleValue);
  if (value.arrayValue) return `[${(value.arrayValue.values ?? []).map(anyValueText).join(', ')}]`;
  if (value.kvlistValue) return `{${(value.kvlistValue.values ?? []).map((kv) => `${kv.key ?? ''}=${anyValueText(kv.value)}`).join(', ')}}`;
  if (value.bytesValue !== undefined) return value.bytesValue;
  return '';
}

function attributes(list: KeyValueObject[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) if (kv.key) out[kv.key] = anyValueText(kv.value);
  return out;
}

const TEMPORALITY: Record<number, 'delta' | 'cumulative'> = { 1: 'delta', 2: 'cumulative' };

function point(p: PointObject, kind: TelemetryMetric['kind']): TelemetryPoint {
  const timeMs = p.timeUnixNano === undefined ? null : Math.round(Number(p.timeUnixNano) / 1e6);
  const base = { attributes: attributes(p.attributes), timeMs: timeMs === 0 ? null : timeMs };
  if (kind === 'gauge' || kind === 'sum') {
    const value = p.asDouble !== undefined ? p.asDouble : p.asInt !== undefined ? Number(p.asInt) : null;
    return { ...base, value };
  }
  return {
    ...base,
    value: p.sum ?? null,
    count: p.count === undefined ? 0 : Number(p.count),
    ...(p.min !== undefined ? { min: p.min } : {}),
    ...(p.max !== undefined ? { max: p.max } : {}),
  };
}

export interface DecodedTelemetry {
  resource: Record<string, string>;
  metrics: TelemetryMetric[];
  /** Metrics left out beyond MAX_METRICS. */
  omitted: number;
}

/**
 * The metrics of a push: decompressed (Kafka's codec ids) and decoded; throws with what is wrong when
 * the payload is not OTLP MetricsData.
 */
export function decodeTelemetryPayload(payload: Buffer, compressionType: number): DecodedTelemetry {
  const bytes = compressionType === 0 ? payload : decompress(compressionType, payload, MAX_DECOMPRESSED_BYTES);
  const type = otlpMetricsDataType();
  const message = type.decode(bytes);
  const data = type.toObject(message, { longs: String, enums: Number, bytes: String, defaults: false, oneofs: false }) as MetricsDataObject;
  const resource: Record<string, string> = {};
  const metrics: TelemetryMetric[] = [];
  let omitted = 0;
  for (const rm of data.resourceMetrics ?? []) {
    Object.assign(resource, attributes(rm.resource?.attributes));
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        if (metrics.length >= MAX_METRICS) {
          omitted++;
          continue;
        }
        const [kind, data]: [TelemetryMetric['kind'], { dataPoints?: PointObject[]; aggregationTemporality?: number; isMonotonic?: boolean } | undefined] =
          m.gauge
            ? ['gauge', m.gauge]
            : m.sum
              ? ['sum', m.sum]
              : m.histogram
                ? ['histogram', m.histogram]
                : m.exponentialHistogram
                  ? ['exponential-histogram', m.exponentialHistogram]
                  : m.summary
                    ? ['summary', m.summary]
                    : ['unknown', undefined];
        const points = data?.dataPoints ?? [];
        metrics.push({
          name: m.name ?? '',
          description: m.description ?? '',
          unit: m.unit ?? '',
          kind,
          temporality: TEMPORALITY[data?.aggregationTemporality ?? 0] ?? null,
          monotonic: data?.isMonotonic ?? false,
          points: points.slice(0, MAX_POINTS).map((p) => point(p, kind)),
          pointsOmitted: Math.max(0, points.length - MAX_POINTS),
        });
      }
    }
  }
  metrics.sort((a, b) => a.name.localeCompare(b.name));
  return { resource, metrics, omitted };
}
