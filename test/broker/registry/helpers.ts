/**
 * An embedded cluster with its schema registry on free ports and a temporary data dir, and small
 * HTTP helpers speaking the registry's content type.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from '../../../electron/broker/registry';
import { createLogger } from '../../../electron/broker/server/logger';

export interface RegistryCluster {
  cluster: EmbeddedCluster;
  registry: EmbeddedSchemaRegistry;
  url: string;
  dataDir: string;
  errors: string[];
  /** Stops the registry and the cluster; the data dir stays unless `remove`. */
  close(remove?: boolean): Promise<void>;
}

export async function startRegistryCluster(
  options: { brokers?: number; dataDir?: string; config?: Record<string, string>; writeTimeoutMs?: number } = {},
): Promise<RegistryCluster> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'kd-registry-'));
  const errors: string[] = [];
  const logger = createLogger({ level: 'error', write: (line) => errors.push(line) });
  const cluster = await EmbeddedCluster.start({
    brokers: options.brokers ?? 1,
    basePort: 0,
    dataDir,
    logger,
    config: { 'group.initial.rebalance.delay.ms': '0', ...options.config },
  });
  let registry: EmbeddedSchemaRegistry;
  try {
    registry = await startEmbeddedSchemaRegistry(cluster, { port: 0, writeTimeoutMs: options.writeTimeoutMs });
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return {
    cluster,
    registry,
    url: registry.url,
    dataDir,
    errors,
    async close(remove = true) {
      await registry.close();
      await cluster.close();
      if (remove) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface Answer {
  status: number;
  contentType: string | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked with expect
  body: any;
  text: string;
}

export async function call(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'Content-Type': CONTENT_TYPE, Accept: CONTENT_TYPE, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Raw schema endpoints answer with the schema text.
  }
  return { status: response.status, contentType: response.headers.get('content-type'), body: parsed, text };
}

export const avroRecord = (name: string, fields: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'record', name, ...extra, fields });
