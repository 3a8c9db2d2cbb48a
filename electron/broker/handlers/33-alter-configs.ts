import { ErrorCode } from '../../kafka/protocol/error-codes';
import { AlterConfigs } from '../../kafka/protocol/generated/index';
import { alterResourceConfigs, duplicateNames } from './config-resources';
import { defineHandler } from './handler';
import { AclOperation, configResourceRefusal } from '../security/request-authorization';

/**
 * AlterConfigs (the legacy, non-incremental form): the given configs replace the resource's whole set
 * of overrides; a config left out (or given a null value) goes back to its default. Topics go through
 * the controller's topic-config validation, brokers through the dynamic broker configs only.
 */
export const alterConfigsHandler = defineHandler({
  api: AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  handle: (request, context) => ({
    throttleTimeMs: 0,
    responses: request.resources.map((resource) => {
      const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
      const repeated = duplicateNames(resource.configs.map((c) => c.name));
      if (repeated.length > 0) {
        return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Config ${repeated.join(', ')} is given more than once.` };
      }
      const refused = configResourceRefusal(context, AclOperation.ALTER_CONFIGS, resource.resourceType, resource.resourceName);
      if (refused) return { ...base, ...refused };
      const error = alterResourceConfigs(context.broker, resource.resourceType, resource.resourceName, request.validateOnly, () => {
        const configs: Record<string, string> = {};
        for (const { name, value } of resource.configs) if (value !== null) configs[name] = value;
        return configs;
      });
      return { ...base, errorCode: error?.errorCode ?? ErrorCode.NONE, errorMessage: error?.errorMessage ?? null };
    }),
  }),
});
