/**
 * Feature versioning (KIP-584, KIP-778 metadata.version, KIP-1022 feature versions): the features a
 * broker of the release played supports, and the cluster's finalized levels, which clients read in
 * ApiVersions (v3+) and change with UpdateFeatures (57).
 *
 * Per release, from apache/kafka at each release's tag (`BrokerFeatures.defaultSupportedFeatures`,
 * `MetadataVersion`, `server-common/.../Features.java` and each FeatureVersion enum) and, for 4.0 and 4.1
 * (newer than the apache/kafka snapshot read), from `kafka-features.sh describe` on those releases:
 * - before 2.7 there is no feature versioning (ApiVersions' feature fields keep their defaults);
 * - 2.7-3.2: versioning is enabled (the ZooKeeper controller creates the feature node, epoch 0) but no
 *   feature is defined;
 * - 3.3-3.8: metadata.version 1 (3.0-IV1) up to the release's latest production level;
 * - 3.9: plus kraft.version 0-1;
 * - 4.0: metadata.version 7 (3.3-IV3, the oldest 4.0 can run on) to 25, kraft.version 0-1,
 *   transaction.version 0-2, group.version 0-1, eligible.leader.replicas.version 0-1 (ELR, a preview:
 *   finalized 0 on a new cluster);
 * - 4.1: metadata.version 7-27, plus share.version and streams.version 0-1 (previews, finalized 0), and
 *   ELR finalized 1 on a new cluster.
 * A new cluster finalizes every feature at its default for the release's metadata.version (Kafka's
 * storage format / ZooKeeper controller bootstrap); kraft.version stays 0 (a static quorum). Only the
 * levels set through UpdateFeatures are persisted: a data directory started again as another release
 * keeps those that release supports and takes that release's defaults for the rest (a real cluster
 * keeps its levels across a rolling upgrade; here the release played decides, so `--kafka-version`
 * shows that release).
 */
import { KAFKA_RELEASE_IDS, type KafkaReleaseId, type MetadataMode } from '../../kafka/releases';
import type { ClusterMetadataState, MetadataRecord } from './metadata-store';
import { METADATA_VERSIONS, metadataVersionName } from '../../kafka/metadata-versions';

export { metadataVersionName };

export const METADATA_VERSION = 'metadata.version';
export const KRAFT_VERSION = 'kraft.version';
export const TRANSACTION_VERSION = 'transaction.version';
export const GROUP_VERSION = 'group.version';
export const ELR_VERSION = 'eligible.leader.replicas.version';
export const SHARE_VERSION = 'share.version';
export const STREAMS_VERSION = 'streams.version';

/** The first level that wrote FeatureLevelRecords (3.3-IV0): metadata.version cannot go below it, nor other features above 0 without it. */
const MINIMUM_BOOTSTRAP_METADATA_VERSION = 4;

/** Whether going between two metadata.versions crosses a level that changed the metadata format (MetadataVersion.checkIfMetadataChanged). */
function metadataChanged(from: number, to: number): boolean {
  const [low, high] = from < to ? [from, to] : [to, from];
  return METADATA_VERSIONS.some((v) => v.level > low && v.level <= high && v.changed);
}

/** Other features a level of a feature needs (FeatureVersion.dependencies): name -> minimum level. */
const DEPENDENCIES: Readonly<Record<string, Readonly<Record<number, Readonly<Record<string, number>>>>>> = {
  [KRAFT_VERSION]: { 1: { [METADATA_VERSION]: 21 } },
  [ELR_VERSION]: { 1: { [METADATA_VERSION]: 23 } },
  [SHARE_VERSION]: { 1: { [METADATA_VERSION]: 26 } },
  [STREAMS_VERSION]: { 1: { [METADATA_VERSION]: 26 } },
};

export type FeatureRange = readonly [min: number, max: number];

/** What one release's brokers know of features. */
export interface ReleaseFeatures {
  /** Whether the release has feature versioning at all (2.7+). */
  readonly versioned: boolean;
  /** How its controller validates and applies UpdateFeatures: ZooKeeper's (per feature) or KRaft's (atomic). */
  readonly mode: MetadataMode;
  /** Feature -> [min, max] levels the brokers support. */
  readonly supported: Readonly<Record<string, FeatureRange>>;
  /** The levels a new cluster starts with (0 is "not finalized"). */
  readonly bootstrap: Readonly<Record<string, number>>;
}

