// Consumer groups for the IPC handlers: list, describe, reset offsets and delete, over the Kafka
// protocol (./queries), on any connection. What others need to know travels through typed callbacks:
// the lag service samples a group whose offsets changed and forgets a deleted one.
import type { Admin } from '@platformatic/kafka';
import type { GroupDetail, GroupSummary, ResetPreview } from '../../../shared/model/groups';
import type { GroupSample } from '../lag/series';
import * as queries from './queries';

export interface GroupsServiceDeps {
  admin(connectionId: string): Promise<Admin>;
  /** A group's committed offsets were changed here (a reset, offsets deleted). */
  onOffsetsChanged?(connectionId: string, group: string): void;
  /** A group was deleted here. */
  onGroupDeleted?(connectionId: string, group: string): Promise<void>;
}

export class GroupsService {
  readonly #deps: GroupsServiceDeps;

  constructor(deps: GroupsServiceDeps) {
    this.#deps = deps;
  }

  async list(connectionId: string): Promise<GroupSummary[]> {
    return (await queries.listGroups(await this.#deps.admin(connectionId))).groups;
  }

  async describe(connectionId: string, group: string): Promise<GroupDetail> {
    return queries.describeGroup(await this.#deps.admin(connectionId), group);
  }

  async previewReset(connectionId: string, input: queries.ResetInput): Promise<ResetPreview> {
    return queries.previewReset(await this.#deps.admin(connectionId), input);
  }

  async resetOffsets(connectionId: string, input: queries.ResetInput): Promise<ResetPreview> {
    const result = await queries.resetOffsets(await this.#deps.admin(connectionId), input);
    this.#deps.onOffsetsChanged?.(connectionId, input.group);
    return result;
  }

  async delete(connectionId: string, group: string): Promise<void> {
    await queries.deleteGroup(await this.#deps.admin(connectionId), group);
    await this.#deps.onGroupDeleted?.(connectionId, group);
  }

  async deleteOffsets(connectionId: string, group: string, topic: string): Promise<{ partitions: number }> {
    const result = await queries.deleteGroupOffsets(await this.#deps.admin(connectionId), group, topic);
    this.#deps.onOffsetsChanged?.(connectionId, group);
    return result;
  }

  /** One lag sample per group (every group of the cluster when null), for the lag service. */
  async samples(connectionId: string, groups: readonly string[] | null): Promise<GroupSample[]> {
    return queries.readGroupSamples(await this.#deps.admin(connectionId), groups);
  }

  /** The groups with committed offsets on a topic, for the topic's lag chart. */
  async readingTopic(connectionId: string, topic: string): Promise<string[]> {
    return queries.groupsReadingTopic(await this.#deps.admin(connectionId), topic);
  }
}
