import { RE2JS } from 're2js';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ListTransactions } from '../../kafka/protocol/generated/index';
import { TRANSACTION_STATE_NAMES } from '../transactions/coordinator';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnTransactionalId } from '../security/request-authorization';

const KNOWN_STATES = new Set<string>(TRANSACTION_STATE_NAMES);

/**
 * ListTransactions (KIP-664; v1 adds the duration filter of KIP-994, v2 the transactional id pattern of
 * KIP-1152): the transactional ids this broker coordinates, with their producer id and state, filtered
 * by state, producer id, how long they have been open and whether the whole id matches the pattern (an
 * RE2 regular expression, as Kafka's RE2/J; null or empty matches all; an invalid one is answered with
 * INVALID_REGULAR_EXPRESSION). Admin clients send it to every broker. Filter states Kafka does not know
 * are answered in unknownStateFilters (and match nothing); ids the principal may not DESCRIBE are left out.
 */
export const listTransactionsHandler = defineHandler({
  api: ListTransactions,
  minVersion: 0,
  maxVersion: 2,
  handle: (request, context) => {
    const unknownStateFilters = request.stateFilters.filter((state) => !KNOWN_STATES.has(state));
    const states = request.stateFilters.filter((state) => KNOWN_STATES.has(state));
    let pattern: RE2JS | null = null;
    if (request.transactionalIdPattern) {
      try {
        pattern = RE2JS.compile(request.transactionalIdPattern);
      } catch {
        return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, unknownStateFilters, transactionStates: [] };
      }
    }
    // Only unknown states asked for: nothing can match them (as Kafka's TransactionStateManager).
    const listed =
      request.stateFilters.length > 0 && states.length === 0
        ? []
        : context.broker.transactions.listTransactions({
            states,
            producerIds: request.producerIdFilters.map(Number),
            durationMs: Number(request.durationFilter),
          });
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      unknownStateFilters,
      transactionStates: listed
        .filter((txn) => pattern === null || pattern.matches(txn.transactionalId))
        .filter((txn) => authorizedOnTransactionalId(context, AclOperation.DESCRIBE, txn.transactionalId))
        .map((txn) => ({ transactionalId: txn.transactionalId, producerId: BigInt(txn.producerId), transactionState: txn.state })),
    };
  },
});
