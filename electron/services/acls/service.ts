// ACLs for the IPC handlers (issue #15): list with a filter, preview what an ACL would grant, create,
// delete one exactly. DescribeAcls, CreateAcls and DeleteAcls (KIP-140; PREFIXED patterns KIP-290)
// go through the project's generated codec on the library's connections: the library speaks only v3
// of these APIs (Kafka 2.8+) and folds per-ACL errors into one exception; the codec negotiates the
// version the cluster speaks and keeps each result's error code, which the screens show.
import type { Admin } from '@platformatic/kafka';
import {
  aclBindingProblem,
  decidedOperations,
  describeAcl,
  type AclBinding,
  type AclEntry,
  type AclFilter,
  type AclList,
  type AclPreview,
} from '../../../shared/model/acls';
import { AppError } from '../../core/errors';
import { CreateAcls, DeleteAcls, DescribeAcls } from '../../kafka/protocol/generated/index';
import { bootstrapConnection, negotiateVersion, send } from '../cluster/wire';
import {
  ANY,
  MATCH,
  OPERATION_CODES,
  PATTERN_TYPE_CODES,
  PERMISSION_CODES,
  RESOURCE_TYPE_CODES,
  operationOf,
  patternTypeOf,
  permissionOf,
  resourceTypeOf,
} from './codes';
import { refusal } from './refusals';

export interface AclsServiceDeps {
  admin(connectionId: string): Promise<Admin>;
  /** The principal a connection authenticates as ("User:alice"), or null without SASL. */
  connectedAs(connectionId: string): string | null;
}

/** How many existing topics or groups a preview names at most. */
const MAX_PREVIEW_MATCHES = 50;

export class AclsService {
  readonly #deps: AclsServiceDeps;

  constructor(deps: AclsServiceDeps) {
    this.#deps = deps;
  }

  async list(connectionId: string, filter: AclFilter): Promise<AclList> {
    const connectedAs = this.#deps.connectedAs(connectionId);
    const admin = await this.#deps.admin(connectionId);
    // v0 knows LITERAL ACLs only: a filter on another pattern type needs v1 (Kafka 2.0).
    const version = await negotiateVersion(admin, DescribeAcls);
    if (version === 0 && filter.patternType !== undefined && filter.patternType !== 'LITERAL') {
      throw new AppError('kafka', 'Prefixed ACLs need Kafka 2.0 or later (DescribeAcls v1), and this cluster does not offer them.');
    }
    const response = await send(await bootstrapConnection(admin), DescribeAcls, version, {
      resourceTypeFilter: filter.resourceType ? RESOURCE_TYPE_CODES[filter.resourceType] : ANY,
      resourceNameFilter: filter.resourceName ?? null,
      patternTypeFilter:
        version === 0 ? PATTERN_TYPE_CODES.LITERAL : filter.patternType === 'MATCH' ? MATCH : filter.patternType ? PATTERN_TYPE_CODES[filter.patternType] : ANY,
      principalFilter: filter.principal ?? null,
      hostFilter: filter.host ?? null,
      operation: filter.operation ? OPERATION_CODES[filter.operation] : ANY,
      permissionType: filter.permission ? PERMISSION_CODES[filter.permission] : ANY,
    });
    if (response.errorCode !== 0) throw refusal(response.errorCode, response.errorMessage, { action: 'list ACLs', right: 'DESCRIBE', connectedAs });
    const acls: AclEntry[] = [];
    for (const resource of response.resources) {
      for (const acl of resource.acls) {
        const entry = {
          resourceType: resourceTypeOf.get(resource.resourceType),
          resourceName: resource.resourceName,
          patternType: version === 0 ? 'LITERAL' : patternTypeOf.get(resource.patternType),
          principal: acl.principal,
          host: acl.host,
          operation: operationOf.get(acl.operation),
          permission: permissionOf.get(acl.permissionType),
        };
        // A code this app does not know (a newer Kafka's) cannot be shown by name; it is left out.
        if (entry.resourceType && entry.patternType && entry.operation && entry.permission) acls.push(entry as AclEntry);
      }
    }
    acls.sort(compareAcls);
    return { acls, connectedAs };
  }

