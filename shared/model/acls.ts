// ACLs and SCRAM users (issue #15): plain data validated with zod on both sides of the IPC contract.
// Names are Kafka's (AclOperation, ResourceType, PatternType, AclPermissionType); the main process
// turns them into the protocol's numbers. What an ACL grants, with Kafka's implied operations, is
// computed here so the create dialog and the main process's preview agree.
import { z } from 'zod';
import { connectionIdSchema } from './schemas';

export const ACL_RESOURCE_TYPES = ['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID', 'DELEGATION_TOKEN', 'USER'] as const;
export const ACL_PATTERN_TYPES = ['LITERAL', 'PREFIXED'] as const;
export const ACL_OPERATIONS = [
  'ALL',
  'READ',
  'WRITE',
  'CREATE',
  'DELETE',
  'ALTER',
  'DESCRIBE',
  'CLUSTER_ACTION',
  'DESCRIBE_CONFIGS',
  'ALTER_CONFIGS',
  'IDEMPOTENT_WRITE',
  'CREATE_TOKENS',
  'DESCRIBE_TOKENS',
] as const;
export const ACL_PERMISSIONS = ['ALLOW', 'DENY'] as const;

export const aclResourceTypeSchema = z.enum(ACL_RESOURCE_TYPES);
export const aclPatternTypeSchema = z.enum(ACL_PATTERN_TYPES);
export const aclOperationSchema = z.enum(ACL_OPERATIONS);
export const aclPermissionSchema = z.enum(ACL_PERMISSIONS);
export type AclResourceType = z.infer<typeof aclResourceTypeSchema>;
export type AclPatternType = z.infer<typeof aclPatternTypeSchema>;
export type AclOperation = z.infer<typeof aclOperationSchema>;
export type AclPermission = z.infer<typeof aclPermissionSchema>;

