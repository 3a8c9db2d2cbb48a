import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ExpireDelegationToken, type ExpireDelegationTokenResponse } from '../../kafka/protocol/generated/index';
import { tokenRequestRefusal } from '../security/token-requests';
import { defineHandler } from './handler';

/**
 * ExpireDelegationToken (KIP-48): a negative period expires the token at once (it authenticates no one
 * from then on), otherwise its expiry becomes now + the period, never past its max lifetime. Same
 * checks as renewal: owner or renewer, known HMAC, not expired.
 */
export const expireDelegationTokenHandler = defineHandler({
  api: ExpireDelegationToken,
  minVersion: 0,
  maxVersion: 2,
  handle: (request, context): ExpireDelegationTokenResponse => {
    const refusal = tokenRequestRefusal(context);
    if (refusal) return { errorCode: refusal.errorCode, expiryTimestampMs: -1n, throttleTimeMs: 0 };
    const expired = context.broker.controller.batch(() =>
      context.broker.controller.delegationTokens.expire(request.hmac, context.connection.principal, Number(request.expiryTimePeriodMs)),
    );
    if ('error' in expired) return { errorCode: ErrorCode[expired.error], expiryTimestampMs: -1n, throttleTimeMs: 0 };
    return { errorCode: ErrorCode.NONE, expiryTimestampMs: BigInt(expired.expiryTimestamp), throttleTimeMs: 0 };
  },
});
