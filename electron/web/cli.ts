// `npm run web`: the main-process core in Node, the renderer served to a browser on 127.0.0.1.
//
//   --port <n>          HTTP port (default 5180; 0 picks a free one)
//   --data-dir <dir>    settings, saved connections, embedded cluster data (default ./.kafka-desk-data)
//   --brokers <n>       embedded cluster size for this run
//   --base-port <n>     first embedded broker port for this run
//   --no-embedded       do not start the embedded cluster
//   --schema-registry-port <n>  the embedded schema registry's port for this run (0 picks a free one)
//   --kafka-version <x> the Kafka release the embedded cluster plays in this run (0.11 to 4.1)
//   --metadata-mode <m> with --kafka-version: zookeeper or kraft brokers of that release (3.3-3.9 had both)
//   --security-protocol <p>  secure the embedded cluster in this run, as `npm run cluster` does:
//                       PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (TLS with its generated CA)
//   --user <name:password>   a SASL user (repeatable); Kafka Desk logs in as the first one
//   --acl               the authorizer on: the first --user is a super user, allow.everyone.if.no.acl.found=false
//                       (the three together replace Settings' embedded security for this run)
//   --renderer <dir>    the built renderer (default out/renderer)
import '../core/runtime-guard'; // first: a plain message on a Node too old, before anything else loads
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createAppCore } from '../core/app-core';
import { MemorySecretStore } from '../services/secrets/service';
import type { EmbeddedOverride } from '../core/app-core';
import { embeddedSecuritySchema, metadataModeProblem, SECURITY_PROTOCOL_CHOICES, type EmbeddedSecurity } from '../../shared/model/schemas';
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

/**
 * The embedded cluster's security from the flags `npm run cluster` takes (--security-protocol,
 * --user name:password, --acl), checked as Settings are; undefined when none is given (Settings hold).
 */
function securityFromFlags(protocol: string | undefined, userFlags: string[], acl: boolean): EmbeddedSecurity | undefined {
  if (protocol === undefined && userFlags.length === 0 && !acl) return undefined;
  if (protocol !== undefined && !(SECURITY_PROTOCOL_CHOICES as readonly string[]).includes(protocol))
    fail(`--security-protocol must be one of ${SECURITY_PROTOCOL_CHOICES.join(', ')}, got "${protocol}".`);
  const users = userFlags.map((flag) => {
    const colon = flag.indexOf(':');
    if (colon <= 0 || colon === flag.length - 1) fail(`--user takes name:password, got "${flag}".`);
    return { name: flag.slice(0, colon), password: flag.slice(colon + 1) };
  });
  const parsed = embeddedSecuritySchema.safeParse({ protocol: protocol ?? 'PLAINTEXT', users, acl });
  if (!parsed.success) {
    const flagOf = (path: PropertyKey[]) => (path[0] === 'acl' ? '--acl' : path[0] === 'users' ? '--user' : '--security-protocol');
    fail(parsed.error.issues.map((issue) => `${flagOf(issue.path)}: ${issue.message}`).join(' '));
  }
  return parsed.data;
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
      'metadata-mode': { type: 'string' },
      'security-protocol': { type: 'string' },
      user: { type: 'string', multiple: true },
      acl: { type: 'boolean' },
      renderer: { type: 'string' },
    },
    strict: true,
  });
  const rendererDir = path.resolve(values.renderer ?? path.join(root, 'out/renderer'));
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    fail(`the renderer is not built (${rendererDir}/index.html is missing). Run "npm run build:renderer" first.`);
  }
  const override: EmbeddedOverride = {};
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
    // The release's default mode unless told: a mode saved for another release may not exist in this one.
    override.metadataMode = null;
  }
  if (values['metadata-mode'] !== undefined) {
    const mode = values['metadata-mode'];
    if (override.kafkaVersion === undefined) fail('--metadata-mode needs --kafka-version: without a release the brokers answer as the newest (KRaft) brokers.');
    if (mode !== 'zookeeper' && mode !== 'kraft') fail(`--metadata-mode must be zookeeper or kraft, got "${mode}".`);
    const problem = metadataModeProblem(override.kafkaVersion, mode);
    if (problem) fail(`--metadata-mode: ${problem}`);
    override.metadataMode = mode;
  }

  const security = securityFromFlags(values['security-protocol'], values.user ?? [], values.acl ?? false);
  if (security) override.security = security;

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
    console.log(
      `Embedded cluster: ${status.bootstrapServers}${status.config.kafkaVersion ? ` (playing Kafka ${status.config.kafkaVersion}${status.config.metadataMode === 'kraft' ? ', KRaft brokers' : ''})` : ''}`,
    );
  if (status.state === 'running' && status.security) {
    // What a client needs to reach the secured cluster, in its own config names.
    const { protocol, caLocation, user, acl } = status.security;
    console.log(
      `Embedded cluster security: security.protocol=${protocol}${caLocation ? ` ssl.ca.location=${caLocation}` : ''}${user ? ` (Kafka Desk logs in as ${user}${acl ? ', a super user; ACLs on' : ''})` : ''}`,
    );
  }
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
