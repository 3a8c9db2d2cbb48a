// The message browser's models: what the renderer asks for (seek, bounds, filter, decoders) and what it
// gets back (pages of record views with previews, progress, live-tail batches, exports). Plain data,
// validated with zod on both sides of the IPC contract.
import { z } from 'zod';
import { boundedText, connectionIdSchema, topicNameSchema } from './schemas';

/** Values larger than this travel as a preview; the whole value is fetched on demand in chunks. */
export const PREVIEW_BYTES = 64 * 1024;
export const MAX_PAGE_RECORDS = 10_000;
/** Characters of a whole value per `messages.value` call. */
export const VALUE_CHUNK_CHARS = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------
// Decoders

export const decoderKindSchema = z.enum(['auto', 'string', 'json', 'hex', 'base64', 'int32', 'int64', 'float', 'double', 'avro', 'protobuf', 'registry']);
export type DecoderKind = z.infer<typeof decoderKindSchema>;

export const decoderSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.enum(['auto', 'string', 'json', 'hex', 'base64', 'int32', 'int64', 'float', 'double']) }),
  // An Avro schema in its JSON form, as written in an .avsc file.
  z.object({ kind: z.literal('avro'), schema: boundedText(1_000_000, 'An Avro schema').min(1, 'Paste the Avro schema (JSON).') }),
  // A .proto file's text and the fully qualified message type to decode with.
  z.object({
    kind: z.literal('protobuf'),
    schema: boundedText(1_000_000, 'A .proto definition').min(1, 'Paste the .proto definition.'),
    messageType: z.string().min(1, 'Name the message type, such as shop.Order.').max(500),
  }),
  // The connection's Confluent-compatible schema registry (its URL, credentials and CA as set on the
  // Schemas screen): values carry magic byte 0 and a 4-byte schema id. `url` is what decoders saved
  // before registries were set per connection held; it is used only when the connection has none.
  z.object({ kind: z.literal('registry'), url: z.url('Enter the registry URL, such as http://localhost:8081.').max(2000).optional() }),
]);
export type DecoderSpec = z.infer<typeof decoderSpecSchema>;

export const topicDecodersSchema = z.object({ key: decoderSpecSchema, value: decoderSpecSchema });
export type TopicDecoders = z.infer<typeof topicDecodersSchema>;
export const DEFAULT_DECODERS: TopicDecoders = { key: { kind: 'auto' }, value: { kind: 'auto' } };

/** A decoded key, value or header value as shown: `text` is at most a preview unless asked whole. */
export const decodedSchema = z.object({
  // What `text` holds: json (valid JSON text), text, hex (a hex dump), base64, number, or null/empty.
  format: z.enum(['null', 'json', 'text', 'hex', 'base64', 'number']),
  text: z.string(),
  // Bytes of the raw field.
  size: z.number().int(),
  // True when `text` is only the beginning of the decoded value.
  truncated: z.boolean(),
  // Confluent wire format: the schema id the value named.
  schemaId: z.number().int().optional(),
  // Set when the chosen decoder could not decode the bytes; `text` then holds a hex dump instead.
  error: z.string().optional(),
});
export type Decoded = z.infer<typeof decodedSchema>;

// ---------------------------------------------------------------------------------------------------
// Records

export const compressionNameSchema = z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']);

export const recordViewSchema = z.object({
  partition: z.number().int(),
  offset: z.number(),
  timestamp: z.number(),
  timestampType: z.enum(['create', 'log-append']),
  key: decodedSchema,
  value: decodedSchema,
  headers: z.array(z.object({ key: z.string(), value: decodedSchema })),
  // Bytes of the record inside its batch (varint length included).
  size: z.number().int(),
  batch: z.object({
    baseOffset: z.number(),
    compression: compressionNameSchema,
    producerId: z.number(),
    producerEpoch: z.number().int(),
    // The sequence of this record (batch base sequence + offset delta), -1 without idempotence.
    sequence: z.number().int(),
    transactional: z.boolean(),
  }),
  // Records of transactional batches: how their transaction ended (committed or aborted, with the
  // marker's offset when the browser read it), open (no marker up to the high watermark), or unknown
  // (the marker lies further than the browser looked).
  transaction: z.object({ state: z.enum(['committed', 'aborted', 'open', 'unknown']), markerOffset: z.number().nullable() }).optional(),
  // A transaction marker (control record), shown when asked for.
  control: z.object({ type: z.enum(['commit', 'abort']), coordinatorEpoch: z.number().int() }).optional(),
});
export type RecordView = z.infer<typeof recordViewSchema>;

