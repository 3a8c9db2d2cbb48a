import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DescribeUserScramCredentials, type DescribeUserScramCredentialsResponse } from '../../kafka/protocol/generated/index';
import { AclOperation } from '../../kafka/protocol/acl-codes';
import { authorizedOnCluster } from '../security/request-authorization';
import { SCRAM_MECHANISM_CODES } from '../security/scram';
import { defineHandler } from './handler';

/**
 * DescribeUserScramCredentials (KIP-554): each user's SCRAM mechanisms and iterations, never a key.
 * All users when the list is null or empty. Needs DESCRIBE on the cluster.
 */
export const describeUserScramCredentialsHandler = defineHandler({
  api: DescribeUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context): DescribeUserScramCredentialsResponse => {
    if (!authorizedOnCluster(context, AclOperation.DESCRIBE)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: 'DescribeUserScramCredentials needs DESCRIBE on the cluster',
        results: [],
      };
    }
    const users = new Map(context.broker.controller.security.scramUsers().map((u) => [u.user, u.credentials]));
    const describe = (user: string, credentials: ReadonlyArray<{ mechanism: keyof typeof SCRAM_MECHANISM_CODES; iterations: number }>) => ({
      user,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      credentialInfos: credentials.map((c) => ({ mechanism: SCRAM_MECHANISM_CODES[c.mechanism], iterations: c.iterations })),
    });
    if (request.users === null || request.users.length === 0) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        results: [...users].map(([user, credentials]) => describe(user, credentials)),
      };
    }
    const counts = new Map<string, number>();
    for (const { name } of request.users) counts.set(name, (counts.get(name) ?? 0) + 1);
    const results = [...counts].map(([user, count]) => {
      if (count > 1)
        return {
          user,
          errorCode: ErrorCode.DUPLICATE_RESOURCE,
          errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`,
          credentialInfos: [],
        };
      const credentials = users.get(user);
      if (!credentials)
        return {
          user,
          errorCode: ErrorCode.RESOURCE_NOT_FOUND,
          errorMessage: `Attempt to describe a user credential that does not exist: ${user}`,
          credentialInfos: [],
        };
      return describe(user, credentials);
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
  },
});
