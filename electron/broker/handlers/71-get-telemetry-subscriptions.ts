import { GetTelemetrySubscriptions } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { telemetryConnection } from './telemetry-connection';

/**
 * GetTelemetrySubscriptions (KIP-714, Kafka 3.7): which metrics a client instance is to push, and how:
 * a new client instance id when it sends the zero one, the subscription id its pushes must carry, the
 * compression types accepted, the push interval, telemetry.max.bytes, delta temporality and the metric
 * prefixes of the subscriptions it matches (broker/telemetry/client-metrics-manager.ts). Asking again
 * before the interval is THROTTLING_QUOTA_EXCEEDED. Kafka advertises it only with a telemetry reporter
 * configured; the embedded cluster does with telemetry.receiver.enable=true (it then keeps the pushes
 * for the app).
 */
export const getTelemetrySubscriptionsHandler = defineHandler({
  api: GetTelemetrySubscriptions,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context) => {
    const answer = context.broker.clientMetrics.getSubscriptions(request.clientInstanceId, telemetryConnection(context));
    // The response has no error message: Kafka only logs it.
    if (answer.errorMessage) context.broker.logger.debug('telemetry subscriptions refused', { error: answer.errorCode, message: answer.errorMessage });
    return {
      throttleTimeMs: 0,
      errorCode: answer.errorCode,
      clientInstanceId: answer.clientInstanceId,
      subscriptionId: answer.subscriptionId,
      acceptedCompressionTypes: answer.acceptedCompressionTypes,
      pushIntervalMs: answer.pushIntervalMs,
      telemetryMaxBytes: answer.telemetryMaxBytes,
      deltaTemporality: answer.deltaTemporality,
      requestedMetrics: answer.requestedMetrics,
    };
  },
});