// ---------------------------------------------------------------------------------------------------
// Queries

export const seekSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('earliest') }),
  // The last `count` records (the limit's count) before the end of each partition.
  z.object({ mode: z.literal('latest') }),
  z.object({ mode: z.literal('offset'), offset: z.number().int().min(0) }),
  // The first record at or after this time (ListOffsets by time), milliseconds since the epoch.
  z.object({ mode: z.literal('timestamp'), timestamp: z.number().int().min(0) }),
  // Where a consumer group is: its committed offsets (OffsetFetch).
  z.object({ mode: z.literal('group'), groupId: z.string().min(1, 'Enter a consumer group id.').max(255) }),
]);
export type Seek = z.infer<typeof seekSchema>;

// What the browser reads (KIP-98): every record (read_uncommitted, as kcat does), or what a
// read_committed consumer sees (up to the last stable offset, aborted transactions left out).
export const isolationSchema = z.enum(['read_uncommitted', 'read_committed']);
export type Isolation = z.infer<typeof isolationSchema>;

export const filterSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('contains'),
    field: z.enum(['key', 'value', 'header', 'any']),
    text: boundedText(10_000, 'The text to find').min(1),
    ignoreCase: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal('regex'),
    field: z.enum(['key', 'value', 'header', 'any']),
    pattern: boundedText(10_000, 'A regular expression').min(1),
    flags: z
      .string()
      .regex(/^[imsu]*$/, 'Regex flags can be i, m, s and u.')
      .default(''),
  }),
  // The value parsed as JSON; `path` in dot/bracket form ($.order.items[0].sku); `equals` is JSON or a bare string.
  z.object({ kind: z.literal('jsonPath'), path: z.string().min(1).max(1000), equals: boundedText(10_000, 'The value to compare') }),
  // Find by key: the partitions the common clients' partitioners put the key in (murmur2, CRC32,
  // FNV-1a, ...), then every other partition when none of them holds it. A chosen partition is searched alone.
  z.object({ kind: z.literal('key'), key: boundedText(1_000_000, 'The key') }),
]);
export type Filter = z.infer<typeof filterSchema>;
export type FilterInput = z.input<typeof filterSchema>;

export const limitSchema = z.object({
  count: z.number().int().min(1).max(MAX_PAGE_RECORDS).default(500),
  // Stop once the page holds this many record bytes.
  maxBytes: z
    .number()
    .int()
    .min(1)
    .max(512 * 1024 * 1024)
    .optional(),
  // Stop reading after this long (a search over a large topic returns what it found so far).
  maxDurationMs: z.number().int().min(1).max(3_600_000).optional(),
  // Only records up to this timestamp (ms); forward reads stop at the first record past it.
  endTimestamp: z.number().int().min(0).optional(),
});
export type Limit = z.infer<typeof limitSchema>;

/** Per partition, where a page begins and ends: read backward from `before`, forward from `after`. */
export const partitionCursorSchema = z.object({ partition: z.number().int(), before: z.number(), after: z.number() });
export type PartitionCursor = z.infer<typeof partitionCursorSchema>;

export const readRequestSchema = z
  .object({
    connectionId: connectionIdSchema,
    topic: topicNameSchema,
    // null: every partition of the topic.
    partitions: z.array(z.number().int().min(0)).max(10_000).nullable().default(null),
    seek: seekSchema.default({ mode: 'earliest' }),
    // Paging: a cursor from a previous page, and which way to go from it. Overrides `seek`.
    page: z.object({ cursor: z.array(partitionCursorSchema), direction: z.enum(['forward', 'backward']) }).optional(),
    limit: limitSchema.default({ count: 500 }),
    filter: filterSchema.nullable().default(null),
    decoders: topicDecodersSchema.default(DEFAULT_DECODERS),
    // Absent: read_uncommitted.
    isolation: isolationSchema.optional(),
    // Transaction markers (control records) among the records.
    showControl: z.boolean().optional(),
    // Names this read for `messages.progress` events and `messages.cancel`.
    operationId: z.string().min(1).max(100).optional(),
  })
  .strict();
