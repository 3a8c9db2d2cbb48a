import { PushTelemetry } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { telemetryConnection } from './telemetry-connection';

/**
 * PushTelemetry (KIP-714, Kafka 3.7): a client instance's metrics (OTLP MetricsData protobuf, maybe
 * compressed), checked as Kafka's ClientMetricsManager does: a reserved instance id or a push after a
 * terminating one is INVALID_REQUEST, one before the interval THROTTLING_QUOTA_EXCEEDED (the push right
 * after GetTelemetrySubscriptions and a terminating one excepted), a subscription id other than the one
 * given UNKNOWN_SUBSCRIPTION_ID, an unknown compression type UNSUPPORTED_COMPRESSION_TYPE, more than
 * telemetry.max.bytes TELEMETRY_TOO_LARGE. Accepted metrics go to the cluster's telemetry receiver,
 * which keeps each instance's latest for the app.
 */
export const pushTelemetryHandler = defineHandler({
  api: PushTelemetry,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context) => {
    const result = context.broker.clientMetrics.push(request, telemetryConnection(context));
    if (result.errorMessage) context.broker.logger.debug('telemetry push refused', { error: result.errorCode, message: result.errorMessage });
    return { throttleTimeMs: 0, errorCode: result.errorCode };
  },
});
