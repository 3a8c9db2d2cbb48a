// `npm run web`: the main-process core in Node, the renderer served to a browser on 127.0.0.1.
//
//   --port <n>          HTTP port (default 5180; 0 picks a free one)
//   --data-dir <dir>    settings, saved connections, embedded cluster data (default ./.kafka-desk-data)
//   --brokers <n>       embedded cluster size for this run
//   --base-port <n>     first embedded broker port for this run
//   --no-embedded       do not start the embedded cluster
//   --schema-registry-port <n>  the embedded schema registry's port for this run (0 picks a free one)
//   --kafka-version <x> the Kafka release the embedded cluster plays in this run (0.11 to 4.1)
//   --renderer <dir>    the built renderer (default out/renderer)
import '../core/runtime-guard'; // first: a plain message on a Node too old, before anything else loads
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createAppCore } from '../core/app-core';
import { MemorySecretStore } from '../services/secrets/service';
import type { EmbeddedSettings } from '../../shared/model/schemas';
import { startWebServer } from './server';
import { KAFKA_RELEASE_IDS, parseKafkaReleaseId } from '../kafka/releases';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function fail(message: string): never {
  console.error(`kafka-desk web: ${message}`);
  process.exit(2);
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) fail(`${name} must be a whole number, got "${value}".`);
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      brokers: { type: 'string' },
      'base-port': { type: 'string' },
      'no-embedded': { type: 'boolean' },
      'schema-registry-port': { type: 'string' },
      'kafka-version': { type: 'string' },
      renderer: { type: 'string' },
    },
    strict: true,
  });
  const rendererDir = path.resolve(values.renderer ?? path.join(root, 'out/renderer'));
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    fail(`the renderer is not built (${rendererDir}/index.html is missing). Run "npm run build:renderer" first.`);
  }
  const override: Partial<EmbeddedSettings> = {};
  const brokers = integer(values.brokers, '--brokers');
  const basePort = integer(values['base-port'], '--base-port');
  if (brokers !== undefined) override.brokers = brokers;
  if (basePort !== undefined) override.basePort = basePort;
  if (values['no-embedded']) override.enabled = false;
  const registryPort = integer(values['schema-registry-port'], '--schema-registry-port');
  if (registryPort !== undefined) override.schemaRegistryPort = registryPort;
  if (values['kafka-version'] !== undefined) {
    const release = parseKafkaReleaseId(values['kafka-version']);
    if (!release)
      fail(
        `--kafka-version must be a Kafka release from ${KAFKA_RELEASE_IDS[0]} to ${KAFKA_RELEASE_IDS.at(-1)} (${KAFKA_RELEASE_IDS.join(', ')}), got "${values['kafka-version']}".`,
      );
    override.kafkaVersion = release;
  }

  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const core = await createAppCore({
    mode: 'web',
    version,
    dataDir: path.resolve(values['data-dir'] ?? '.kafka-desk-data'),
    secrets: new MemorySecretStore(),
    embeddedOverride: override,
  });
  const status = core.embedded.status();
  if (status.state === 'running')
    console.log(`Embedded cluster: ${status.bootstrapServers}${status.config.kafkaVersion ? ` (playing Kafka ${status.config.kafkaVersion})` : ''}`);
  if (status.schemaRegistryUrl) console.log(`Embedded schema registry: ${status.schemaRegistryUrl}`);
  else if (status.schemaRegistryError) console.log(`Embedded schema registry: ${status.schemaRegistryError}`);
  else if (status.message) console.log(`Embedded cluster: ${status.message}`);

  const port = integer(values.port, '--port') ?? 5180;
  const server = await startWebServer({ rendererDir, dispatch: core.dispatch, hub: core.hub, port, downloads: (id) => core.messages.download(id) }).catch(
    async (error: unknown) => {
      await core.close();
      if ((error as { code?: string }).code === 'EADDRINUSE') fail(`port ${port} is in use; choose another with --port <n> (0 picks a free one).`);
      throw error;
    },
  );
  console.log(`Kafka Desk (web mode) is ready. Open ${server.url}`);
  console.log('The address includes a token for this run only; connections without it are refused.');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`Stopping (${signal})...`);
    await server.close();
    await core.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('kafka-desk web: could not start:', error);
  process.exit(1);
});
