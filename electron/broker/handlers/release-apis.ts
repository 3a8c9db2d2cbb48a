import type { ApiVersionsResponse } from '../../kafka/protocol/generated/index';
import { ApiKey } from '../../kafka/protocol/api-keys';
import {
  advertisedApis,
  KAFKA_RELEASE_IDS,
  KAFKA_RELEASES,
  releaseApiName,
  telemetryApis,
  type ApiVersionRange,
  type KafkaReleaseId,
  type MetadataMode,
} from '../../kafka/releases';
import type { HandlerRegistry } from './handler';

/**
 * What the brokers advertise and accept: every implemented version (the default), or what one Apache
 * Kafka release advertised (`npm run cluster -- --kafka-version X`, issue #16), from the release table
 * (kafka/releases.ts) intersected with the handlers. A request outside these ranges is treated as the
 * release treats a version it does not know: the connection closes (ApiVersions excepted, below).
 *
 * An API of the release the embedded cluster does not implement is not advertised, since a client told
 * it exists would call it and be cut off; `notImplemented` names them so the CLI and the README can say
 * so. Handlers marked `zooKeeperModeOnly` (the controller channel) are advertised only by releases.
 */
export interface AdvertisedApis {
  /** The release played, or null for every implemented version. */
  readonly release: KafkaReleaseId | null;
  /** ApiVersions' list, sorted by key. */
  readonly list: ApiVersionsResponse['apiKeys'];
  range(apiKey: number): ApiVersionRange | undefined;
  /** Versions the release advertised but answers with UNSUPPORTED_VERSION (Kafka 4.0+: Produce v0-2, KAFKA-18659). */
  refuses(apiKey: number, version: number): boolean;
  /** The api keys of the v0 UNSUPPORTED_VERSION answer to an ApiVersions request in a version not supported. */
  readonly unsupportedApiVersionsKeys: ApiVersionsResponse['apiKeys'];
  /** Names of the release's APIs this broker does not implement, hence does not advertise. */
  readonly notImplemented: readonly string[];
  /** The release's APIs implemented only in part: advertised with the versions implemented. */
  readonly narrowed: ReadonlyArray<{ api: string; release: ApiVersionRange; advertised: ApiVersionRange }>;
}

/**
 * `mode`: the release's ZooKeeper or KRaft brokers (3.3-3.9 had both; each release's default unless given).
 * `clientTelemetry`: whether the brokers act as a KIP-714 telemetry receiver (broker config
 * `telemetry.receiver.enable`, off by default): only then do they list GetTelemetrySubscriptions and
 * PushTelemetry, as Kafka's brokers do with a telemetry reporter configured (playing a release: its
 * 3.7+ KRaft brokers).
 */
export function advertisedApisFor(
  registry: HandlerRegistry,
  release: KafkaReleaseId | null = null,
  options: { clientTelemetry?: boolean; mode?: MetadataMode } = {},
): AdvertisedApis {
  const ranges = new Map<number, ApiVersionRange>();
  const notImplemented: string[] = [];
  const narrowed: Array<{ api: string; release: ApiVersionRange; advertised: ApiVersionRange }> = [];
  const clientTelemetry = options.clientTelemetry ?? false;
  if (release === null) {
    for (const handler of registry.all()) {
      if (!handler.zooKeeperModeOnly) ranges.set(handler.api.apiKey, [handler.minVersion, handler.maxVersion]);
    }
    if (!clientTelemetry) for (const key of [ApiKey.GetTelemetrySubscriptions, ApiKey.PushTelemetry]) ranges.delete(key);
  } else {
    const table = { ...advertisedApis(release, options.mode), ...(clientTelemetry ? telemetryApis(release, options.mode) : {}) };
    for (const [key, releaseRange] of Object.entries(table)
      .map(([k, r]) => [Number(k), r] as const)
      .sort((a, b) => a[0] - b[0])) {
      const handler = registry.get(key);
      if (!handler) {
        notImplemented.push(releaseApiName(key));
        continue;
      }
      const min = Math.max(releaseRange[0], handler.minVersion);
      const max = Math.min(releaseRange[1], handler.maxVersion);
      if (min > max) {
        notImplemented.push(releaseApiName(key));
        continue;
      }
      ranges.set(key, [min, max]);
      if (min !== releaseRange[0] || max !== releaseRange[1]) narrowed.push({ api: releaseApiName(key), release: releaseRange, advertised: [min, max] });
    }
  }
  const list = [...ranges.entries()].sort((a, b) => a[0] - b[0]).map(([apiKey, [minVersion, maxVersion]]) => ({ apiKey, minVersion, maxVersion }));
  const refused = release === null ? undefined : KAFKA_RELEASES[release].refused;
  // Before 2.4 a broker answered an ApiVersions version it did not know with an empty list; from 2.4
  // (KIP-511) the list holds ApiVersions' own range, so the client can retry in a version it knows
  // (0.11.0.0 ApiVersionsResponse.unsupportedVersionSend; 2.4.0 ApiVersionsRequest.getErrorResponse).
  // Without a release the broker answers with its whole list, as it always has.
  const ownRange = ranges.get(ApiKey.ApiVersions);
  const unsupportedApiVersionsKeys =
    release === null
      ? list
      : KAFKA_RELEASE_IDS.indexOf(release) < KAFKA_RELEASE_IDS.indexOf('2.4')
        ? []
        : ownRange
          ? [{ apiKey: ApiKey.ApiVersions, minVersion: ownRange[0], maxVersion: ownRange[1] }]
          : [];
  return {
    release,
    list,
    range: (apiKey) => ranges.get(apiKey),
    refuses: (apiKey, version) => {
      const range = refused?.[apiKey];
      return range !== undefined && range[0] <= version && version <= range[1];
    },
    unsupportedApiVersionsKeys,
    notImplemented,
    narrowed,
  };
}
