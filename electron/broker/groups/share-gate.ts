/**
 * Whether share groups (KIP-932) are on: Kafka 4.1 advertises the share-group APIs but serves them only
 * once the cluster finalizes `share.version` 1 (KAFKA-16894; a new 4.1 cluster finalizes it 0, and
 * `kafka-features.sh upgrade --feature share.version=1` enables the preview). With it 0 a 4.1 broker
 * answers ShareGroupHeartbeat, ShareGroupDescribe, ShareFetch, ShareAcknowledge and the share-group
 * offsets APIs with UNSUPPORTED_VERSION, which the Java client reports as "The cluster does not support
 * the share group protocol". Releases before 4.1 do not list the APIs at all (kafka/releases.ts).
 */
import { SHARE_VERSION } from '../cluster/features';

export interface ShareGateBroker {
  readonly controller: { readonly features: { level(name: string): number } };
}

export function shareGroupsEnabled(broker: ShareGateBroker): boolean {
  return broker.controller.features.level(SHARE_VERSION) >= 1;
}

/** The message of the UNSUPPORTED_VERSION answer while share.version is 0. */
export const SHARE_GROUPS_DISABLED_MESSAGE =
  'Share groups are not enabled on this cluster: the share.version feature is finalized at 0 (enable it with UpdateFeatures, kafka-features.sh upgrade --feature share.version=1).';
