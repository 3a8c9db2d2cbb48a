/**
 * Records: RecordBatch v2 (record-batch.ts, header-only operations in batch-header.ts), legacy message
 * sets v0/v1 (message-set.ts), conversion between them (convert.ts) and the compression codecs
 * (compression.ts). Await {@link initCompression} once at startup so zstd is loaded.
 */
export * from './batch-header';
export * from './compression';
export * from './convert';
export * from './errors';
export * from './message-set';
export * from './record-batch';
export * from './record-walk';
