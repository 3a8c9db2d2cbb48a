// SCRAM users for the IPC handlers (issue #15): list, create, change a password, delete, with
// DescribeUserScramCredentials and AlterUserScramCredentials (KIP-554) through the generated codec
// (the client library has no DescribeUserScramCredentials). KIP-554 has the client salt the password:
// the salt and SCRAM's SaltedPassword = Hi(password, salt, iterations) (RFC 5802) are computed here, in
// the main process, and only they travel to the broker, never the password.
import { pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Admin } from '@platformatic/kafka';
import type {
  ClientQuotaAlterRequest,
  ClientQuotaList,
  ClientQuotaSupport,
  ClientThrottling,
  ScramCredentialRequest,
  ScramMechanism,
  ScramUser,
  ScramUserList,
  ThrottledClient,
} from '../../../shared/model/acls';
import { AppError } from '../../core/errors';
import { ApiKey } from '../../kafka/protocol/api-keys';
import { errorName } from '../../kafka/protocol/error-codes';
import {
  AlterClientQuotas,
  AlterUserScramCredentials,
  DescribeClientQuotas,
  DescribeUserScramCredentials,
  type AlterUserScramCredentialsRequest,
} from '../../kafka/protocol/generated/index';
import { SCRAM_MECHANISM_CODES, scramMechanismOf } from '../acls/codes';
import { refusal } from '../acls/refusals';
import { apiMaxVersion, bootstrapConnection, negotiateVersion, send } from '../cluster/wire';

const derive = promisify(pbkdf2);

export interface UsersServiceDeps {
  admin(connectionId: string): Promise<Admin>;
  /** The principal a connection authenticates as ("User:alice"), or null without SASL. */
  connectedAs(connectionId: string): string | null;
  /** The clients the brokers throttled, when the app hosts them (the embedded cluster); null for any other cluster. */
  throttledClients?(connectionId: string): ThrottledClient[] | null;
}

