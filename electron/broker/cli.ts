#!/usr/bin/env node
/**
 * `npm run cluster -- --brokers N --port P --data-dir DIR [--host H] [--config name=value ...] [--schema-registry-port P] [--kafka-version X]`
 *
 * Runs the embedded Kafka cluster without a window. Prints `bootstrap.servers=...` once every listener
 * accepts connections (and `schema.registry.url=...` on the next line when a schema registry port is
 * given, once the registry has loaded `_schemas` and listens; then `kafka.version=X` when playing a
 * release, whose APIs the embedded cluster does not implement are logged; with TLS `ssl.ca.location=<the
 * CA's PEM>`, and `security.protocol=...` on a secured cluster), then reads commands on standard input, one a line: `stop <id>`, `kill <id>`,
 * `start <id>`, `add-broker`, `drain-broker <id>`, `remove-broker <id>`, `status`, `stats`, `client-cert <name>`, `help`. SIGINT and
 * SIGTERM stop every broker cleanly.
 */
import '../core/runtime-guard'; // first: a plain message on a Node too old, before anything else loads
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { EmbeddedCluster, type ClusterEvent } from './cluster/cluster';
import { replicationMetrics } from './cluster/replication-metrics';
import { releaseConfigDefaults } from './cluster/release-defaults';
import { startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from './registry';
import { createLogger, type LogLevel } from './server/logger';
import { RuntimePauses } from './server/runtime-pauses';
import { KAFKA_RELEASE_IDS, parseKafkaReleaseId, playedMetadataMode, type KafkaReleaseId, type MetadataMode } from '../kafka/releases';
import { issueClientCertificate } from './security/certificates';
import { isSecurityProtocol, SECURITY_PROTOCOLS } from './security/security-config';
import { parseUserSpec, type UserSpec } from './security/users';
import { planReassignment } from '../../shared/model/reassignment-plan';

const USAGE = `usage: npm run cluster -- [--brokers N] [--port P] [--data-dir DIR] [--host H] [--config name=value]... [--log-level debug|info|warn|error] [--schema-registry-port P] [--kafka-version X [--metadata-mode zookeeper|kraft]]
                          [--security-protocol PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL] [--user name:password]... [--acl]
  --brokers    number of brokers at the first start (default 3); brokers added or removed since are kept in the data dir
  --port       port of broker 0; broker i listens on port+i (default 9092)
  --data-dir   where logs and metadata live (default ~/.kafka-desk/cluster)
  --host       interface to listen on (default 127.0.0.1)
  --config     a broker config by its Kafka name, e.g. --config num.partitions=6 (repeatable)
  --schema-registry-port  serve a Confluent-compatible schema registry on this port (0: any free port)
  --kafka-version  play an Apache Kafka release: advertise and accept its API versions (${KAFKA_RELEASE_IDS[0]} to ${KAFKA_RELEASE_IDS.at(-1)}, e.g. 2.8 or 3.9.1)
  --metadata-mode  ZooKeeper or KRaft brokers of that release (3.3-3.9 had both; default: ZooKeeper through 3.9, KRaft from 4.0)
  --security-protocol  the listeners' protocol (default PLAINTEXT; same as --config listeners=PROTOCOL://host:port).
               With TLS, a CA and a broker certificate are made in the data dir on first start and
               ssl.ca.location=<CA PEM> is printed after bootstrap.servers; SASL enables PLAIN,
               SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER (unsecured tokens) unless sasl.enabled.mechanisms says otherwise
  --user       a SASL user name:password, given SCRAM credentials (PLAIN checks them too) (repeatable)
  --acl        turn the authorizer on: the first --user is a super user, allow.everyone.if.no.acl.found=false
commands on standard input: stop <id> | kill <id> | start <id> | add-broker | drain-broker <id> | remove-broker <id> | status | stats | client-cert <name> | help`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function integer(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) fail(`--${name} must be a whole number, got '${text}'`);
  return Number(text);
}

function describeEvent(event: ClusterEvent): string {
  switch (event.type) {
    case 'broker':
      return `broker ${event.brokerId} ${event.state}`;
    case 'leader':
      return `leader ${event.topic}-${event.partition} -> ${event.leader === -1 ? 'none (offline)' : event.leader} epoch ${event.leaderEpoch}`;
    case 'isr':
      return `isr ${event.topic}-${event.partition} = [${event.isr.join(',')}]`;
    case 'topic':
      return `topic ${event.topic} ${event.change}`;
    case 'replicas':
      return `replicas ${event.topic}-${event.partition} = [${event.replicas.join(',')}]${event.adding.length + event.removing.length > 0 ? ` adding [${event.adding.join(',')}] removing [${event.removing.join(',')}]` : ''}`;
  }
}

/**
 * Starts moving every replica off a broker (reassignments planned as the app's "drain broker N": each to
 * the least-loaded broker the partition does not use yet). Returns how many partitions move.
 */