const LATEST_METADATA_VERSION: Partial<Record<KafkaReleaseId, number>> = {
  '3.3': 7,
  '3.4': 8,
  '3.5': 11,
  '3.6': 14,
  '3.7': 19,
  '3.8': 20,
  '3.9': 21,
  '4.0': 25,
  '4.1': 27,
};

const at = (release: KafkaReleaseId) => KAFKA_RELEASE_IDS.indexOf(release);

/** The features of `release` (null: the newest, 4.1, whose behaviour the cluster has when it plays no release). */
export function releaseFeatures(release: KafkaReleaseId | null, mode?: MetadataMode): ReleaseFeatures {
  const id: KafkaReleaseId = release ?? '4.1';
  const metadataMode: MetadataMode = mode ?? (at(id) >= at('4.0') ? 'kraft' : 'zookeeper');
  if (at(id) < at('2.7')) return { versioned: false, mode: metadataMode, supported: {}, bootstrap: {} };
  const supported: Record<string, FeatureRange> = {};
  const bootstrap: Record<string, number> = {};
  const latest = LATEST_METADATA_VERSION[id];
  if (latest !== undefined) {
    supported[METADATA_VERSION] = [at(id) >= at('4.0') ? 7 : 1, latest];
    bootstrap[METADATA_VERSION] = latest;
  }
  if (at(id) >= at('3.9')) supported[KRAFT_VERSION] = [0, 1];
  if (at(id) >= at('4.0')) {
    supported[TRANSACTION_VERSION] = [0, 2];
    supported[GROUP_VERSION] = [0, 1];
    supported[ELR_VERSION] = [0, 1];
    bootstrap[TRANSACTION_VERSION] = 2;
    bootstrap[GROUP_VERSION] = 1;
  }
  if (at(id) >= at('4.1')) {
    supported[SHARE_VERSION] = [0, 1];
    supported[STREAMS_VERSION] = [0, 1];
    bootstrap[ELR_VERSION] = 1;
  }
  return { versioned: true, mode: metadataMode, supported, bootstrap };
}

/** UpdateFeatures' upgrade types (FeatureUpdate.UpgradeType). */
export const UpgradeType = { UPGRADE: 1, SAFE_DOWNGRADE: 2, UNSAFE_DOWNGRADE: 3 } as const;

export interface FeatureUpdate {
  feature: string;
  level: number;
  upgradeType: number;
}

export type FeatureErrorName = 'NONE' | 'INVALID_REQUEST' | 'INVALID_UPDATE_VERSION' | 'KAFKA_STORAGE_ERROR';

export interface FeatureUpdateResult {
  /** The request's outcome (KRaft: the first failure fails every update). */
  error: FeatureErrorName;
  message: string | null;
  /** Per feature (ZooKeeper mode applies the valid updates and reports each). */
  perFeature: Map<string, { error: FeatureErrorName; message: string | null }>;
}

/** What the features need of the controller: the persisted state and a way to log changes (as SecurityMetadata). */
export interface FeatureStore {
  readonly state: ClusterMetadataState;
  record(key: string, build: () => MetadataRecord | null): boolean;
  unavailable(): string | null;
}

/**
 * The cluster's finalized feature levels, kept in the metadata log (KRaft's FeatureLevelRecords; the
 * ZooKeeper feature node before it). Read by ApiVersions and by the coordinators whose behaviour a
 * feature switches (transaction.version, group.version): `level(name)`.
 */
export class ClusterFeatures {
  readonly release: ReleaseFeatures;
  readonly #store: FeatureStore;
  readonly #levels = new Map<string, number>();
  /** The levels set through UpdateFeatures (persisted); the others are the release's bootstrap levels. */
  readonly #set = new Map<string, number>();
  #epoch: number;
  readonly #listeners = new Set<(feature: string, level: number) => void>();
  /** Why levels persisted by another release were not taken (shown by the CLI, logged). */
  readonly ignored: string[] = [];

  constructor(store: FeatureStore, release: ReleaseFeatures) {
    this.#store = store;
    this.release = release;
    const persisted = store.state.features;
    for (const [name, level] of Object.entries(release.bootstrap)) this.#levels.set(name, level);
    this.#epoch = release.versioned ? 0 : -1;
    if (persisted && release.versioned) {
      this.#epoch = persisted.epoch;
      for (const [name, level] of Object.entries(persisted.levels)) {
        const range = release.supported[name];
        this.#set.set(name, level);
        if (range && level >= range[0] && level <= range[1]) this.#levels.set(name, level);
        else if (level !== 0)
          this.ignored.push(
            `${name}=${name === METADATA_VERSION ? metadataVersionName(level) : level} was finalized by another release: this one supports ${
              range ? `${range[0]}-${range[1]}` : 'no such feature'
            }, so ${name} is ${this.#levels.get(name) ?? 0}`,
          );
      }
    }
  }