/** RFC 5802's Hi() is PBKDF2 with the mechanism's HMAC, as long as its hash. */
const HASHES: Record<ScramMechanism, { digest: string; bytes: number }> = {
  'SCRAM-SHA-256': { digest: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { digest: 'sha512', bytes: 64 },
};

/** A salted SCRAM credential as AlterUserScramCredentials carries it (KIP-554). */
export async function saltedCredential(
  mechanism: ScramMechanism,
  password: string,
  iterations: number,
): Promise<{ salt: Buffer; saltedPassword: Buffer; iterations: number }> {
  const salt = randomBytes(32);
  const { digest, bytes } = HASHES[mechanism];
  // Kafka's ScramFormatter normalizes a password to its UTF-8 bytes.
  const saltedPassword = await derive(Buffer.from(password, 'utf8'), salt, iterations, bytes, digest);
  return { salt, saltedPassword, iterations };
}

export class UsersService {
  readonly #deps: UsersServiceDeps;

  constructor(deps: UsersServiceDeps) {
    this.#deps = deps;
  }

  async list(connectionId: string): Promise<ScramUserList> {
    const connectedAs = this.#deps.connectedAs(connectionId);
    const users = await this.#describe(connectionId, null, 'list SCRAM users');
    return { users: users.sort((a, b) => a.name.localeCompare(b.name)), connectedAs };
  }

  /**
   * Every client quota entity and its quotas (DescribeClientQuotas, KIP-546: Kafka 2.6 or later; an
   * older cluster gets "… needs Kafka 2.6 or later"). Users first, then user+client-id, client ids, IPs.
   */
  async quotas(connectionId: string): Promise<ClientQuotaList> {
    const admin = await this.#deps.admin(connectionId);
    const version = await negotiateVersion(admin, DescribeClientQuotas);
    const response = await send(await bootstrapConnection(admin), DescribeClientQuotas, version, { components: [], strict: false });
    if (response.errorCode !== 0) {
      throw refusal(response.errorCode, response.errorMessage, {
        action: 'read client quotas',
        right: 'DESCRIBE_CONFIGS',
        connectedAs: this.#deps.connectedAs(connectionId),
      });
    }
    const order = (entity: Array<{ type: string }>) => entity.map((part) => ['user', 'client-id', 'ip'].indexOf(part.type)).join(',');
    const entries = (response.entries ?? []).map((entry) => ({
      entity: entry.entity.map((part) => ({ type: part.entityType, name: part.entityName })),
      quotas: entry.values.map((value) => ({ key: value.key, value: value.value })).sort((a, b) => a.key.localeCompare(b.key)),
    }));
    const label = (entity: Array<{ name: string | null }>) => entity.map((part) => part.name ?? '').join('\u0000');
    return {
      entries: entries.sort((a, b) => order(a.entity).localeCompare(order(b.entity)) || label(a.entity).localeCompare(label(b.entity))),
      supports: await this.#supports(connectionId),
    };
  }

  /**
   * What the cluster's release takes, from its API versions (as Kafka's releases added them):
   * controller_mutation_rate came with CreateTopics v6 (2.7, KIP-599), IP entities with
   * AlterClientQuotas v1 (2.8, KIP-612).
   */
  async #supports(connectionId: string): Promise<ClientQuotaSupport> {
    const admin = await this.#deps.admin(connectionId);
    const [createTopics, alterQuotas] = await Promise.all([apiMaxVersion(admin, ApiKey.CreateTopics), apiMaxVersion(admin, ApiKey.AlterClientQuotas)]);
    return { controllerMutationRate: (createTopics ?? -1) >= 6, ipEntities: (alterQuotas ?? -1) >= 1 };
  }

  /**
   * Who the brokers throttle: measured for the embedded cluster (the app hosts its brokers and reads
   * their throttle-time metrics); for another cluster `measured` is false, as no Kafka API reports it.
   */
  throttled(connectionId: string): ClientThrottling {
    const clients = this.#deps.throttledClients?.(connectionId) ?? null;
    return { measured: clients !== null, clients: clients ?? [], at: Date.now() };
  }

  /**
   * Sets or removes one quota of one entity (AlterClientQuotas, KIP-546, through the generated codec as
   * the list is read): refused with the broker's words, a missing ALTER_CONFIGS on the cluster named, and
   * "needs Kafka 2.6 or later" from an older cluster. Answers the new list.
   */
  async alterQuota(request: ClientQuotaAlterRequest): Promise<ClientQuotaList> {
    const admin = await this.#deps.admin(request.connectionId);
    const version = await negotiateVersion(admin, AlterClientQuotas);
    // Said before the broker answers "Unhandled client quota entity type" or "Invalid configuration key".
    const supports = await this.#supports(request.connectionId);
    if (!supports.ipEntities && request.entity.some((part) => part.type === 'ip')) {
      throw new AppError(
        'invalid-request',
        "Quotas on IP addresses (connection_creation_rate) need Kafka 2.8 or later; this cluster's brokers do not take them.",
      );
    }
    if (!supports.controllerMutationRate && request.key === 'controller_mutation_rate') {
      throw new AppError('invalid-request', "controller_mutation_rate needs Kafka 2.7 or later (KIP-599); this cluster's brokers do not take it.");
    }
    const response = await send(await bootstrapConnection(admin), AlterClientQuotas, version, {
      validateOnly: false,
      entries: [
        {
          entity: request.entity.map((part) => ({ entityType: part.type, entityName: part.name })),
          ops: [{ key: request.key, value: request.value ?? 0, remove: request.value === null }],
        },
      ],
    });
    const failed = response.entries.find((entry) => entry.errorCode !== 0);
    if (failed) {
      throw refusal(failed.errorCode, failed.errorMessage, {
        action: 'change client quotas',
        right: 'ALTER_CONFIGS',
        connectedAs: this.#deps.connectedAs(request.connectionId),
      });
    }
    return this.quotas(request.connectionId);
  }

  /** Creates a user that has no SCRAM credential yet. */
  async create(connectionId: string, request: ScramCredentialRequest): Promise<ScramUser> {
    const existing = await this.#find(connectionId, request.user, 'read SCRAM users (to create one)');
    if (existing) {
      throw new AppError(
        'conflict',
        `The user "${request.user}" exists already (${existing.credentials.map((c) => c.mechanism).join(', ')}); change the password instead.`,
      );
    }
    return this.#upsert(connectionId, request, [], 'create SCRAM users');
  }

  /** Sets a new password for the chosen mechanisms and removes the user's other SCRAM credentials, so no old password keeps working. */
  async changePassword(connectionId: string, request: ScramCredentialRequest): Promise<ScramUser> {
    const existing = await this.#find(connectionId, request.user, 'read SCRAM users (to change a password)');
    if (!existing) throw new AppError('not-found', `The user "${request.user}" has no SCRAM credentials on this cluster.`, { kafkaCode: 'RESOURCE_NOT_FOUND' });
    const dropped = existing.credentials.map((credential) => credential.mechanism).filter((mechanism) => !request.mechanisms.includes(mechanism));
    return this.#upsert(connectionId, request, dropped, 'change passwords');
  }

  async delete(connectionId: string, user: string): Promise<void> {
    const existing = await this.#find(connectionId, user, 'read SCRAM users (to delete one)');
    if (!existing) throw new AppError('not-found', `The user "${user}" has no SCRAM credentials on this cluster.`, { kafkaCode: 'RESOURCE_NOT_FOUND' });
    await this.#alter(
      connectionId,
      { deletions: existing.credentials.map(({ mechanism }) => ({ name: user, mechanism: SCRAM_MECHANISM_CODES[mechanism] })), upsertions: [] },
      'delete SCRAM users',
    );
  }

  async #upsert(connectionId: string, request: ScramCredentialRequest, deleted: ScramMechanism[], action: string): Promise<ScramUser> {
    const upsertions = await Promise.all(
      [...new Set(request.mechanisms)].map(async (mechanism) => ({
        name: request.user,
        mechanism: SCRAM_MECHANISM_CODES[mechanism],
        ...(await saltedCredential(mechanism, request.password, request.iterations)),
      })),
    );
    const deletions = deleted.map((mechanism) => ({ name: request.user, mechanism: SCRAM_MECHANISM_CODES[mechanism] }));
    await this.#alter(connectionId, { deletions, upsertions }, action);
    return { name: request.user, credentials: [...new Set(request.mechanisms)].sort().map((mechanism) => ({ mechanism, iterations: request.iterations })) };
  }

  async #alter(connectionId: string, request: AlterUserScramCredentialsRequest, action: string): Promise<void> {
    const admin = await this.#deps.admin(connectionId);
    const version = await negotiateVersion(admin, AlterUserScramCredentials);
    const response = await send(await bootstrapConnection(admin), AlterUserScramCredentials, version, request);
    const failed = response.results.find((result) => result.errorCode !== 0);
    if (failed) throw refusal(failed.errorCode, failed.errorMessage, { action, right: 'ALTER', connectedAs: this.#deps.connectedAs(connectionId) });
  }

  async #find(connectionId: string, user: string, action: string): Promise<ScramUser | null> {
    try {
      return (await this.#describe(connectionId, [user], action))[0] ?? null;
    } catch (error) {
      if (error instanceof AppError && error.kafkaCode === 'RESOURCE_NOT_FOUND') return null;
      throw error;
    }
  }

  async #describe(connectionId: string, users: string[] | null, action: string): Promise<ScramUser[]> {
    const admin = await this.#deps.admin(connectionId);
    const version = await negotiateVersion(admin, DescribeUserScramCredentials);
    const response = await send(await bootstrapConnection(admin), DescribeUserScramCredentials, version, {
      users: users === null ? null : users.map((name) => ({ name })),
    });
    const context = { action, right: 'DESCRIBE', connectedAs: this.#deps.connectedAs(connectionId) } as const;
    if (response.errorCode !== 0) throw refusal(response.errorCode, response.errorMessage, context);
    return response.results.map((result) => {
      if (result.errorCode !== 0) {
        if (errorName(result.errorCode) === 'RESOURCE_NOT_FOUND')
          throw new AppError('not-found', `No SCRAM user "${result.user}".`, { kafkaCode: 'RESOURCE_NOT_FOUND' });
        throw refusal(result.errorCode, result.errorMessage, context);
      }
      return {
        name: result.user,
        credentials: result.credentialInfos.flatMap((info) => {
          const mechanism = scramMechanismOf.get(info.mechanism);
          return mechanism ? [{ mechanism, iterations: info.iterations }] : [];
        }),
      };
    });
  }
}
