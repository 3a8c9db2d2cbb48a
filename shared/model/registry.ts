// Schema registries in the app (#17): which Confluent-compatible registry a connection uses (the
// embedded cluster's own, an external one, or none), its subjects and versions, compatibility, and the
// schema a produced key or value is serialized with. Plain data, validated with zod on both sides.
import { z } from 'zod';
import { boundedText, connectionIdSchema } from './schemas';

export const SCHEMA_TYPES = ['AVRO', 'PROTOBUF', 'JSON'] as const;
export const schemaTypeSchema = z.enum(SCHEMA_TYPES, { error: 'Choose Avro, Protobuf or JSON Schema.' });
export type SchemaType = z.infer<typeof schemaTypeSchema>;

export const COMPATIBILITY_LEVELS = ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'] as const;
export const compatibilityLevelSchema = z.enum(COMPATIBILITY_LEVELS, { error: 'Choose a compatibility level such as BACKWARD.' });
export type CompatibilityLevel = z.infer<typeof compatibilityLevelSchema>;

// Confluent's subject names: any text but control characters (its SubjectValidation), at most 255 here.
export const subjectNameSchema = z
  .string()
  .min(1, 'Enter a subject name, such as orders-value.')
  .max(255, 'A subject name can have at most 255 characters.')
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a subject cannot hold
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'A subject name cannot contain control characters.');

export const schemaVersionSchema = z
  .number()
  .int()
  .min(1, 'Versions start at 1.')
  .max(2 ** 31 - 1);

// ---------------------------------------------------------------------------------------------------
// Which registry a connection uses

const filePathSchema = z.string().max(4096);

/** What the renderer sends to set a connection's registry. Secrets travel one way, as for connections:
 * an omitted password or token keeps the stored one. */
export const registryInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  // The embedded cluster's registry (only the embedded connection can use it).
  z.object({ kind: z.literal('embedded') }),
  z.object({
    kind: z.literal('external'),
    url: z.url({ protocol: /^https?$/, error: 'Enter the registry URL, such as http://localhost:8081 or https://registry.example.com.' }).max(2000),
    auth: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('none') }),
        z.object({
          kind: z.literal('basic'),
          username: z.string().min(1, 'Enter the user name (or API key).').max(1024),
          password: z.string().max(4096).optional(),
        }),
        z.object({ kind: z.literal('bearer'), token: z.string().max(16_384).optional() }),
      ])
      .default({ kind: 'none' }),
    // A PEM file of the CA that signed the registry's certificate (https only).
    caFile: filePathSchema.optional(),
    rejectUnauthorized: z.boolean().default(true),
  }),
]);
export type RegistryInput = z.input<typeof registryInputSchema>;
export type RegistryConfig = z.output<typeof registryInputSchema>;

export const registrySummarySchema = z.object({
  connectionId: connectionIdSchema,
  kind: z.enum(['none', 'embedded', 'external']),
  // The address calls go to; null without a registry or while the embedded one does not serve.
  url: z.string().nullable(),
  auth: z.object({ kind: z.enum(['none', 'basic', 'bearer']), username: z.string().optional(), hasSecret: z.boolean() }),
  caFile: z.string().optional(),
  rejectUnauthorized: z.boolean(),
  // Why the registry cannot be used now (embedded cluster stopped, a secret kept only for the last run).
  problem: z.string().nullable(),
});
export type RegistrySummary = z.infer<typeof registrySummarySchema>;

// ---------------------------------------------------------------------------------------------------
// Subjects and versions

export const subjectSummarySchema = z.object({
  name: z.string(),
  schemaType: schemaTypeSchema.nullable(),
  latestVersion: z.number().int().nullable(),
  latestId: z.number().int().nullable(),
  versionCount: z.number().int(),
  // The subject's own level, or null when it follows the registry's.
  compatibility: compatibilityLevelSchema.nullable(),
  // Why the latest version could not be read (the subject was deleted meanwhile, ...).
  error: z.string().nullable(),
});
export type SubjectSummary = z.infer<typeof subjectSummarySchema>;

export const subjectListSchema = z.object({
  url: z.string(),
  globalCompatibility: compatibilityLevelSchema,
  subjects: z.array(subjectSummarySchema),
});
export type SubjectList = z.infer<typeof subjectListSchema>;

export const schemaReferenceSchema = z.object({
  name: z.string().min(1).max(1000),
  subject: subjectNameSchema,
  version: schemaVersionSchema,
});
export type SchemaReference = z.infer<typeof schemaReferenceSchema>;

