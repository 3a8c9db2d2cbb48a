// Registers every channel of the contract exactly once. Each call is validated against the channel's
// request schema before its handler runs, and every outcome comes back as an IpcResult: the value
// (checked against the response schema) or a typed error, never a raw exception.
import { contract, isChannel, type Channel, type IpcResult, type ParsedRequestOf, type ResponseOf } from '../../shared/ipc/contract';
import { toIpcError, zodIssues } from '../core/errors';
import { appLogger, type Logger } from '../core/logger';

export type Handlers = {
  [C in Channel]: (request: ParsedRequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
};

export type Dispatch = (channel: unknown, request: unknown) => Promise<IpcResult<unknown>>;

export function createDispatcher(handlers: Handlers, logger: Logger = appLogger): Dispatch {
  return async (channel, request) => {
    if (!isChannel(channel)) {
      return { ok: false, error: { kind: 'invalid-request', message: `Unknown channel: ${String(channel)}.` } };
    }
    return invokeChannel(channel, handlers, request, logger);
  };
}

async function invokeChannel<C extends Channel>(channel: C, handlers: Handlers, rawRequest: unknown, logger: Logger): Promise<IpcResult<ResponseOf<C>>> {
  const parsed = contract[channel].request.safeParse(rawRequest ?? {});
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    return {
      ok: false,
      error: { kind: 'invalid-request', message: issues.map((issue) => issue.message).join(' '), issues },
    };
  }
  try {
    const handler = handlers[channel] as (request: ParsedRequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
    const value = await handler(parsed.data as ParsedRequestOf<C>);
    // A response that breaks its own schema is a bug in the main process, not the caller's fault.
    const checked = contract[channel].response.safeParse(value);
    if (!checked.success) {
      logger.error(`Response of ${channel} does not match the contract`, { error: checked.error });
      return { ok: false, error: { kind: 'internal', message: `Kafka Desk produced an invalid answer for ${channel}.` } };
    }
    return { ok: true, value: checked.data as ResponseOf<C> };
  } catch (error) {
    return { ok: false, error: toIpcError(error, logger, { channel }) };
  }
}