/** The name of the one CLUSTER resource. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';

/** The operations each resource type has (Kafka's AclEntry.supportedOperations); ALL applies to every type. */
export const SUPPORTED_OPERATIONS: Readonly<Record<AclResourceType, readonly AclOperation[]>> = {
  TOPIC: ['READ', 'WRITE', 'CREATE', 'DESCRIBE', 'DELETE', 'ALTER', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  GROUP: ['READ', 'DESCRIBE', 'DELETE'],
  CLUSTER: ['CREATE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'ALTER', 'DESCRIBE'],
  TRANSACTIONAL_ID: ['DESCRIBE', 'WRITE'],
  DELEGATION_TOKEN: ['DESCRIBE'],
  USER: ['CREATE_TOKENS', 'DESCRIBE_TOKENS'],
};

// Kafka's principals are "Type:name" (User:alice, User:*, or a custom principal builder's type).
const principalSchema = z
  .string()
  .trim()
  .min(1, 'Enter a principal, such as User:alice.')
  .max(1_000, 'A principal can have at most 1000 characters.')
  .regex(/^[^:\s]+:.+$/, 'A principal is Type:name, such as User:alice (User:* for every user).');
// '*' or an address; Kafka matches hosts literally (no ranges), so anything else would never match.
const hostSchema = z
  .string()
  .trim()
  .min(1, "Enter a host, or '*' for every host.")
  .max(255)
  .regex(/^(\*|[0-9a-fA-F.:]+)$/, "A host is '*' (every host) or an IP address: Kafka compares the client's address literally.");
const resourceNameSchema = z.string().min(1, 'Enter a resource name.').max(1_000, 'A resource name can have at most 1000 characters.');

/** One ACL as the cluster lists it: who (principal, host) may or may not (permission) do what (operation) to which resources. */
export const aclEntrySchema = z.object({
  resourceType: aclResourceTypeSchema,
  resourceName: z.string(),
  patternType: aclPatternTypeSchema,
  principal: z.string(),
  host: z.string(),
  operation: aclOperationSchema,
  permission: aclPermissionSchema,
});
export type AclEntry = z.infer<typeof aclEntrySchema>;

/** One ACL to create or delete, checked as Kafka would before it is sent. */
export const aclBindingSchema = z
  .object({
    resourceType: aclResourceTypeSchema,
    resourceName: resourceNameSchema,
    patternType: aclPatternTypeSchema,
    principal: principalSchema,
    host: hostSchema.default('*'),
    operation: aclOperationSchema,
    permission: aclPermissionSchema,
  })
  .strict()
  .superRefine((acl, context) => {
    const problem = aclBindingProblem(acl);
    if (problem) context.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  });
export type AclBinding = z.output<typeof aclBindingSchema>;

/** Why Kafka would refuse a binding (CreateAcls' INVALID_REQUEST cases), in words, or null. */
export function aclBindingProblem(acl: Omit<AclEntry, 'host'>): { field: keyof AclBinding; message: string } | null {
  if (acl.resourceType === 'CLUSTER' && acl.resourceName !== CLUSTER_RESOURCE_NAME)
    return { field: 'resourceName', message: `The cluster resource is named "${CLUSTER_RESOURCE_NAME}".` };
  if (acl.resourceType === 'CLUSTER' && acl.patternType !== 'LITERAL')
    return { field: 'patternType', message: 'The cluster resource takes a LITERAL pattern.' };
  if (acl.patternType === 'PREFIXED' && acl.resourceName === '*')
    return { field: 'resourceName', message: "A PREFIXED pattern cannot be '*': a LITERAL '*' already means every name." };
  if (acl.operation !== 'ALL' && !SUPPORTED_OPERATIONS[acl.resourceType].includes(acl.operation)) {
    return {
      field: 'operation',
      message: `${acl.operation} does not apply to a ${acl.resourceType} resource; it takes ${SUPPORTED_OPERATIONS[acl.resourceType].join(', ')} or ALL.`,
    };
  }
  return null;
}

/** Which ACLs to list: a field left out matches every value. */
export const aclFilterSchema = z
  .object({
    resourceType: aclResourceTypeSchema.optional(),
    resourceName: resourceNameSchema.optional(),
    // MATCH: every ACL that applies to a resource of that name (LITERAL equal, LITERAL '*', PREFIXED prefixes).
    patternType: z.enum(['LITERAL', 'PREFIXED', 'MATCH']).optional(),
    principal: principalSchema.optional(),
    host: hostSchema.optional(),
    operation: aclOperationSchema.optional(),
    permission: aclPermissionSchema.optional(),
  })
  .strict()
  .refine((filter) => filter.patternType !== 'MATCH' || filter.resourceName !== undefined, {
    path: ['resourceName'],
    error: 'Matching ACLs needs the name of a resource.',
  });
export type AclFilter = z.output<typeof aclFilterSchema>;

export const aclListRequestSchema = z.object({ connectionId: connectionIdSchema, filter: aclFilterSchema.default({}) }).strict();
export const aclBindingRequestSchema = z.object({ connectionId: connectionIdSchema, acl: aclBindingSchema }).strict();
// Deleting names an ACL exactly as the cluster listed it (whoever created it, with whatever host).
export const aclDeleteRequestSchema = z
  .object({
    connectionId: connectionIdSchema,
    acl: z
      .object({
        resourceType: aclResourceTypeSchema,
        resourceName: resourceNameSchema,
        patternType: aclPatternTypeSchema,
        principal: z.string().min(1).max(1_000),
        host: z.string().min(1).max(255),
        operation: aclOperationSchema,
        permission: aclPermissionSchema,
      })
      .strict(),
  })
  .strict();

/** The ACLs a filter matched; the principal the app connects as, for "who am I" in the screens. */
export const aclListSchema = z.object({ acls: z.array(aclEntrySchema), connectedAs: z.string().nullable() });
export type AclList = z.infer<typeof aclListSchema>;

/** What creating an ACL would do, before it is created. */
export const aclPreviewSchema = z.object({
  // One sentence: "Allows User:alice to WRITE every topic whose name starts with "orders." from any host."
  summary: z.string(),
  // The operations the ACL decides, with those Kafka implies (ALLOW WRITE also allows DESCRIBE).
  operations: z.array(z.object({ operation: aclOperationSchema, impliedBy: aclOperationSchema.nullable() })),
  // The resources it covers that exist now (topics and groups; null for other types or when unknown).
  existingMatches: z.array(z.string()).nullable(),
  // The existing match list was cut at this many names.
  existingMatchesTruncated: z.boolean(),
  // Things to know: a DENY that overrides ALLOWs, a wildcard principal, an identical ACL that exists.
  notes: z.array(z.string()),
  alreadyExists: z.boolean(),
});
export type AclPreview = z.infer<typeof aclPreviewSchema>;

// Kafka: DESCRIBE is allowed when READ, WRITE, DELETE or ALTER is; DESCRIBE_CONFIGS when ALTER_CONFIGS is.
const IMPLIES: Partial<Record<AclOperation, readonly AclOperation[]>> = {
  READ: ['DESCRIBE'],
  WRITE: ['DESCRIBE'],
  DELETE: ['DESCRIBE'],
  ALTER: ['DESCRIBE'],
  ALTER_CONFIGS: ['DESCRIBE_CONFIGS'],
};

/** The operations an ACL decides: ALL is every operation of the type; an ALLOW also allows what Kafka implies (a DENY denies only its own). */
export function decidedOperations(acl: Pick<AclBinding, 'resourceType' | 'operation' | 'permission'>): AclPreview['operations'] {
  if (acl.operation === 'ALL') return SUPPORTED_OPERATIONS[acl.resourceType].map((operation) => ({ operation, impliedBy: 'ALL' as const }));
  const decided: AclPreview['operations'] = [{ operation: acl.operation, impliedBy: null }];
  if (acl.permission === 'ALLOW') {
    for (const implied of IMPLIES[acl.operation] ?? []) {
      if (SUPPORTED_OPERATIONS[acl.resourceType].includes(implied)) decided.push({ operation: implied, impliedBy: acl.operation });
    }
  }
  return decided;
}

const RESOURCE_WORDS: Record<AclResourceType, [one: string, many: string]> = {
  TOPIC: ['the topic', 'topic'],
  GROUP: ['the consumer group', 'consumer group'],
  CLUSTER: ['the cluster', 'cluster'],
  TRANSACTIONAL_ID: ['the transactional id', 'transactional id'],
  DELEGATION_TOKEN: ['the delegation token', 'delegation token'],
  USER: ['the user', 'user'],
};

/** Which resources a pattern reaches, in words: "the topic "orders"", "every topic whose name starts with "orders."". */
export function describeReach(acl: Pick<AclBinding, 'resourceType' | 'resourceName' | 'patternType'>): string {
  const [one, many] = RESOURCE_WORDS[acl.resourceType];
  if (acl.resourceType === 'CLUSTER') return one;
  if (acl.patternType === 'PREFIXED') return `every ${many} whose name starts with "${acl.resourceName}"`;
  if (acl.resourceName === '*') return `every ${many}`;
  return `${one} "${acl.resourceName}"`;
}

/** "Allows User:alice to WRITE (and so DESCRIBE) every topic whose name starts with "orders." from any host." */
export function describeAcl(acl: AclEntry): string {
  const who = acl.principal === 'User:*' ? 'every user' : acl.principal;
  const operations = decidedOperations(acl);
  const what =
    acl.operation === 'ALL'
      ? `do everything (${operations.map((entry) => entry.operation).join(', ')}) to`
      : operations.length > 1
        ? `${acl.operation} (and so ${operations
            .slice(1)
            .map((entry) => entry.operation)
            .join(', ')})`
        : acl.operation;
  const from = acl.host === '*' ? 'from any host' : `from ${acl.host} only`;
  return `${acl.permission === 'ALLOW' ? 'Allows' : 'Denies'} ${who} to ${what}${acl.operation === 'ALL' ? '' : ' on'} ${describeReach(acl)} ${from}.`;
}

// ---- SCRAM users (KIP-554) ----

export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export const scramMechanismSchema = z.enum(SCRAM_MECHANISMS);
export type ScramMechanism = z.infer<typeof scramMechanismSchema>;
// Kafka accepts 4096..16384 iterations (ScramMechanism's minIterations, and its upper bound).
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;

export const scramUserNameSchema = z
  .string()
  .min(1, 'Enter a user name.')
  .max(1_000, 'A user name can have at most 1000 characters.')
  .refine((name) => name.trim() === name, 'A user name cannot start or end with spaces.')
  // SCRAM's message syntax escapes ',' and '='; Kafka's own tools refuse them in user names too.
  .refine((name) => !/[,=]/.test(name), 'A user name cannot contain "," or "=".');

export const scramUserSchema = z.object({
  name: z.string(),
  credentials: z.array(z.object({ mechanism: scramMechanismSchema, iterations: z.number().int() })),
});
export type ScramUser = z.infer<typeof scramUserSchema>;

export const scramUserListSchema = z.object({ users: z.array(scramUserSchema), connectedAs: z.string().nullable() });
export type ScramUserList = z.infer<typeof scramUserListSchema>;

/** Client quotas (KIP-546): each entity (user, client-id, both, or ip; a null name is the default) and its quotas. */
export const clientQuotaEntrySchema = z.object({
  entity: z.array(z.object({ type: z.string(), name: z.string().nullable() })),
  quotas: z.array(z.object({ key: z.string(), value: z.number() })),
});
export type ClientQuotaEntry = z.infer<typeof clientQuotaEntrySchema>;
/**
 * What the cluster's release takes, from the API versions its brokers list: controller_mutation_rate from
 * Kafka 2.7 (KIP-599, with CreateTopics v6), quotas on IPs from 2.8 (KIP-612, with AlterClientQuotas v1).
 */
export const clientQuotaSupportSchema = z.object({ controllerMutationRate: z.boolean(), ipEntities: z.boolean() });
export type ClientQuotaSupport = z.infer<typeof clientQuotaSupportSchema>;
export const clientQuotaListSchema = z.object({ entries: z.array(clientQuotaEntrySchema), supports: clientQuotaSupportSchema });
export type ClientQuotaList = z.infer<typeof clientQuotaListSchema>;

/** The quota keys (Kafka's QuotaConfigs): byte rates and the request share for users and client ids, connection rates for IPs. */
export const CLIENT_QUOTA_KEYS = [
  'producer_byte_rate',
  'consumer_byte_rate',
  'request_percentage',
  'controller_mutation_rate',
  'connection_creation_rate',
] as const;
export type ClientQuotaKey = (typeof CLIENT_QUOTA_KEYS)[number];
/** Keys whose values are whole numbers (Kafka's LONG quota configs). */
const WHOLE_NUMBER_KEYS: readonly ClientQuotaKey[] = ['producer_byte_rate', 'consumer_byte_rate', 'connection_creation_rate'];

/**
 * Sets (a value) or removes (null) one quota of one entity: a user, a client id, both, or an IP; a null
 * name is the type's default (`<default>` in kafka-configs). Checked here as Kafka's controller checks it.
 */
export const clientQuotaAlterRequestSchema = z
  .object({
    connectionId: connectionIdSchema,
    entity: z
      .array(
        z
          .object({
            type: z.enum(['user', 'client-id', 'ip']),
            name: z.string().min(1, 'Enter a name, or choose the default.').max(1_000, 'A name can have at most 1000 characters.').nullable(),
          })
          .strict(),
      )
      .min(1, 'Choose a user, a client id, both, or an IP.')
      .max(2, 'An entity is a user, a client id, both, or an IP.'),
    key: z.enum(CLIENT_QUOTA_KEYS),
    value: z.number().positive('A quota must be above 0.').max(Number.MAX_SAFE_INTEGER).nullable(),
  })
  .strict()
  .superRefine((request, context) => {
    const types = request.entity.map((part) => part.type);
    if (new Set(types).size !== types.length) context.addIssue({ code: 'custom', path: ['entity'], message: 'Each entity type may be named once.' });
    const ip = types.includes('ip');
    if (ip && types.length > 1) context.addIssue({ code: 'custom', path: ['entity'], message: 'An IP cannot be combined with a user or a client id.' });
    if (ip !== (request.key === 'connection_creation_rate')) {
      context.addIssue({
        code: 'custom',
        path: ['key'],
        message: ip ? 'An IP takes only connection_creation_rate.' : 'connection_creation_rate applies to IPs only.',
      });
    }
    if (request.value !== null && WHOLE_NUMBER_KEYS.includes(request.key) && !Number.isInteger(request.value)) {
      context.addIssue({ code: 'custom', path: ['value'], message: `${request.key} must be a whole number.` });
    }
  });
export type ClientQuotaAlterRequest = z.infer<typeof clientQuotaAlterRequestSchema>;

/**
 * A client the brokers throttled, per quota (their throttle-time metrics): the user and client id the
 * quota's sensor is kept for (null: the quota is not per that part), or the IP of a connection rate.
 */
export const throttledClientSchema = z.object({
  quota: z.enum(CLIENT_QUOTA_KEYS),
  user: z.string().nullable(),
  clientId: z.string().nullable(),
  ip: z.string().nullable(),
  limit: z.number(),
  /** The highest rate a broker measures now (null for controller_mutation_rate, a token bucket). */
  rate: z.number().nullable(),
  /** Requests (connections, for an IP) throttled so far. */
  throttled: z.number().int(),
  throttleTimeMs: z.number().nullable(),
  lastThrottledAt: z.number(),
  brokerIds: z.array(z.number().int()),
});
export type ThrottledClient = z.infer<typeof throttledClientSchema>;
/**
 * Who the brokers throttle. Kafka reports throttling only to the throttled client (throttle_time_ms) and
 * in its brokers' metrics, which no Kafka API returns: the app knows it for the embedded cluster it hosts
 * (`measured` true), not for another cluster.
 */
export const clientThrottlingSchema = z.object({ measured: z.boolean(), clients: z.array(throttledClientSchema), at: z.number() });
export type ClientThrottling = z.infer<typeof clientThrottlingSchema>;

export const scramCredentialRequestSchema = z
  .object({
    connectionId: connectionIdSchema,
    user: scramUserNameSchema,
    password: z.string().min(1, 'Enter a password.').max(1_024, 'A password can have at most 1024 characters.'),
    mechanisms: z.array(scramMechanismSchema).min(1, 'Choose at least one SCRAM mechanism.').default(['SCRAM-SHA-256', 'SCRAM-SHA-512']),
    iterations: z
      .number()
      .int()
      .min(SCRAM_MIN_ITERATIONS, `Kafka needs at least ${SCRAM_MIN_ITERATIONS} iterations.`)
      .max(SCRAM_MAX_ITERATIONS, `Kafka accepts at most ${SCRAM_MAX_ITERATIONS} iterations.`)
      .default(8192),
  })
  .strict();
export type ScramCredentialRequest = z.output<typeof scramCredentialRequestSchema>;

export const scramUserRequestSchema = z.object({ connectionId: connectionIdSchema, user: scramUserNameSchema }).strict();
