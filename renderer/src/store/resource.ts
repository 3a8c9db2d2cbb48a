import type { IpcError, IpcResult } from '../../../shared/ipc/contract';

/** Something fetched from the main process, with the four states a screen renders. */
export type Resource<T> =
  | { status: 'idle'; data: null; error: null }
  | { status: 'loading'; data: T | null; error: null }
  | { status: 'ready'; data: T; error: null }
  | { status: 'error'; data: T | null; error: IpcError };

export const idle = <T>(): Resource<T> => ({ status: 'idle', data: null, error: null });
export const loading = <T>(previous: Resource<T>): Resource<T> => ({ status: 'loading', data: previous.data, error: null });
export const settle = <T>(previous: Resource<T>, result: IpcResult<T>): Resource<T> =>
  result.ok ? { status: 'ready', data: result.value, error: null } : { status: 'error', data: previous.data, error: result.error };
