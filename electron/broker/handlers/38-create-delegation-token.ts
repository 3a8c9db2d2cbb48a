import { ErrorCode } from '../../kafka/protocol/error-codes';
import { CreateDelegationToken, type CreateDelegationTokenResponse } from '../../kafka/protocol/generated/index';
import { AclOperation, ResourceType } from '../../kafka/protocol/acl-codes';
import { authorized } from '../security/request-authorization';
import { principalParts, tokenRequestRefusal } from '../security/token-requests';
import { defineHandler } from './handler';

/**
 * CreateDelegationToken (KIP-48, Kafka 1.1; v3 adds an owner other than the requester, KIP-373): a
 * token that authenticates as its owner over SCRAM (`tokenauth=true`). Refused on listeners without
 * SASL and to token-authenticated clients (DELEGATION_TOKEN_REQUEST_NOT_ALLOWED), without a secret key
 * (DELEGATION_TOKEN_AUTH_DISABLED), for a renewer or owner that is not a User (INVALID_PRINCIPAL_TYPE),
 * and for another owner without CREATE_TOKENS on that user (DELEGATION_TOKEN_AUTHORIZATION_FAILED).
 */
export const createDelegationTokenHandler = defineHandler({
  api: CreateDelegationToken,
  minVersion: 0,
  maxVersion: 3,
  handle: (request, context): CreateDelegationTokenResponse => {
    const requester = context.connection.principal;
    const requesterParts = principalParts(requester);
    const ownerGiven = context.apiVersion >= 3 && request.ownerPrincipalName !== null && request.ownerPrincipalName !== '';
    const owner = ownerGiven ? `${request.ownerPrincipalType ?? 'User'}:${request.ownerPrincipalName}` : requester;
    const answer = (errorCode: number): CreateDelegationTokenResponse => ({
      errorCode,
      ...principalParts(owner),
      tokenRequesterPrincipalType: requesterParts.principalType,
      tokenRequesterPrincipalName: requesterParts.principalName,
      issueTimestampMs: -1n,
      expiryTimestampMs: -1n,
      maxTimestampMs: -1n,
      tokenId: '',
      hmac: Buffer.alloc(0),
      throttleTimeMs: 0,
    });
    const refusal = tokenRequestRefusal(context);
    if (refusal) return answer(refusal.errorCode);
    if (request.renewers.some((r) => r.principalType !== 'User') || (ownerGiven && (request.ownerPrincipalType ?? 'User') !== 'User')) {
      return answer(ErrorCode.INVALID_PRINCIPAL_TYPE);
    }
    if (owner !== requester && !authorized(context, AclOperation.CREATE_TOKENS, ResourceType.USER, owner)) {
      return answer(ErrorCode.DELEGATION_TOKEN_AUTHORIZATION_FAILED);
    }
    const renewers = request.renewers.map((r) => `${r.principalType}:${r.principalName}`);
    const created = context.broker.controller.batch(() =>
      context.broker.controller.delegationTokens.create(owner, requester, renewers, Number(request.maxLifetimeMs)),
    );
    if ('error' in created) return answer(ErrorCode[created.error]);
    const { token, hmac } = created;
    return {
      ...answer(ErrorCode.NONE),
      issueTimestampMs: BigInt(token.issueTimestamp),
      expiryTimestampMs: BigInt(token.expiryTimestamp),
      maxTimestampMs: BigInt(token.maxTimestamp),
      tokenId: token.tokenId,
      hmac,
    };
  },
});