  /** The epoch clients compare (KRaft: the metadata offset; here: one more per change). -1 without versioning. */
  get epoch(): number {
    return this.#epoch;
  }

  /** The finalized level of a feature; 0 when not finalized. */
  level(name: string): number {
    return this.#levels.get(name) ?? 0;
  }

  /** The finalized features above level 0 (ApiVersions omits level 0), by name. */
  finalized(): Array<{ name: string; level: number }> {
    return [...this.#levels]
      .filter(([, level]) => level !== 0)
      .map(([name, level]) => ({ name, level }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The supported ranges, by name. */
  supported(): Array<{ name: string; min: number; max: number }> {
    return Object.entries(this.release.supported)
      .map(([name, [min, max]]) => ({ name, min, max }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Called after a feature's finalized level changed (a coordinator switching behaviour). */
  onChange(listener: (feature: string, level: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Validates and applies UpdateFeatures, as the release's controller does (ZooKeeper: per feature; KRaft: all or nothing). */
  update(updates: readonly FeatureUpdate[], validateOnly: boolean): FeatureUpdateResult {
    const perFeature = new Map<string, { error: FeatureErrorName; message: string | null }>();
    const names = new Set<string>();
    for (const u of updates) {
      if (names.has(u.feature)) {
        return { error: 'INVALID_REQUEST', message: `Feature ${u.feature} is named more than once in the request.`, perFeature };
      }
      names.add(u.feature);
    }
    const unavailable = this.#store.unavailable();
    const targets = this.release.mode === 'kraft' ? this.#validateKRaft(updates) : this.#validateZooKeeper(updates, perFeature);
    if ('error' in targets) return { error: targets.error, message: targets.message, perFeature };
    if (targets.size > 0 && unavailable && !validateOnly) {
      for (const name of targets.keys()) perFeature.set(name, { error: 'KAFKA_STORAGE_ERROR', message: unavailable });
      return { error: this.release.mode === 'kraft' ? 'KAFKA_STORAGE_ERROR' : 'NONE', message: this.release.mode === 'kraft' ? unavailable : null, perFeature };
    }
    if (!validateOnly && targets.size > 0) this.#apply(targets);
    return { error: 'NONE', message: null, perFeature };
  }

  #apply(targets: Map<string, number>): void {
    for (const [name, level] of targets) {
      this.#levels.set(name, level);
      this.#set.set(name, level);
    }
    this.#epoch++;
    this.#syncState();
    for (const name of targets.keys())
      this.#store.record(`feature:${name}`, () => ({ type: 'feature-level', name, level: this.level(name), epoch: this.#epoch }));
    for (const [name, level] of targets) for (const listener of this.#listeners) listener(name, level);
  }

  #syncState(): void {
    this.#store.state.features = { epoch: this.#epoch, levels: Object.fromEntries(this.#set) };
  }

  /** KRaft's FeatureControlManager.updateFeatures: the first invalid update fails the whole request. */
  #validateKRaft(updates: readonly FeatureUpdate[]): Map<string, number> | { error: FeatureErrorName; message: string } {
    const proposed = new Map(this.#levels);
    for (const u of updates) proposed.set(u.feature, u.level);
    const targets = new Map<string, number>();
    for (const u of updates) {
      const problem = this.#kraftProblem(u, proposed);
      if (problem) {
        return { error: 'INVALID_UPDATE_VERSION', message: `The update failed for all features since the following feature had an error: ${problem}` };
      }
      targets.set(u.feature, u.level);
    }
    return targets;
  }

  #kraftProblem(u: FeatureUpdate, proposed: ReadonlyMap<string, number>): string | null {
    const invalid = (why: string) =>
      u.feature === METADATA_VERSION && why.startsWith('!')
        ? `Invalid metadata.version ${u.level}. ${why.slice(1)}`
        : `Invalid update version ${u.level} for feature ${u.feature}. ${why.replace(/^!/, '')}`;
    if (![UpgradeType.UPGRADE, UpgradeType.SAFE_DOWNGRADE, UpgradeType.UNSAFE_DOWNGRADE].includes(u.upgradeType as 1)) {
      return invalid('The controller does not support the given upgrade type.');
    }
    const current = this.level(u.feature);
    if (u.level < 0) return invalid('A feature version cannot be less than 0.');
    const range = this.release.supported[u.feature] ?? ([0, 0] as const);
    if (u.level < range[0] || u.level > range[1]) {
      return invalid(range[1] === 0 ? 'Local controller does not support this feature.' : `Local controller only supports versions ${range[0]}-${range[1]}`);
    }
    if (u.level < current && u.upgradeType === UpgradeType.UPGRADE) {
      return invalid("Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.");
    }
    if (u.level > current && u.upgradeType !== UpgradeType.UPGRADE) return invalid("Can't downgrade to a newer version.");
    if (u.feature === METADATA_VERSION) {
      if (u.level < MINIMUM_BOOTSTRAP_METADATA_VERSION)
        return invalid(`!Unable to set a metadata.version less than ${metadataVersionName(MINIMUM_BOOTSTRAP_METADATA_VERSION)}`);
      if (u.level < current && metadataChanged(current, u.level)) {
        return u.upgradeType === UpgradeType.UNSAFE_DOWNGRADE
          ? invalid('!Unsafe metadata downgrade is not supported in this version.')
          : invalid('!Refusing to perform the requested downgrade because it might delete metadata information.');
      }
      return null;
    }
    if (!(u.feature in this.release.supported)) return invalid(`Feature ${u.feature} not found.`);
    // Features.validateVersion: a level above 0 needs 3.3-IV0 (FeatureLevelRecords), and each dependency.
    const metadataVersion = proposed.get(METADATA_VERSION) ?? 0;
    if (u.level >= 1 && metadataVersion < MINIMUM_BOOTSTRAP_METADATA_VERSION) {
      return invalid(`${u.feature} could not be set to ${u.level} because it depends on metadata.version=4 (3.3-IV0)`);
    }
    for (const [dependency, minimum] of Object.entries(DEPENDENCIES[u.feature]?.[u.level] ?? {})) {
      if ((proposed.get(dependency) ?? 0) < minimum) {
        return invalid(`${u.feature} could not be set to ${u.level} because it depends on ${dependency} level ${minimum}`);
      }
    }
    return null;
  }

  /** The ZooKeeper controller's processFeatureUpdates: each update validated and applied on its own. */
  #validateZooKeeper(updates: readonly FeatureUpdate[], perFeature: Map<string, { error: FeatureErrorName; message: string | null }>): Map<string, number> {
    const targets = new Map<string, number>();
    for (const u of updates) {
      const problem = this.#zooKeeperProblem(u);
      perFeature.set(u.feature, problem ? { error: 'INVALID_REQUEST', message: problem } : { error: 'NONE', message: null });
      if (!problem) targets.set(u.feature, u.level < 1 ? 0 : u.level);
    }
    return targets;
  }

  #zooKeeperProblem(u: FeatureUpdate): string | null {
    if (u.feature === '') return 'Feature name can not be empty.';
    if (![UpgradeType.UPGRADE, UpgradeType.SAFE_DOWNGRADE, UpgradeType.UNSAFE_DOWNGRADE].includes(u.upgradeType as 1)) return 'Received unknown upgrade type.';
    const existing = this.#levels.get(u.feature);
    const downgrade = u.upgradeType !== UpgradeType.UPGRADE;
    if (u.level < 1) {
      if (!downgrade) return `Can not provide versionLevel: ${u.level} less than 1 without setting the SAFE downgradeType in the request.`;
      return existing === undefined || existing === 0 ? 'Can not delete non-existing finalized feature.' : null;
    }
    if (existing !== undefined && existing !== 0) {
      if (u.level === existing)
        return `Can not ${downgrade ? 'downgrade' : 'upgrade'} a finalized feature from existing versionLevel:${existing} to the same value.`;
      if (u.level < existing && !downgrade) {
        return `Can not downgrade finalized feature from existing versionLevel:${existing} to provided versionLevel:${u.level} without setting the downgradeType to SAFE in the request.`;
      }
      if (downgrade && u.level > existing) {
        return `When the downgradeType is set to SAFE in the request, the provided versionLevel:${u.level} can not be greater than existing versionLevel:${existing}.`;
      }
    }
    const range = this.release.supported[u.feature];
    if (!range) return 'Could not apply finalized feature update because the provided feature is not supported.';
    if (u.level < range[0] || u.level > range[1]) {
      return `Could not apply finalized feature update because the provided versionLevel:${u.level} is outside the supported range ${range[0]}-${range[1]}.`;
    }
    return null;
  }
}
