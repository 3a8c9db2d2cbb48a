// Feature versions (KIP-584) for the Overview: what the brokers support and the cluster finalized, read
// from ApiVersions v3+ (the library's own ApiVersions keeps only the API ranges), and a change of one
// feature's level with UpdateFeatures (57), validated by the cluster's controller, whose words the user
// sees as they come. Kafka before 2.7 has no feature versioning; UpdateFeatures v1 (upgrade types,
// validate-only) came with 3.3 (KIP-778).
import type { Admin } from '@platformatic/kafka';
import type { ClusterFeature, ClusterFeatures, FeatureUpdateRequest, FeatureUpdateResult } from '../../../shared/model/features';
import { AppError } from '../../core/errors';
import { metadataVersionName } from '../../kafka/metadata-versions';
import { errorName } from '../../kafka/protocol/error-codes';
import { ApiVersions, UpdateFeatures } from '../../kafka/protocol/generated/index';
import { readMetadata } from './read';
import { bootstrapConnection, brokerConnection, negotiateVersion, send, supportsApi, UnsupportedApiError } from './wire';

const METADATA_VERSION = 'metadata.version';
const UPDATE_TIMEOUT_MS = 15_000;
const NEEDS_2_7 = 'Feature versions need Kafka 2.7 or later';

/** Kafka's order on the Overview: metadata.version first, then the others by name. */
function byName(a: { name: string }, b: { name: string }): number {
  if (a.name === METADATA_VERSION || b.name === METADATA_VERSION) return a.name === METADATA_VERSION ? (b.name === METADATA_VERSION ? 0 : -1) : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function levelsOf(name: string, range: { min: number; max: number } | null, finalized: number): ClusterFeature['levels'] {
  const low = Math.min(range?.min ?? finalized, finalized);
  const high = Math.max(range?.max ?? finalized, finalized);
  const levels: ClusterFeature['levels'] = [];
  // A range is a few dozen levels at most (metadata.version); a cluster answering nonsense is capped.
  for (let level = low; level <= high && levels.length < 200; level++) {
    const label = name === METADATA_VERSION && level > 0 ? `${level} (${metadataVersionName(level)})` : level === 0 ? '0 (off)' : String(level);
    levels.push({ level, label });
  }
  return levels;
}

/** The cluster's features as ApiVersions v3+ answers them on the bootstrap connection. */
export async function readFeatures(admin: Admin): Promise<ClusterFeatures> {
  const readAt = Date.now();
  let version: number;
  try {
    version = await negotiateVersion(admin, ApiVersions);
  } catch (error) {
    if (error instanceof UnsupportedApiError) return noFeatures(`${NEEDS_2_7}: the cluster does not answer ApiVersions.`, readAt);
    throw error;
  }
  if (version < 3) return noFeatures(`${NEEDS_2_7}: the cluster answers ApiVersions only up to v${version}, before features were reported.`, readAt);
  const response = await send(await bootstrapConnection(admin), ApiVersions, version, { clientSoftwareName: 'kafka-desk', clientSoftwareVersion: '1' });
  if (response.errorCode)
    throw new AppError('kafka', `The cluster refused ApiVersions: ${errorName(response.errorCode)}.`, { kafkaCode: errorName(response.errorCode) });
  const epoch = Number(response.finalizedFeaturesEpoch);
  const canUpdate = await supportsApi(admin, UpdateFeatures.apiKey);
  if (epoch < 0 && response.supportedFeatures.length === 0 && response.finalizedFeatures.length === 0) {
    return noFeatures(`${NEEDS_2_7}: this cluster reports no feature versioning.`, readAt, canUpdate);
  }
  const finalized = new Map(response.finalizedFeatures.map((feature) => [feature.name, feature.maxVersionLevel]));
  const names = new Set([...response.supportedFeatures.map((feature) => feature.name), ...finalized.keys()]);
  const supported = new Map(response.supportedFeatures.map((feature) => [feature.name, { min: feature.minVersion, max: feature.maxVersion }]));
  const features: ClusterFeature[] = [...names].map((name) => {
    const range = supported.get(name) ?? null;
    const level = finalized.get(name) ?? 0;
    return { name, finalized: level, supported: range, levels: levelsOf(name, range, level) };
  });
  features.sort(byName);
  return {
    features,
    epoch,
    unsupported: null,
    updateUnsupported: canUpdate ? null : 'Changing feature levels needs Kafka 2.7 or later: this cluster does not offer UpdateFeatures.',
    readAt,
  };
}

function noFeatures(why: string, readAt: number, canUpdate = false): ClusterFeatures {
  return { features: [], epoch: -1, unsupported: why, updateUnsupported: canUpdate ? null : 'Changing feature levels needs Kafka 2.7 or later.', readAt };
}

const UPGRADE_TYPES = { upgrade: 1, 'safe-downgrade': 2, 'unsafe-downgrade': 3 } as const;

/**
 * UpdateFeatures for one feature, sent to the controller (ZooKeeper-mode clusters answer only there;
 * KRaft brokers forward it). Kafka's refusal comes back as a kafka error carrying its message.
 */
export async function updateFeature(admin: Admin, request: FeatureUpdateRequest): Promise<FeatureUpdateResult> {
  let version: number;
  try {
    version = await negotiateVersion(admin, UpdateFeatures);
  } catch (error) {
    if (error instanceof UnsupportedApiError)
      throw new AppError('kafka', 'Changing feature levels needs Kafka 2.7 or later: this cluster does not offer UpdateFeatures.');
    throw error;
  }
  if (request.validateOnly && version < 1) {
    throw new AppError('invalid-request', 'Validating a feature change without applying it needs Kafka 3.3 or later (UpdateFeatures v1).');
  }
  const snapshot = await readMetadata(admin, []);
  const controller = snapshot.brokers.get(snapshot.controllerId);
  const connection = controller ? await brokerConnection(admin, controller) : await bootstrapConnection(admin);
  const response = await send(connection, UpdateFeatures, version, {
    timeoutMs: UPDATE_TIMEOUT_MS,
    featureUpdates: [
      {
        feature: request.feature,
        maxVersionLevel: request.level,
        // v0: a downgrade (or deletion, level 0) must be allowed explicitly; v1+ says it in upgradeType.
        allowDowngrade: version === 0 && request.upgradeType !== 'upgrade',
        upgradeType: UPGRADE_TYPES[request.upgradeType],
      },
    ],
    validateOnly: request.validateOnly,
  });
  const failure =
    response.errorCode !== 0
      ? { code: response.errorCode, message: response.errorMessage }
      : response.results.filter((result) => result.errorCode !== 0).map((result) => ({ code: result.errorCode, message: result.errorMessage }))[0];
  if (failure) {
    const name = errorName(failure.code);
    throw new AppError('kafka', `The cluster refused to set ${request.feature} to ${request.level}: ${failure.message ?? name} (${name}).`, {
      kafkaCode: name,
    });
  }
  return { features: await readFeatures(admin), validatedOnly: request.validateOnly };
}
