/**
 * Group configs: config resources of type GROUP (32, KIP-848's dynamic group configs, extended by
 * KIP-932 for share groups), cluster metadata the controller keeps in its metadata log as it keeps other
 * dynamic configs (KRaft's ConfigRecords), so every broker reads the same copy and they survive a
 * restart. The names and checks are Kafka 4.1's GroupConfig: a value overrides the broker's group.*
 * default for that one group. A group whose configs are all deleted has none left.
 */
import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { ClusterMetadataState, MetadataRecord } from '../cluster/metadata-store';

export const GROUP_RESOURCE_TYPE = 32;

export interface GroupConfigDef {
  type: 'int' | 'string';
  /** The broker config that supplies the default. */
  brokerSynonym: string | null;
  /** The default when the broker has no such config. */
  default: string;
  doc: string;
  /** Checks a value; an error message or null. */
  check(value: string): string | null;
}

const positiveInt = (value: string): string | null =>
  /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 2147483647 ? null : 'must be an integer of at least 1';

const ISO_DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export const GROUP_CONFIG_DEFS: ReadonlyMap<string, GroupConfigDef> = new Map<string, GroupConfigDef>([
  [
    'consumer.session.timeout.ms',
    {
      type: 'int',
      brokerSynonym: 'group.consumer.session.timeout.ms',
      default: '45000',
      doc: 'The timeout to detect client failures when using the consumer group protocol.',
      check: positiveInt,
    },
  ],
  [
    'consumer.heartbeat.interval.ms',
    {
      type: 'int',
      brokerSynonym: 'group.consumer.heartbeat.interval.ms',
      default: '5000',
      doc: 'The heartbeat interval given to the members of a consumer group.',
      check: positiveInt,
    },
  ],
  [
    'share.session.timeout.ms',
    {
      type: 'int',
      brokerSynonym: 'group.share.session.timeout.ms',
      default: '45000',
      doc: 'The timeout to detect client failures when using the share group protocol.',
      check: positiveInt,
    },
  ],
  [
    'share.heartbeat.interval.ms',
    {
      type: 'int',
      brokerSynonym: 'group.share.heartbeat.interval.ms',
      default: '5000',
      doc: 'The heartbeat interval given to the members of a share group.',
      check: positiveInt,
    },
  ],
  [
    'share.record.lock.duration.ms',
    {
      type: 'int',
      brokerSynonym: 'group.share.record.lock.duration.ms',
      default: '30000',
      doc: 'The record acquisition lock duration in milliseconds for share groups.',
      check: positiveInt,
    },
  ],
  [
    'share.auto.offset.reset',
    {
      type: 'string',
      brokerSynonym: null,
      default: 'latest',
      doc: 'The strategy to initialize the share-partition start offset: latest, earliest or by_duration:<ISO-8601 duration>.',
      check: (value) => {
        if (value === 'latest' || value === 'earliest') return null;
        const duration = /^by_duration:(.*)$/.exec(value)?.[1];
        if (duration !== undefined && ISO_DURATION.test(duration) && duration !== 'P' && !duration.endsWith('T')) return null;
        return 'must be latest, earliest or by_duration:<ISO-8601 duration> (for example by_duration:PT1H)';
      },
    },
  ],
  [
    'share.isolation.level',
    {
      type: 'string',
      brokerSynonym: null,
      default: 'read_uncommitted',
      doc: 'Controls how to read records written transactionally: read_committed or read_uncommitted.',
      check: (value) => (value === 'read_committed' || value === 'read_uncommitted' ? null : 'must be read_committed or read_uncommitted'),
    },
  ],
]);

/** What the group configs need of the controller: the persisted state and a way to log changes (as ClientQuotas). */
export interface GroupConfigStore {
  readonly state: ClusterMetadataState;
  record(key: string, build: () => MetadataRecord | null): boolean;
  unavailable(): string | null;
}

export type GroupConfigError = { errorCode: number; errorMessage: string };

export class GroupConfigs {
  readonly #store: GroupConfigStore;

  constructor(store: GroupConfigStore) {
    this.#store = store;
  }

  /** The group's configs as set ({} when none). */
  configs(groupId: string): Readonly<Record<string, string>> {
    return this.#store.state.groupConfigs?.[groupId] ?? {};
  }

  /** One config of a group, undefined when the group does not set it (the broker's default applies). */
  value(groupId: string, name: string): string | undefined {
    return this.#store.state.groupConfigs?.[groupId]?.[name];
  }

  /** The groups with configs set. */
  groupIds(): string[] {
    return Object.keys(this.#store.state.groupConfigs ?? {}).sort();
  }

  /** Replaces a group's configs (validated first; none left removes them). Null on success, or the resource's error. */
  set(groupId: string, configs: Readonly<Record<string, string>>, validateOnly: boolean): GroupConfigError | null {
    if (groupId === '') return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Group name must not be empty.' };
    for (const [name, value] of Object.entries(configs)) {
      const def = GROUP_CONFIG_DEFS.get(name);
      if (!def) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Unknown group config name: ${name}` };
      const problem = def.check(value);
      if (problem) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Invalid value ${value} for configuration ${name}: ${problem}` };
    }
    if (validateOnly) return null;
    const unavailable = this.#store.unavailable();
    if (unavailable) return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: unavailable };
    const all = { ...this.#store.state.groupConfigs };
    if (Object.keys(configs).length === 0) {
      if (!(groupId in all)) return null;
      delete all[groupId];
    } else all[groupId] = { ...configs };
    this.#store.state.groupConfigs = all;
    this.#store.record(`group-configs:${groupId}`, () => ({ type: 'group-configs', groupId, configs: this.#store.state.groupConfigs?.[groupId] ?? null }));
    return null;
  }
}
