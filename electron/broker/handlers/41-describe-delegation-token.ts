import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DescribeDelegationToken, type DescribeDelegationTokenResponse } from '../../kafka/protocol/generated/index';
import { AclOperation, ResourceType } from '../../kafka/protocol/acl-codes';
import { authorized } from '../security/request-authorization';
import { principalParts, tokenRequestRefusal } from '../security/token-requests';
import { defineHandler } from './handler';

/**
 * DescribeDelegationToken (KIP-48; the requester from v3, KIP-373): the unexpired tokens of the owners
 * asked for (all when the list is null, none when it is empty) that the requester may see: its own, those
 * it renews or asked for, and those it has DESCRIBE on (DELEGATION_TOKEN resource) or DESCRIBE_TOKENS on
 * their owner (USER resource). HMACs included, as Kafka answers.
 */
export const describeDelegationTokenHandler = defineHandler({
  api: DescribeDelegationToken,
  minVersion: 0,
  maxVersion: 3,
  handle: (request, context): DescribeDelegationTokenResponse => {
    const refusal = tokenRequestRefusal(context);
    if (refusal) return { errorCode: refusal.errorCode, tokens: [], throttleTimeMs: 0 };
    const tokens = context.broker.controller.delegationTokens;
    if (!tokens.enabled) return { errorCode: ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED, tokens: [], throttleTimeMs: 0 };
    const requester = context.connection.principal;
    const owners = request.owners === null ? null : new Set(request.owners.map((o) => `${o.principalType}:${o.principalName}`));
    const visible = tokens
      .tokens()
      .filter((t) => owners === null || owners.has(t.owner))
      .filter(
        (t) =>
          t.owner === requester ||
          t.requester === requester ||
          t.renewers.includes(requester) ||
          authorized(context, AclOperation.DESCRIBE, ResourceType.DELEGATION_TOKEN, t.tokenId) ||
          authorized(context, AclOperation.DESCRIBE_TOKENS, ResourceType.USER, t.owner),
      );
    return {
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      tokens: visible.map((t) => {
        const requesterParts = principalParts(t.requester);
        return {
          ...principalParts(t.owner),
          tokenRequesterPrincipalType: requesterParts.principalType,
          tokenRequesterPrincipalName: requesterParts.principalName,
          issueTimestamp: BigInt(t.issueTimestamp),
          expiryTimestamp: BigInt(t.expiryTimestamp),
          maxTimestamp: BigInt(t.maxTimestamp),
          tokenId: t.tokenId,
          hmac: tokens.hmacOf(t) ?? Buffer.alloc(0),
          renewers: t.renewers.map(principalParts),
        };
      }),
    };
  },
});
