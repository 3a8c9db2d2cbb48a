import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ApiVersions } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';

/**
 * ApiVersions, answered from the handler registry's list, so the advertised versions are always the
 * implemented ones. (An unsupported ApiVersions version is answered by the registry itself.) From v3 it
 * also carries the features (KIP-584; this is what Admin.describeFeatures reads): the ranges the release
 * played supports and the cluster's finalized levels. As Kafka (KAFKA-17492), before v4 a supported
 * feature whose minimum is 0 is left out (older clients cannot parse it), and a finalized level 0 always is.
 */
export const apiVersionsHandler = defineHandler({
  api: ApiVersions,
  minVersion: 0,
  maxVersion: 4,
  handle: (request, context) => {
    // KIP-511: kept for the connection (client metrics match on it, KIP-714).
    if (context.apiVersion >= 3) context.connection.clientSoftware = { name: request.clientSoftwareName, version: request.clientSoftwareVersion };
    const features = context.broker.controller.features;
    return {
      errorCode: ErrorCode.NONE,
      apiKeys: context.supportedApis,
      throttleTimeMs: 0,
      supportedFeatures: features
        .supported()
        .filter((f) => context.apiVersion >= 4 || f.min !== 0)
        .map((f) => ({ name: f.name, minVersion: f.min, maxVersion: f.max })),
      finalizedFeaturesEpoch: BigInt(features.epoch),
      finalizedFeatures: features.finalized().map((f) => ({ name: f.name, maxVersionLevel: f.level, minVersionLevel: f.level })),
      zkMigrationReady: false,
    };
  },
});