export type ReadRequest = z.input<typeof readRequestSchema>;
export type ParsedReadRequest = z.output<typeof readRequestSchema>;

export const stopReasonSchema = z.enum(['count', 'bytes', 'time', 'end', 'cancelled']);
export type StopReason = z.infer<typeof stopReasonSchema>;

export const partitionRangeSchema = z.object({ partition: z.number().int(), low: z.number(), high: z.number() });

// A batch of records that could not be read (damaged, undecompressable, records that do not add up,
// or the empty stand-in a broker serves for such a batch): left out, the records around it shown.
export const unreadableBatchSchema = z.object({
  partition: z.number().int(),
  baseOffset: z.number(),
  lastOffset: z.number(),
  reason: z.string(),
});
export type UnreadableBatch = z.infer<typeof unreadableBatchSchema>;

// A find by key: the partitions the common partitioners would put the key in (each with the partitioners
// that pick it, as short labels), whether the search went on to every other partition because none of
// those held the key, and the partitions whose records are on the page with the partitioners that put them there.
export const keySearchSchema = z.object({
  candidates: z.array(z.object({ partition: z.number().int(), partitioners: z.array(z.string()) })),
  // The partition chosen in the form, searched alone (no candidates are read then).
  chosen: z.array(z.number().int()).optional(),
  fallback: z.boolean(),
  found: z.array(z.object({ partition: z.number().int(), partitioners: z.array(z.string()) })),
});
export type KeySearch = z.infer<typeof keySearchSchema>;

export const pageSchema = z.object({
  topic: z.string(),
  // Oldest first: by offset in one partition, by timestamp across partitions.
  records: z.array(recordViewSchema),
  cursor: z.array(partitionCursorSchema),
  // Watermarks when the read began.
  ranges: z.array(partitionRangeSchema),
  hasBefore: z.boolean(),
  hasAfter: z.boolean(),
  stoppedBy: stopReasonSchema,
  scanned: z.number(),
  durationMs: z.number(),
  // Where a find by key looked and found: see keySearchSchema.
  keySearch: keySearchSchema.optional(),
  // Other facts worth telling ("group has no commit on 2").
  notes: z.array(z.string()),
  // Batches the read went past because they cannot be read, by partition and offsets.
  unreadable: z.array(unreadableBatchSchema).optional(),
});
export type Page = z.infer<typeof pageSchema>;

export const progressSchema = z.object({
  operationId: z.string(),
  scanned: z.number(),
  matches: z.number(),
  ratePerSecond: z.number(),
  elapsedMs: z.number(),
  done: z.boolean(),
});
export type Progress = z.infer<typeof progressSchema>;

// ---------------------------------------------------------------------------------------------------
// Whole values, exports, live tail

export const valueRequestSchema = z
  .object({
    connectionId: connectionIdSchema,
    topic: topicNameSchema,
    partition: z.number().int().min(0),
    offset: z.number().int().min(0),
    field: z.enum(['key', 'value']),
    decoder: decoderSpecSchema,
    // Characters of the decoded (and, for JSON, pretty-printed) text.
    start: z.number().int().min(0).default(0),
    length: z.number().int().min(1).max(VALUE_CHUNK_CHARS).default(VALUE_CHUNK_CHARS),
  })
  .strict();
export const valueChunkSchema = z.object({
  format: decodedSchema.shape.format,
  text: z.string(),
  start: z.number().int(),
  totalChars: z.number().int(),
  size: z.number().int(),
  error: z.string().optional(),
});
export type ValueChunk = z.infer<typeof valueChunkSchema>;

