import { ErrorCode } from '../../kafka/protocol/error-codes';
import { UpdateFeatures, type UpdateFeaturesResponse } from '../../kafka/protocol/generated/index';
import { UpgradeType } from '../cluster/features';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

/**
 * UpdateFeatures (KIP-584, Kafka 2.7; KIP-778 upgrade types in v1): changes the cluster's finalized
 * feature levels (cluster/features.ts), as the release's controller does. Needs ALTER on the cluster
 * (CLUSTER_AUTHORIZATION_FAILED for the whole request otherwise). v0's allowDowngrade is a safe
 * downgrade; v1 adds validateOnly; v2 answers no per-feature results. A KRaft controller (4.0+, and the
 * cluster playing no release) applies all updates or none and reports the first failure at the top;
 * a ZooKeeper one (2.7-3.9) validates and applies each update on its own, with a result per feature.
 */
export const updateFeaturesHandler = defineHandler({
  api: UpdateFeatures,
  minVersion: 0,
  maxVersion: 2,
  handle: (request, context): UpdateFeaturesResponse => {
    const names = request.featureUpdates.map((u) => u.feature);
    const answer = (errorCode: number, errorMessage: string | null, results: UpdateFeaturesResponse['results'] = []) => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      results: context.apiVersion <= 1 ? results : [],
    });
    if (!authorizedOnCluster(context, AclOperation.ALTER)) {
      return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'UpdateFeatures needs ALTER on the cluster.');
    }
    const features = context.broker.controller.features;
    const updates = request.featureUpdates.map((u) => ({
      feature: u.feature,
      level: u.maxVersionLevel,
      upgradeType: context.apiVersion === 0 ? (u.allowDowngrade ? UpgradeType.SAFE_DOWNGRADE : UpgradeType.UPGRADE) : u.upgradeType,
    }));
    const result = context.broker.controller.batch(() => features.update(updates, context.apiVersion >= 1 && request.validateOnly));
    if (result.error !== 'NONE') return answer(ErrorCode[result.error], result.message);
    const results = names.map((feature) => {
      const own = result.perFeature.get(feature);
      return { feature, errorCode: own ? ErrorCode[own.error] : ErrorCode.NONE, errorMessage: own?.message ?? null };
    });
    return answer(ErrorCode.NONE, null, results);
  },
});
