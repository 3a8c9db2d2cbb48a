import { ErrorCode } from '../../kafka/protocol/error-codes';
import { IncrementalAlterConfigs, type IncrementalAlterConfigsRequestAlterableConfig } from '../../kafka/protocol/generated/index';
import { alterResourceConfigs, duplicateNames, type AlterableResource, type ResourceError } from './config-resources';
import { defineHandler } from './handler';
import { AclOperation, configResourceRefusal } from '../security/request-authorization';

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

const invalid = (errorCode: number, errorMessage: string): ResourceError => ({ errorCode, errorMessage });
const items = (list: string | null | undefined): string[] =>
  (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** The overrides after applying each operation in turn (APPEND/SUBTRACT start from the default when unset). */
function apply(ops: readonly IncrementalAlterConfigsRequestAlterableConfig[], { current, def }: AlterableResource): Record<string, string> | ResourceError {
  const configs: Record<string, string> = { ...current };
  for (const op of ops) {
    const d = def(op.name);
    if (op.configOperation === DELETE) {
      delete configs[op.name];
      continue;
    }
    if (op.configOperation !== SET && op.configOperation !== APPEND && op.configOperation !== SUBTRACT) {
      return invalid(ErrorCode.INVALID_REQUEST, `Unknown operation ${op.configOperation} on ${op.name} (0 = set, 1 = delete, 2 = append, 3 = subtract).`);
    }
    if (op.value === null) return invalid(ErrorCode.INVALID_CONFIG, `Config ${op.name} needs a value for this operation.`);
    if (op.configOperation === SET) {
      configs[op.name] = op.value;
      continue;
    }
    if (!d) return invalid(ErrorCode.INVALID_CONFIG, `Unknown config name: ${op.name}`);
    if (d.type !== 'list') {
      return invalid(
        ErrorCode.INVALID_CONFIG,
        `${op.configOperation === APPEND ? 'Append' : 'Subtract'} works on list configs only; ${op.name} is of type ${d.type}.`,
      );
    }
    const old = items(configs[op.name] ?? d.default);
    const given = items(op.value);
    const updated = op.configOperation === APPEND ? [...old, ...given.filter((v) => !old.includes(v))] : old.filter((v) => !given.includes(v));
    configs[op.name] = updated.join(',');
  }
  return configs;
}

/**
 * IncrementalAlterConfigs: set, delete, append to or subtract from single configs of a topic or a
 * broker, keeping the other overrides; append and subtract only on list configs (cleanup.policy, ...).
 */
export const incrementalAlterConfigsHandler = defineHandler({
  api: IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
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
      const error = alterResourceConfigs(context.broker, resource.resourceType, resource.resourceName, request.validateOnly, (r) => apply(resource.configs, r));
      return { ...base, errorCode: error?.errorCode ?? ErrorCode.NONE, errorMessage: error?.errorMessage ?? null };
    }),
  }),
});
