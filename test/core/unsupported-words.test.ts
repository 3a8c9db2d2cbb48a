// What the app says when the cluster lacks an API or the runtime lacks a codec (issue #16): the client
// library's own error classes, as the services meet them, turned into words naming the release needed.
import { UnsupportedApiError, UnsupportedCompressionError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { toIpcError } from '../../electron/core/errors';
import { silentLogger } from '../../electron/core/logger';
import { UnsupportedApiError as WireUnsupportedApiError } from '../../electron/services/cluster/wire';

const quiet = silentLogger;

describe('words for what a cluster or runtime lacks', () => {
  it('names the action and the first release with the API, for the library and the wire helper alike', () => {
    expect(toIpcError(new UnsupportedApiError('Unsupported API OffsetDelete.'), quiet)).toEqual({
      kind: 'kafka',
      message: "Deleting a group's offsets for one topic needs Kafka 2.4 or later (the OffsetDelete API), and this cluster does not offer it.",
    });
    expect(toIpcError(new Error('Deleting the group failed', { cause: new UnsupportedApiError('Unsupported API DeleteGroups.') }), quiet).message).toBe(
      'Deleting a consumer group needs Kafka 1.1 or later (the DeleteGroups API), and this cluster does not offer it.',
    );
    expect(toIpcError(new WireUnsupportedApiError('DescribeLogDirs'), quiet).message).toBe(
      "Reading the brokers' log directories (replica sizes) needs Kafka 1.0 or later (the DescribeLogDirs API), and this cluster does not offer it.",
    );
    // The Reassignments and Users screens' APIs have their words too, not "This request (…)".
    expect(toIpcError(new WireUnsupportedApiError('ListPartitionReassignments'), quiet).message).toBe(
      'Listing partition moves (reassignments) under way needs Kafka 2.4 or later (the ListPartitionReassignments API), and this cluster does not offer it.',
    );
    expect(toIpcError(new UnsupportedApiError('Unsupported API DescribeUserScramCredentials.'), quiet).message).toBe(
      'Listing SCRAM users needs Kafka 2.7 or later (the DescribeUserScramCredentials API), and this cluster does not offer it.',
    );
  });

  it('says a codec the runtime lacks is the runtime\'s, never "something went wrong"', () => {
    const error = toIpcError(
      new Error('Producing failed', { cause: new UnsupportedCompressionError('zstd is not supported in the current Node.js version') }),
      quiet,
    );
    expect(error.kind).toBe('invalid-request');
    expect(error.message).toBe(
      `Kafka Desk cannot use this compression on the runtime it runs on (Node.js ${process.versions.node}): zstd is not supported in the current Node.js version. Choose another codec.`,
    );
  });
});
