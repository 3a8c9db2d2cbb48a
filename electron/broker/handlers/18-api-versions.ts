import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ApiVersions } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';

/**
 * ApiVersions, answered from the handler registry's list, so the advertised versions are always the
 * implemented ones. (An unsupported ApiVersions version is answered by the registry itself.)
 */
export const apiVersionsHandler = defineHandler({
  api: ApiVersions,
  minVersion: 0,
  maxVersion: 4,
  handle: (_request, context) => ({
    errorCode: ErrorCode.NONE,
    apiKeys: context.supportedApis,
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  }),
});
