// Where each group lives: FindCoordinator (the library batches keys from v4), for the groups' pages and
// for the requests only a group's coordinator answers (ConsumerGroupDescribe).
import { FindCoordinatorKeyTypes, type Admin } from '@platformatic/kafka';
import { chunks, GROUP_BATCH } from '../cluster/offsets';

export interface Coordinator {
  id: number;
  host: string;
  port: number;
}

/** The coordinator of each group; groups without one now (no leader for their partition) are left out. */
export async function coordinators(admin: Admin, groups: readonly string[]): Promise<Map<string, Coordinator>> {
  const result = new Map<string, Coordinator>();
  const batches = await Promise.all(chunks(groups, GROUP_BATCH).map((keys) => admin.findCoordinator({ keyType: FindCoordinatorKeyTypes.GROUP, keys })));
  for (const batch of batches) {
    for (const found of batch) {
      if (found.nodeId >= 0) result.set(found.key, { id: found.nodeId, host: found.host, port: found.port });
    }
  }
  return result;
}
