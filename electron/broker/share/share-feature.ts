/**
 * Share groups are gated by the `share.version` feature (KIP-932, KIP-1022): Kafka 4.1 advertises the
 * share-group APIs but finalizes share.version 0 on a new cluster, and while it is 0 a broker answers
 * them with UNSUPPORTED_VERSION; `kafka-features.sh upgrade --feature share.version=1` (UpdateFeatures)
 * turns them on.
 */
import { SHARE_VERSION } from '../cluster/features';
import type { Controller } from '../cluster/controller';

export function shareGroupsEnabled(broker: { readonly controller: Pick<Controller, 'features'> }): boolean {
  return broker.controller.features.level(SHARE_VERSION) >= 1;
}

export const SHARE_GROUPS_DISABLED_MESSAGE = 'Share groups are not enabled on this cluster: share.version is 0 (set it to 1 with UpdateFeatures).';
