// @platformatic/kafka names a response's error code from its own table (protocolErrorsCodesById, then
// protocolErrors), which in 2.12.1 ends at 127 (VOTER_NOT_FOUND). A code it lacks (128
// INVALID_REGULAR_EXPRESSION and 129 REBOOTSTRAP_REQUIRED from Kafka 4.0, 130-133 from 4.1, or whatever a
// newer release adds) makes its ProtocolError constructor throw a TypeError ("Cannot destructure property
// 'id' of ... as it is undefined") while it builds the error, and that TypeError reaches the caller in
// place of the Kafka error: the app could only say "Something went wrong". 2.12.1 is the newest release
// (npm view @platformatic/kafka versions), so the app completes the table once, before any client runs:
// every code the generated error-codes.ts knows (Kafka's own names, messages and retriability), and for
// a code neither knows, UNKNOWN_ERROR_<code>, so the error still names the code instead of throwing.
import { protocolErrors, protocolErrorsCodesById, type ProtocolErrorDefinition } from '@platformatic/kafka';
import { errorInfo } from '../../kafka/protocol/error-codes';

const UNKNOWN = /^UNKNOWN_ERROR_(-?\d+)$/;
let taught = false;

/** The error codes the client library lacks (2.12.1: 128 and above). */
export function codesUnknownToClient(): number[] {
  return [...errorInfo.keys()].filter((code) => !Object.hasOwn(protocolErrorsCodesById, code));
}

/** Completes the client library's error table (idempotent); the app core calls it before it makes clients. */
export function teachClientErrorCodes(): void {
  if (taught) return;
  taught = true;
  for (const code of codesUnknownToClient()) {
    const info = errorInfo.get(code)!;
    protocolErrorsCodesById[code] = info.name;
    protocolErrors[info.name] ??= { id: info.name, code, canRetry: info.retriable, message: info.message ?? info.name };
  }
  // Codes newer than the generated table: looked up through the tables' prototypes, so the library's own
  // entries (and Object.prototype's members) are found first and nothing is listed as an own key.
  Object.setPrototypeOf(
    protocolErrorsCodesById,
    new Proxy(
      {},
      {
        get: (target, key, receiver): unknown => (typeof key === 'string' && /^-?\d+$/.test(key) ? `UNKNOWN_ERROR_${key}` : Reflect.get(target, key, receiver)),
      },
    ),
  );
  Object.setPrototypeOf(
    protocolErrors,
    new Proxy(
      {},
      {
        get: (target, key, receiver): unknown => {
          const code = typeof key === 'string' ? UNKNOWN.exec(key)?.[1] : undefined;
          if (code === undefined) return Reflect.get(target, key, receiver);
          const unknown: ProtocolErrorDefinition = {
            id: key as string,
            code: Number(code),
            canRetry: false,
            message: `The broker answered with error code ${code}, which Kafka Desk does not know (a Kafka release newer than 4.1?).`,
          };
          return unknown;
        },
      },
    ),
  );
}
