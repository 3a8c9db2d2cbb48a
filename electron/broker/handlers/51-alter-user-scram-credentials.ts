import { ErrorCode } from '../../kafka/protocol/error-codes';
import { AlterUserScramCredentials, type AlterUserScramCredentialsResponse } from '../../kafka/protocol/generated/index';
import { AclOperation } from '../../kafka/protocol/acl-codes';
import { authorizedOnCluster } from '../security/request-authorization';
import { credentialFromSaltedPassword, SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, scramMechanismOfCode } from '../security/scram';
import { defineHandler } from './handler';

type Result = AlterUserScramCredentialsResponse['results'][number];

/**
 * AlterUserScramCredentials (KIP-554): deletions and upsertions of SCRAM credentials, one result per
 * user. The client sends the salted password (never the password); the broker keeps StoredKey and
 * ServerKey derived from it. A user named twice, an unknown mechanism, iterations outside 4096-16384
 * or an empty salt fail that user only, as in Kafka. Needs ALTER on the cluster.
 */
export const alterUserScramCredentialsHandler = defineHandler({
  api: AlterUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context): AlterUserScramCredentialsResponse => {
    const users = [...new Set([...request.deletions.map((d) => d.name), ...request.upsertions.map((u) => u.name)])];
    if (!authorizedOnCluster(context, AclOperation.ALTER)) {
      return {
        throttleTimeMs: 0,
        results: users.map((user) => ({
          user,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: 'AlterUserScramCredentials needs ALTER on the cluster',
        })),
      };
    }
    const security = context.broker.controller.security;
    const failed = new Map<string, Result>();
    const fail = (user: string, errorCode: number, errorMessage: string) => {
      if (!failed.has(user)) failed.set(user, { user, errorCode, errorMessage });
    };
    // Every check first: a user with any invalid alteration gets none applied.
    const seen = new Set<string>();
    for (const alteration of [...request.deletions, ...request.upsertions]) {
      const key = `${alteration.name}\u0000${alteration.mechanism}`;
      if (seen.has(key))
        fail(alteration.name, ErrorCode.DUPLICATE_RESOURCE, `A user credential cannot be altered twice in the same request: ${alteration.name}`);
      seen.add(key);
      if (alteration.name === '') fail(alteration.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
      if (!scramMechanismOfCode(alteration.mechanism))
        fail(alteration.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, `Unknown SCRAM mechanism ${alteration.mechanism}`);
    }
    for (const upsertion of request.upsertions) {
      if (upsertion.iterations < SCRAM_MIN_ITERATIONS || upsertion.iterations > SCRAM_MAX_ITERATIONS) {
        fail(
          upsertion.name,
          ErrorCode.UNACCEPTABLE_CREDENTIAL,
          `Iterations ${upsertion.iterations} not in the range ${SCRAM_MIN_ITERATIONS}..${SCRAM_MAX_ITERATIONS}`,
        );
      }
      if (upsertion.salt.length === 0 || upsertion.saltedPassword.length === 0)
        fail(upsertion.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Salt and salted password must not be empty');
    }
    for (const deletion of request.deletions) {
      const mechanism = scramMechanismOfCode(deletion.mechanism);
      if (mechanism && !security.scramCredential(deletion.name, mechanism)) {
        fail(deletion.name, ErrorCode.RESOURCE_NOT_FOUND, `Attempt to delete a user credential that does not exist: ${deletion.name}`);
      }
    }
    const results = context.broker.controller.batch(() =>
      users.map((user): Result => {
        const failure = failed.get(user);
        if (failure) return failure;
        for (const deletion of request.deletions.filter((d) => d.name === user)) {
          const problem = security.setScramCredential(user, scramMechanismOfCode(deletion.mechanism)!, null);
          if (problem) return { user, errorCode: ErrorCode[problem.error], errorMessage: problem.message };
        }
        for (const upsertion of request.upsertions.filter((u) => u.name === user)) {
          const mechanism = scramMechanismOfCode(upsertion.mechanism)!;
          const problem = security.setScramCredential(
            user,
            mechanism,
            credentialFromSaltedPassword(mechanism, upsertion.saltedPassword, upsertion.salt, upsertion.iterations),
          );
          if (problem) return { user, errorCode: ErrorCode[problem.error], errorMessage: problem.message };
        }
        return { user, errorCode: ErrorCode.NONE, errorMessage: null };
      }),
    );
    return { throttleTimeMs: 0, results };
  },
});
