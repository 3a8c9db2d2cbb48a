// The client library (@platformatic/kafka 2.12.1) knows error codes up to 127: a response carrying a newer
// one made it throw a TypeError instead of the Kafka error. The app completes its table before it makes
// any client (electron/services/connections/client-error-codes.ts); here a real request to the embedded
// cluster playing Kafka 4.1 gets code 128 back and the app names it.
import { listTransactionsV2, ProtocolError, protocolErrors, protocolErrorsCodesById } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_CONNECTION_ID } from '../../shared/model/schemas';
import { toIpcError } from '../../electron/core/errors';
import { codesUnknownToClient, teachClientErrorCodes } from '../../electron/services/connections/client-error-codes';
import { bootstrapConnection } from '../../electron/services/cluster/wire';
import { errorInfo } from '../../electron/kafka/protocol/error-codes';
import { createLogger } from '../../electron/core/logger';
import { startCore, type TestCore } from './helpers';

const quiet = createLogger({ level: 'silent' });

// Before the app core starts (this file's own copy of the library: vitest loads modules per file).
const unknownBefore = codesUnknownToClient();
let typeErrorBefore: unknown = null;
try {
  new ProtocolError(128);
} catch (error) {
  typeErrorBefore = error;
}

let app: TestCore;
beforeAll(async () => {
  app = await startCore({ brokers: 1, embedded: { kafkaVersion: '4.1' } });
});
afterAll(async () => {
  await app?.close();
});

describe("error codes the client library does not know (Kafka 4.0's 128-129, 4.1's 130-133)", () => {
  it('made the library throw a TypeError before the app completed its table', () => {
    // If a newer @platformatic/kafka knows them, this fails: client-error-codes.ts can then go.
    expect(unknownBefore).toEqual([128, 129, 130, 131, 132, 133]);
    expect(typeErrorBefore).toBeInstanceOf(TypeError);
  });

  it('names INVALID_REGULAR_EXPRESSION from a real ListTransactions v2 answer, in words, with its Kafka code', async () => {
    expect(codesUnknownToClient()).toEqual([]);
    const admin = await app.core.connections.admin(EMBEDDED_CONNECTION_ID);
    const connection = await bootstrapConnection(admin);
    const error = await listTransactionsV2.api.async(connection, [], [], -1n, '(unclosed').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).not.toBeInstanceOf(TypeError);
    const protocolError = (error as { errors?: Array<{ apiId?: string; apiCode?: number }> }).errors?.[0];
    expect(protocolError).toMatchObject({ apiId: 'INVALID_REGULAR_EXPRESSION', apiCode: 128 });
    const ipc = toIpcError(error, quiet);
    expect(ipc).toEqual({
      kind: 'invalid-request',
      message: 'The cluster rejected the regular expression (INVALID_REGULAR_EXPRESSION): it is not a valid RE2 expression.',
      kafkaCode: 'INVALID_REGULAR_EXPRESSION',
    });
    // A valid pattern still lists.
    const listed = await listTransactionsV2.api.async(connection, [], [], -1n, 'none-.*');
    expect(listed.errorCode).toBe(0);
  });

  it("gives every newer code Kafka's name, message and retriability, and names codes nobody knows instead of throwing", () => {
    teachClientErrorCodes(); // a second call changes nothing
    for (const code of [129, 130, 131, 132, 133]) {
      const info = errorInfo.get(code)!;
      const error = new ProtocolError(code, 'detail from the broker');
      expect(error).toMatchObject({
        apiId: info.name,
        apiCode: code,
        canRetry: info.retriable,
        message: info.message,
        serverErrorMessage: 'detail from the broker',
      });
    }
    expect(toIpcError(new ProtocolError(129), quiet)).toMatchObject({ kind: 'unavailable', kafkaCode: 'REBOOTSTRAP_REQUIRED' });
    expect(toIpcError(new ProtocolError(133), quiet)).toEqual({
      kind: 'kafka',
      message: 'The limit of share sessions has been reached.',
      kafkaCode: 'SHARE_SESSION_LIMIT_REACHED',
    });
    const future = new ProtocolError(4242);
    expect(future).toMatchObject({ apiId: 'UNKNOWN_ERROR_4242', apiCode: 4242, canRetry: false });
    expect(toIpcError(future, quiet)).toEqual({
      kind: 'kafka',
      message: 'The broker answered with error code 4242, which Kafka Desk does not know (a Kafka release newer than 4.1?).',
      kafkaCode: 'UNKNOWN_ERROR_4242',
    });
    // The library's own entries are untouched, and the fallback adds no own keys.
    expect(new ProtocolError(3)).toMatchObject({ apiId: 'UNKNOWN_TOPIC_OR_PARTITION', canRetry: true });
    expect(Object.keys(protocolErrorsCodesById)).not.toContain('4242');
    expect(Object.keys(protocolErrors)).toContain('REBOOTSTRAP_REQUIRED');
    expect(Object.keys(protocolErrors)).not.toContain('UNKNOWN_ERROR_4242');
  });
});
