import { ErrorCode } from '../../kafka/protocol/error-codes';
import { RenewDelegationToken, type RenewDelegationTokenResponse } from '../../kafka/protocol/generated/index';
import { tokenRequestRefusal } from '../security/token-requests';
import { defineHandler } from './handler';

/**
 * RenewDelegationToken (KIP-48): moves a token's expiry to now + the renew period (the default expiry
 * time when negative), never past its max lifetime. Only its owner or a renewer may
 * (DELEGATION_TOKEN_OWNER_MISMATCH); an unknown HMAC is DELEGATION_TOKEN_NOT_FOUND, an expired token
 * DELEGATION_TOKEN_EXPIRED.
 */
export const renewDelegationTokenHandler = defineHandler({
  api: RenewDelegationToken,
  minVersion: 0,
  maxVersion: 2,
  handle: (request, context): RenewDelegationTokenResponse => {
    const refusal = tokenRequestRefusal(context);
    if (refusal) return { errorCode: refusal.errorCode, expiryTimestampMs: -1n, throttleTimeMs: 0 };
    const renewed = context.broker.controller.batch(() =>
      context.broker.controller.delegationTokens.renew(request.hmac, context.connection.principal, Number(request.renewPeriodMs)),
    );
    if ('error' in renewed) return { errorCode: ErrorCode[renewed.error], expiryTimestampMs: -1n, throttleTimeMs: 0 };
    return { errorCode: ErrorCode.NONE, expiryTimestampMs: BigInt(renewed.expiryTimestamp), throttleTimeMs: 0 };
  },
});