export const schemaVersionDetailSchema = z.object({
  version: z.number().int(),
  id: z.number().int(),
  schemaType: schemaTypeSchema,
  schema: z.string(),
  references: z.array(schemaReferenceSchema),
  // The record (Avro), message (Protobuf, top-level) or title (JSON Schema) names the schema defines,
  // for the record-name strategies and the produce form's message type.
  recordNames: z.array(z.string()),
});
export type SchemaVersionDetail = z.infer<typeof schemaVersionDetailSchema>;

export const subjectDetailSchema = z.object({
  name: z.string(),
  versions: z.array(schemaVersionDetailSchema),
  // Soft-deleted versions (still readable with deleted=true, gone after a hard delete).
  deletedVersions: z.array(z.number().int()),
  compatibility: compatibilityLevelSchema,
  // True when the subject has its own level; false when it follows the registry's.
  compatibilityOverride: z.boolean(),
});
export type SubjectDetail = z.infer<typeof subjectDetailSchema>;

export const subjectRequestSchema = z.object({ connectionId: connectionIdSchema, subject: subjectNameSchema }).strict();

export const schemaInputSchema = z
  .object({
    connectionId: connectionIdSchema,
    subject: subjectNameSchema,
    schemaType: schemaTypeSchema,
    schema: boundedText(1_000_000, 'A schema').refine((text) => text.trim().length > 0, 'Paste the schema text.'),
    references: z.array(schemaReferenceSchema).max(100).default([]),
  })
  .strict();
export type SchemaInput = z.input<typeof schemaInputSchema>;

export const compatibilityResultSchema = z.object({
  compatible: z.boolean(),
  // The level checked and Confluent's reasons when it is not compatible (verbose=true).
  level: compatibilityLevelSchema,
  messages: z.array(z.string()),
  // False when the subject has no version yet: anything can be its first.
  checked: z.boolean(),
});
export type CompatibilityResult = z.infer<typeof compatibilityResultSchema>;

export const registeredSchema = z.object({ id: z.number().int(), version: z.number().int(), existed: z.boolean() });
export type Registered = z.infer<typeof registeredSchema>;

export const setCompatibilityRequestSchema = z
  .object({
    connectionId: connectionIdSchema,
    // null: the registry's global level.
    subject: subjectNameSchema.nullable(),
    // null: remove the subject's own level (it follows the global one again).
    level: compatibilityLevelSchema.nullable(),
  })
  .strict();

export const deleteSchemaRequestSchema = z
  .object({
    connectionId: connectionIdSchema,
    subject: subjectNameSchema,
    // null: the whole subject.
    version: schemaVersionSchema.nullable(),
    // A hard delete needs a soft delete first (Confluent's rule).
    permanent: z.boolean(),
  })
  .strict();

export const subjectUsageSchema = z.object({
  topics: z.array(
    z.object({
      topic: z.string(),
      field: z.enum(['key', 'value']).nullable(),
      strategy: z.enum(['TopicNameStrategy', 'TopicRecordNameStrategy', 'RecordNameStrategy']),
    }),
  ),
  // The record names the subject's latest version defines (what RecordNameStrategy subjects are named after).
  recordNames: z.array(z.string()),
  // Topics found by their records (a subject not named after a topic, as RecordNameStrategy names them):
  // how many topics were read, how many of the last records of each partition, and whether every
  // topic was read in time (or how many could not be).
  scanned: z
    .object({
      topics: z.number().int(),
      recordsPerPartition: z.number().int(),
      records: z.number().int(),
      unread: z.number().int(),
    })
    .optional(),
});
export type SubjectUsage = z.infer<typeof subjectUsageSchema>;

export const schemaIdRequestSchema = z.object({ connectionId: connectionIdSchema, id: z.number().int().min(0) }).strict();
export const schemaIdSubjectsSchema = z.array(z.object({ subject: z.string(), version: z.number().int() }));

// ---------------------------------------------------------------------------------------------------
// Produce with a schema

/** How the produce form serializes a key or value: the JSON typed in, encoded with a subject's version
 * in Confluent's wire format (magic byte 0, the schema id, Protobuf's message indexes, the body). */
export const produceSchemaSchema = z.object({
  subject: subjectNameSchema,
  // null: the latest version at the time of sending.
  version: schemaVersionSchema.nullable(),
  // Protobuf: the message type to encode (its full name); absent: the schema's first message.
  messageType: z.string().min(1).max(500).optional(),
});
export type ProduceSchema = z.infer<typeof produceSchemaSchema>;

/** The produce request's schema fields: with one, the key or value text is JSON to serialize with it. */
export const produceSchemasSchema = z.object({
  keySchema: produceSchemaSchema.nullable().default(null),
  valueSchema: produceSchemaSchema.nullable().default(null),
});
