import { withScramCredential, type ClusterMetadataState, type MetadataRecord } from '../cluster/metadata-store';
import { aclBindingError, aclKey, filterMatches, type AclBinding, type AclFilter } from './acl';
import type { ScramCredential, ScramMechanism } from './scram';

/** What the security metadata needs of the controller: the persisted state and a way to log changes. */
export interface SecurityMetadataStore {
  readonly state: ClusterMetadataState;
  /** Records a change (written at once or at the end of the controller's batch); false when the write failed and waits in memory. */
  record(key: string, build: () => MetadataRecord | null): boolean;
  /** Why metadata cannot be written now (a full disk), or null. */
  unavailable(): string | null;
}

export type SecurityChangeFailure = { error: 'INVALID_REQUEST' | 'KAFKA_STORAGE_ERROR' | 'RESOURCE_NOT_FOUND'; message: string };

/**
 * ACLs and SCRAM credentials: cluster metadata, owned by the controller and persisted in its metadata
 * log like topics (every broker of the embedded cluster reads the same copy, so a change is replicated
 * to all of them at once). `version` grows with every change, so the authorizer can cache by it.
 */
export class SecurityMetadata {
  readonly #aclsByKey = new Map<string, AclBinding>();
  #versionValue = 0;
  readonly #store: SecurityMetadataStore;

  constructor(store: SecurityMetadataStore) {
    this.#store = store;
    for (const acl of store.state.acls ?? []) this.#aclsByKey.set(aclKey(acl), acl);
  }

  get version(): number {
    return this.#versionValue;
  }

  acls(): IterableIterator<AclBinding> {
    return this.#aclsByKey.values();
  }

  aclCount(): number {
    return this.#aclsByKey.size;
  }

  #syncAcls(): void {
    this.#store.state.acls = [...this.#aclsByKey.values()];
  }

  #failure(): SecurityChangeFailure | null {
    const reason = this.#store.unavailable();
    return reason ? { error: 'KAFKA_STORAGE_ERROR', message: reason } : null;
  }

  /** Creates one ACL (creating an existing one succeeds and changes nothing, as in Kafka). */
  createAcl(acl: AclBinding): null | SecurityChangeFailure {
    const invalid = aclBindingError(acl);
    if (invalid) return { error: 'INVALID_REQUEST', message: invalid };
    const key = aclKey(acl);
    if (this.#aclsByKey.has(key)) return null;
    const unavailable = this.#failure();
    if (unavailable) return unavailable;
    const copy = { ...acl };
    this.#aclsByKey.set(key, copy);
    this.#syncAcls();
    this.#versionValue++;
    this.#store.record(`acl:${key}`, () => ({ type: 'acl', acl: copy, present: this.#aclsByKey.has(key) }));
    return null;
  }

  /** Deletes the ACLs a filter matches and returns them. */
  deleteAcls(filter: AclFilter): AclBinding[] | SecurityChangeFailure {
    const matched = [...this.#aclsByKey.entries()].filter(([, acl]) => filterMatches(filter, acl));
    if (matched.length === 0) return [];
    const unavailable = this.#failure();
    if (unavailable) return unavailable;
    for (const [key, acl] of matched) {
      this.#aclsByKey.delete(key);
      this.#store.record(`acl:${key}`, () => ({ type: 'acl', acl, present: this.#aclsByKey.has(key) }));
    }
    this.#syncAcls();
    this.#versionValue++;
    return matched.map(([, acl]) => acl);
  }

  describeAcls(filter: AclFilter): AclBinding[] {
    return [...this.#aclsByKey.values()].filter((acl) => filterMatches(filter, acl));
  }

  scramCredential(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.#store.state.scramCredentials?.[user]?.[mechanism];
  }

  /** Users with SCRAM credentials and their mechanisms' iterations. */
  scramUsers(): Array<{ user: string; credentials: Array<{ mechanism: ScramMechanism; iterations: number }> }> {
    return Object.entries(this.#store.state.scramCredentials ?? {}).map(([user, byMechanism]) => ({
      user,
      credentials: (Object.entries(byMechanism) as Array<[ScramMechanism, ScramCredential]>).map(([mechanism, c]) => ({ mechanism, iterations: c.iterations })),
    }));
  }

  /** Sets (or with null deletes) a user's credential for one mechanism. */
  setScramCredential(user: string, mechanism: ScramMechanism, credential: ScramCredential | null): null | SecurityChangeFailure {
    const existing = this.scramCredential(user, mechanism);
    if (!credential && !existing)
      return { error: 'RESOURCE_NOT_FOUND', message: `Attempt to delete a user credential that does not exist: ${user} has no ${mechanism} credential.` };
    const unavailable = this.#failure();
    if (unavailable) return unavailable;
    this.#store.state.scramCredentials = withScramCredential(this.#store.state.scramCredentials ?? {}, user, mechanism, credential ? { ...credential } : null);
    this.#versionValue++;
    this.#store.record(`scram:${user}\u0000${mechanism}`, () => ({
      type: 'scram-credential',
      user,
      mechanism,
      credential: this.scramCredential(user, mechanism) ?? null,
    }));
    return null;
  }
}