export const exportFormatSchema = z.enum(['jsonl', 'json', 'csv']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

export const exportRequestSchema = z
  .object({
    connectionId: connectionIdSchema,
    topic: topicNameSchema,
    partitions: z.array(z.number().int().min(0)).max(10_000).nullable().default(null),
    seek: seekSchema.default({ mode: 'earliest' }),
    filter: filterSchema.nullable().default(null),
    decoders: topicDecodersSchema.default(DEFAULT_DECODERS),
    format: exportFormatSchema,
    isolation: isolationSchema.optional(),
    // Up to this many records; without it, everything from the start to the end of the topic as it
    // was when the export began ("latest" exports the last `maxRecords`, 500 by default).
    maxRecords: z.number().int().min(1).max(100_000_000).optional(),
    endTimestamp: z.number().int().min(0).optional(),
    operationId: z.string().min(1).max(100).optional(),
  })
  .strict();
export type ExportRequest = z.input<typeof exportRequestSchema>;

export const exportResultSchema = z.object({
  // file: written where the user chose (desktop); download: ready at `url` (web mode); cancelled: the
  // user closed the save dialog or cancelled the export.
  status: z.enum(['file', 'download', 'cancelled']),
  path: z.string().optional(),
  url: z.string().optional(),
  fileName: z.string(),
  records: z.number(),
  bytes: z.number(),
  durationMs: z.number(),
  // Batches the export went past because they cannot be read (their records are not in the file).
  unreadable: z.array(unreadableBatchSchema).optional(),
});
export type ExportResult = z.infer<typeof exportResultSchema>;

export const tailStartSchema = z
  .object({
    connectionId: connectionIdSchema,
    topic: topicNameSchema,
    partitions: z.array(z.number().int().min(0)).max(10_000).nullable().default(null),
    filter: filterSchema.nullable().default(null),
    decoders: topicDecodersSchema.default(DEFAULT_DECODERS),
    isolation: isolationSchema.optional(),
    showControl: z.boolean().optional(),
  })
  .strict();
export const tailInfoSchema = z.object({ tailId: z.string(), partitions: z.array(z.number().int()) });

export const tailEventSchema = z.object({
  tailId: z.string(),
  records: z.array(recordViewSchema),
  // Records the tail read but did not send because they did not match the filter.
  skipped: z.number(),
  // Records retention or DeleteRecords removed before the tail could read them (while paused).
  missed: z.number(),
  // Batches the tail went past because they cannot be read.
  unreadable: z.array(unreadableBatchSchema).optional(),
  // Error that stopped the tail, if any.
  error: z.string().optional(),
  state: z.enum(['running', 'paused', 'stopped']),
});
export type TailEvent = z.infer<typeof tailEventSchema>;

export const messageSettingsSchema = z.object({ decoders: topicDecodersSchema });

// ---------------------------------------------------------------------------------------------------
// Saved queries: a browser query kept under a name, per connection and topic (in the main process)

/** Saved queries a topic keeps at most. */
export const MAX_SAVED_QUERIES = 100;

/** No C0 control character and no DEL (names are shown on one line). */
function hasNoControlCharacters(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}

export const savedQueryNameSchema = z
  .string()
  .trim()
  .min(1, 'Name the query.')
  .max(100, 'A query name can be at most 100 characters.')
  .refine(hasNoControlCharacters, 'A query name cannot hold control characters.');

// Everything the browser's form holds: where to start, bounds, filter, decoders, isolation, order.
export const savedQuerySchema = z
  .object({
    name: savedQueryNameSchema,
    // null: every partition.
    partition: z.number().int().min(0).max(9_999).nullable(),
    seek: seekSchema,
    count: z.number().int().min(1).max(MAX_PAGE_RECORDS),
    maxBytes: limitSchema.shape.maxBytes.unwrap().nullable(),
    endTimestamp: z.number().int().min(0).nullable(),
    filter: filterSchema.nullable(),
    decoders: topicDecodersSchema,
    isolation: isolationSchema,
    showControl: z.boolean(),
    newestFirst: z.boolean(),
  })
  .strict();
export type SavedQuery = z.infer<typeof savedQuerySchema>;

export const savedQueryRequestSchema = z
  .object({
    connectionId: connectionIdSchema,
    topic: topicNameSchema,
    query: savedQuerySchema,
    // A query of the same name is replaced only when asked; otherwise saving it is a conflict.
    replace: z.boolean().default(false),
  })
  .strict();
export const renameSavedQuerySchema = z
  .object({ connectionId: connectionIdSchema, topic: topicNameSchema, name: savedQueryNameSchema, newName: savedQueryNameSchema })
  .strict();
export const deleteSavedQuerySchema = z.object({ connectionId: connectionIdSchema, topic: topicNameSchema, name: savedQueryNameSchema }).strict();