  /** What creating `acl` would do: the operations it decides, the resources it reaches now, and what to know. */
  async preview(connectionId: string, acl: AclBinding): Promise<AclPreview> {
    const problem = aclBindingProblem(acl);
    if (problem) throw new AppError('invalid-request', problem.message);
    const admin = await this.#deps.admin(connectionId);
    const notes: string[] = [];
    if (acl.permission === 'DENY') notes.push('A DENY wins over every ALLOW, super users excepted: it also overrides ACLs that allow this principal more.');
    else if (acl.operation !== 'ALL' && decidedOperations(acl).length > 1) {
      notes.push(
        `Kafka allows ${decidedOperations(acl)
          .slice(1)
          .map((entry) => entry.operation)
          .join(', ')} to whoever may ${acl.operation}.`,
      );
    }
    if (acl.principal === 'User:*') notes.push('User:* is every user, anonymous clients included.');
    if (acl.patternType === 'LITERAL' && acl.resourceName === '*') notes.push("The LITERAL name '*' covers every resource of this type, now and later.");
    if (acl.patternType === 'PREFIXED') notes.push(`It also covers resources created later whose name starts with "${acl.resourceName}".`);

    let alreadyExists = false;
    try {
      const { acls } = await this.list(connectionId, { ...acl, patternType: acl.patternType });
      alreadyExists = acls.some((existing) => sameAcl(existing, acl));
      if (alreadyExists) notes.push('This exact ACL exists already: creating it again changes nothing.');
    } catch (error) {
      notes.push(`Whether it exists already is unknown: ${error instanceof Error ? error.message : String(error)}`);
    }

    let existingMatches: string[] | null = null;
    if (acl.resourceType === 'TOPIC' || acl.resourceType === 'GROUP') {
      try {
        const names = acl.resourceType === 'TOPIC' ? await admin.listTopics({ includeInternals: true }) : [...(await admin.listGroups()).keys()];
        existingMatches = names.filter((name) => reaches(acl, name)).sort();
      } catch (error) {
        notes.push(
          `Which ${acl.resourceType === 'TOPIC' ? 'topics' : 'groups'} it covers now is unknown: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    return {
      summary: describeAcl(acl),
      operations: decidedOperations(acl),
      existingMatches: existingMatches?.slice(0, MAX_PREVIEW_MATCHES) ?? null,
      existingMatchesTruncated: (existingMatches?.length ?? 0) > MAX_PREVIEW_MATCHES,
      notes,
      alreadyExists,
    };
  }

  async create(connectionId: string, acl: AclBinding): Promise<AclEntry> {
    const problem = aclBindingProblem(acl);
    if (problem) throw new AppError('invalid-request', problem.message);
    const admin = await this.#deps.admin(connectionId);
    const version = await negotiateVersion(admin, CreateAcls);
    if (version === 0 && acl.patternType !== 'LITERAL')
      throw new AppError('kafka', 'Prefixed ACLs need Kafka 2.0 or later (CreateAcls v1), and this cluster does not offer them.');
    const response = await send(await bootstrapConnection(admin), CreateAcls, version, {
      creations: [
        {
          resourceType: RESOURCE_TYPE_CODES[acl.resourceType],
          resourceName: acl.resourceName,
          resourcePatternType: PATTERN_TYPE_CODES[acl.patternType],
          principal: acl.principal,
          host: acl.host,
          operation: OPERATION_CODES[acl.operation],
          permissionType: PERMISSION_CODES[acl.permission],
        },
      ],
    });
    const result = response.results[0];
    if (!result) throw new AppError('kafka', 'The cluster answered CreateAcls without a result.');
    if (result.errorCode !== 0)
      throw refusal(result.errorCode, result.errorMessage, { action: 'create ACLs', right: 'ALTER', connectedAs: this.#deps.connectedAs(connectionId) });
    return acl;
  }

  /** Deletes exactly this ACL (a filter with every field set matches only it). */
  async delete(connectionId: string, acl: AclEntry): Promise<{ deleted: number }> {
    const admin = await this.#deps.admin(connectionId);
    const version = await negotiateVersion(admin, DeleteAcls);
    if (version === 0 && acl.patternType !== 'LITERAL')
      throw new AppError('kafka', 'Prefixed ACLs need Kafka 2.0 or later (DeleteAcls v1), and this cluster does not offer them.');
    const response = await send(await bootstrapConnection(admin), DeleteAcls, version, {
      filters: [
        {
          resourceTypeFilter: RESOURCE_TYPE_CODES[acl.resourceType],
          resourceNameFilter: acl.resourceName,
          patternTypeFilter: PATTERN_TYPE_CODES[acl.patternType],
          principalFilter: acl.principal,
          hostFilter: acl.host,
          operation: OPERATION_CODES[acl.operation],
          permissionType: PERMISSION_CODES[acl.permission],
        },
      ],
    });
    const result = response.filterResults[0];
    if (!result) throw new AppError('kafka', 'The cluster answered DeleteAcls without a result.');
    const context = { action: 'delete ACLs', right: 'ALTER', connectedAs: this.#deps.connectedAs(connectionId) } as const;
    if (result.errorCode !== 0) throw refusal(result.errorCode, result.errorMessage, context);
    const failed = result.matchingAcls.find((match) => match.errorCode !== 0);
    if (failed) throw refusal(failed.errorCode, failed.errorMessage, context);
    if (result.matchingAcls.length === 0) throw new AppError('not-found', 'This ACL no longer exists on the cluster (it may have been deleted meanwhile).');
    return { deleted: result.matchingAcls.length };
  }
}

/** Whether a LITERAL or PREFIXED pattern covers a resource name (as the authorizer matches). */
export function reaches(acl: Pick<AclBinding, 'resourceName' | 'patternType'>, name: string): boolean {
  if (acl.patternType === 'PREFIXED') return name.startsWith(acl.resourceName);
  return acl.resourceName === '*' || acl.resourceName === name;
}

function sameAcl(a: AclEntry, b: AclEntry): boolean {
  return (
    a.resourceType === b.resourceType &&
    a.resourceName === b.resourceName &&
    a.patternType === b.patternType &&
    a.principal === b.principal &&
    a.host === b.host &&
    a.operation === b.operation &&
    a.permission === b.permission
  );
}

function compareAcls(a: AclEntry, b: AclEntry): number {
  return (
    a.resourceType.localeCompare(b.resourceType) ||
    a.resourceName.localeCompare(b.resourceName) ||
    a.patternType.localeCompare(b.patternType) ||
    a.principal.localeCompare(b.principal) ||
    a.operation.localeCompare(b.operation) ||
    a.permission.localeCompare(b.permission) ||
    a.host.localeCompare(b.host)
  );
}