function drainBroker(cluster: EmbeddedCluster, brokerId: number): number {
  const partitions = [...cluster.controller.topics()].flatMap((topic) =>
    topic.partitions.map((p) => ({
      topic: topic.name,
      partition: p.partition,
      // The target of an ongoing reassignment, else the assignment.
      replicas: p.replicas.filter((id) => !(p.removingReplicas ?? []).includes(id)),
      sizeBytes: null,
    })),
  );
  const brokers = cluster.brokers().map((b) => b.id);
  const plan = planReassignment(partitions, { kind: 'drain', broker: brokerId, brokers }, brokers);
  if (plan.problems.length > 0) throw new Error(plan.problems.join(' '));
  const results = cluster.controller.batch(() =>
    cluster.controller.alterPartitionReassignments(plan.moves.map((move) => ({ topic: move.topic, partition: move.partition, replicas: move.to }))),
  );
  const failed = results.filter((r) => r.error !== null);
  if (failed.length > 0) throw new Error(failed.map((r) => `${r.topic}-${r.partition}: ${r.message}`).join('; '));
  return plan.moves.length;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        brokers: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        host: { type: 'string' },
        config: { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        'schema-registry-port': { type: 'string' },
        'kafka-version': { type: 'string' },
        'metadata-mode': { type: 'string' },
        'security-protocol': { type: 'string' },
        user: { type: 'string', multiple: true },
        acl: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const brokers = integer('brokers', values.brokers, 3);
  const port = integer('port', values.port, 9092);
  const registryPort = values['schema-registry-port'] === undefined ? null : integer('schema-registry-port', values['schema-registry-port'], 0);
  if (registryPort !== null && registryPort > 65535) fail(`--schema-registry-port must be a TCP port (0-65535), got ${registryPort}`);
  const host = values.host ?? '127.0.0.1';
  const dataDir = resolve(values['data-dir'] ?? join(homedir(), '.kafka-desk', 'cluster'));
  const level = (values['log-level'] ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) fail(`--log-level must be debug, info, warn or error`);
  const config: Record<string, string> = {};
  for (const entry of values.config ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) fail(`--config takes name=value, got '${entry}'`);
    config[entry.slice(0, eq)] = entry.slice(eq + 1);
  }

  let kafkaVersion: KafkaReleaseId | null = null;
  if (values['kafka-version'] !== undefined) {
    kafkaVersion =
      parseKafkaReleaseId(values['kafka-version']) ??
      fail(
        `--kafka-version must be a Kafka release from ${KAFKA_RELEASE_IDS[0]} to ${KAFKA_RELEASE_IDS.at(-1)} (${KAFKA_RELEASE_IDS.join(', ')}), got '${values['kafka-version']}'`,
      );
  }

  let metadataMode: MetadataMode | null = null;
  if (values['metadata-mode'] !== undefined) {
    if (kafkaVersion === null) fail('--metadata-mode needs --kafka-version: without a release the brokers answer as the newest (KRaft) brokers');
    const mode = values['metadata-mode'];
    if (mode !== 'zookeeper' && mode !== 'kraft') fail(`--metadata-mode must be zookeeper or kraft, got '${mode}'`);
    try {
      metadataMode = playedMetadataMode(kafkaVersion, mode);
    } catch (error) {
      fail(`--metadata-mode: ${(error as Error).message}`);
    }
  }

  const users: UserSpec[] = [];
  for (const entry of values.user ?? []) {
    const user = parseUserSpec(entry);
    if ('error' in user) fail(`--user: ${user.error}`);
    users.push(user);
  }
  const protocol = values['security-protocol'];
  if (protocol !== undefined) {
    if (!isSecurityProtocol(protocol)) fail(`--security-protocol must be one of ${SECURITY_PROTOCOLS.join(', ')}, got '${protocol}'`);
    if (config['listeners'] !== undefined) fail('give --security-protocol or --config listeners=..., not both');
    config['listeners'] = `${protocol}://${host}:${port}`;
  }
  if (values.acl) {
    if (users.length === 0) fail('--acl needs a --user: the first one is the super user');
    config['authorizer.class.name'] ??= 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
    config['super.users'] ??= `User:${users[0]!.name}`;
    config['allow.everyone.if.no.acl.found'] ??= 'false';
  }

  const logger = createLogger({ level });
  let cluster: EmbeddedCluster;
  try {
    cluster = await EmbeddedCluster.start({ brokers, basePort: port, host, dataDir, config, logger, kafkaVersion, metadataMode, users });
  } catch (error) {
    process.stderr.write(`could not start the cluster: ${(error as Error).message}\n`);
    process.exit(1);
  }
  cluster.onEvent((event) => logger.info(describeEvent(event)));
  if (kafkaVersion !== null) {
    const apis = cluster.advertisedApis();
    logger.info(
      `playing Kafka ${kafkaVersion} (${cluster.metadataMode === 'kraft' ? 'KRaft' : 'ZooKeeper'} mode): advertising ${apis.list.length} APIs with that release's versions`,
      {
        notImplemented: apis.notImplemented.join(', ') || 'none',
        narrowed: apis.narrowed.map((n) => `${n.api} v${n.advertised[0]}-${n.advertised[1]} of v${n.release[0]}-${n.release[1]}`).join(', ') || 'none',
        releaseDefaults:
          Object.entries(releaseConfigDefaults(kafkaVersion))
            .map(([name, value]) => `${name}=${value}`)
            .join(', ') || 'none',
      },
    );
  }
  let registry: EmbeddedSchemaRegistry | null = null;
  if (registryPort !== null) {
    try {
      registry = await startEmbeddedSchemaRegistry(cluster, { port: registryPort, host, logger });
    } catch (error) {
      process.stderr.write(`could not start the schema registry: ${(error as Error).message}\n`);
      await cluster.close();
      process.exit(1);
    }
  }
  process.stdout.write(`bootstrap.servers=${cluster.bootstrapServers()}\n`);
  if (registry) process.stdout.write(`schema.registry.url=${registry.url}\n`);
  if (cluster.caLocation) process.stdout.write(`ssl.ca.location=${cluster.caLocation}\n`);
  const settings = cluster.security.settings;
  if (settings.protocol !== 'PLAINTEXT') {
    process.stdout.write(`security.protocol=${settings.protocol}\n`);
    if (settings.sasl) process.stdout.write(`sasl.enabled.mechanisms=${settings.mechanisms.join(',')}\n`);
  }
  if (settings.sasl && users.length === 0)
    logger.warn('SASL is on but no --user was given: only OAUTHBEARER tokens (and users made with AlterUserScramCredentials) can log in');
  if (kafkaVersion !== null) process.stdout.write(`kafka.version=${kafkaVersion}\nkafka.metadata.mode=${cluster.metadataMode}\n`);

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info(`${signal}: stopping the cluster`);
    await registry?.close();
    await cluster.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const status = () =>
    cluster
      .brokers()
      .map((b) => `broker ${b.id} ${b.state} ${b.host}:${b.port}${b.id === cluster.controller.controllerId ? ' (controller)' : ''}`)
      .join('\n');

  // How late the event loop ran and how long the collector paused it: a broker busy (or blocked) for its
  // clients shows here, whatever the machine's load. Observed from the first `stats` on.
  const pauses = new RuntimePauses();

  const ids = () => cluster.brokers().map((b) => b.id);
  const input = createInterface({ input: process.stdin, terminal: false });
  input.on('line', (line) => {
    const [command, arg, extra] = line.trim().split(/\s+/);
    if (!command) return;
    const answer = (text: string) => process.stdout.write(`${text}\n`);
    const id = arg !== undefined && /^\d+$/.test(arg) ? Number(arg) : NaN;
    const run = async () => {
      switch (command) {
        case 'status':
          answer(status());
          return;
        case 'stats':
          // One line: replication counters since the start (see cluster/replication-metrics.ts), and the
          // event loop's delay and the GC pauses since the previous `stats` (server/runtime-pauses.ts).
          answer(`stats ${JSON.stringify({ ...replicationMetrics, ...pauses.snapshot() })}`);
          return;
        case 'help':
          answer(USAGE);
          return;
        case 'client-cert': {
          // A client certificate signed by the cluster's CA, for ssl.client.auth=requested|required.
          if (arg === undefined || extra !== undefined) {
            answer("error: 'client-cert' takes one name (the certificate's CN)");
            return;
          }
          const issued = issueClientCertificate(dataDir, arg);
          answer(`ok: ssl.certificate.location=${issued.certPath} ssl.key.location=${issued.keyPath} principal=User:${issued.distinguishedName}`);
          return;
        }
        case 'add-broker': {
          if (arg !== undefined) {
            answer("error: 'add-broker' takes no argument (the new broker gets the next free id)");
            return;
          }
          const added = await cluster.addBroker();
          answer(`ok: broker ${added.id} added on ${added.host}:${added.port}`);
          return;
        }
        case 'drain-broker':
        case 'remove-broker': {
          if (Number.isNaN(id) || extra !== undefined || !ids().includes(id)) {
            answer(`error: '${command}' takes one broker id (${ids().join(', ')})`);
            return;
          }
          if (command === 'remove-broker') {
            await cluster.removeBroker(id);
            answer(`ok: broker ${id} removed`);
            return;
          }
          const moves = drainBroker(cluster, id);
          answer(`ok: moving ${moves} replica${moves === 1 ? '' : 's'} off broker ${id}; remove-broker ${id} once they have moved`);
          return;
        }
        case 'stop':
        case 'kill':
        case 'start': {
          if (Number.isNaN(id) || extra !== undefined || !ids().includes(id)) {
            answer(`error: '${command}' takes one broker id (${ids().join(', ')})`);
            return;
          }
          if (command === 'stop') await cluster.stopBroker(id);
          else if (command === 'kill') await cluster.killBroker(id);
          else await cluster.startBroker(id);
          answer(`ok: broker ${id} ${command === 'start' ? 'started' : command === 'stop' ? 'stopped' : 'killed'}`);
          return;
        }
        default:
          answer(`error: unknown command '${command}' (try help)`);
      }
    };
    run().catch((error: unknown) => answer(`error: ${(error as Error).message}`));
  });
  // Standard input closing (a pipe ending) leaves the cluster running until a signal.
}

void main();
