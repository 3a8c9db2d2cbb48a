// One handler per contract channel, each a thin call into a service. The registry has already
// validated the request; services throw AppError for expected failures.
import type { AppInfo } from '../../shared/model/schemas';
import type { ConnectionService } from '../services/connections/service';
import type { EmbeddedClusterService } from '../services/embedded-cluster';
import type { GroupsService } from '../services/groups-service';
import type { SettingsStore } from '../services/settings';
import type { ClusterService } from '../services/cluster/service';
import { produce } from '../services/produce';
import * as topics from '../services/topics';
import type { MessageService } from '../services/messages/service';
import { channels } from '../../shared/ipc/contract';
import type { Handlers } from './registry';

export interface HandlerDependencies {
  cluster: ClusterService;
  groups: GroupsService;
  appInfo: AppInfo;
  settings: SettingsStore;
  connections: ConnectionService;
  embedded: EmbeddedClusterService;
  messages: MessageService;
}

export function createHandlers(dependencies: HandlerDependencies): Handlers {
  return trackConnectionCalls(handlers(dependencies), dependencies.connections);
}

/** Every call made on a connection (its request names a connectionId) goes through
 * ConnectionService.track: it keeps the connection's health checked, can be cancelled, and gets
 * network failures in precise words. */
function trackConnectionCalls(plain: Handlers, connections: ConnectionService): Handlers {
  const tracked = { ...plain } as unknown as Record<string, (request: unknown) => unknown>;
  for (const channel of channels) {
    if (channel.startsWith('connections.')) continue;
    const handler = plain[channel] as (request: unknown) => unknown;
    tracked[channel] = (request) => {
      const connectionId = (request as { connectionId?: unknown } | null)?.connectionId;
      return typeof connectionId === 'string' ? connections.track(connectionId, async () => handler(request)) : handler(request);
    };
  }
  return tracked as unknown as Handlers;
}

function handlers({ appInfo, settings, connections, embedded, cluster, groups, messages }: HandlerDependencies): Handlers {
  const admin = (connectionId: string) => connections.admin(connectionId);
  const reads = (connectionId: string) => cluster.reads(connectionId);
  return {
    'app.info': () => appInfo,
    'settings.get': () => settings.current,
    'settings.update': (request) => settings.save(request),

    'connections.list': () => connections.list(),
    'connections.save': (request) => connections.save(request),
    'connections.delete': async ({ id }) => {
      await connections.delete(id);
      return {};
    },
    'connections.test': ({ testId, ...target }) => connections.test(target, testId),
    'connections.cancel': (request) => ({ cancelled: connections.cancel(request) }),
    'connections.health': () => connections.health(),
    'connections.check': ({ connectionId }) => connections.check(connectionId),

    'cluster.overview': ({ connectionId }) => cluster.overview(connectionId),
    'brokers.describe': ({ connectionId, brokerId }) => cluster.describeBroker(connectionId, brokerId),
    'cluster.electionPreview': ({ connectionId, target }) => cluster.electionPreview(connectionId, target),
    'cluster.electLeaders': ({ connectionId, target }) => cluster.electLeaders(connectionId, target),

    'topics.list': async ({ connectionId }) => topics.listTopics(await reads(connectionId)),
    'topics.stats': async ({ connectionId }) => topics.topicStats(await reads(connectionId)),
    'topics.create': async ({ connectionId, ...request }) => topics.createTopic(await admin(connectionId), request),
    'topics.delete': async ({ connectionId, topic }) => {
      await topics.deleteTopic(await admin(connectionId), topic);
      return {};
    },
    'topics.addPartitions': async ({ connectionId, topic, totalPartitions }) => {
      await topics.addPartitions(await reads(connectionId), topic, totalPartitions);
      return {};
    },
    'topics.purge': async ({ connectionId, topic }) => topics.purgeTopic(await reads(connectionId), topic),
    'topics.describe': async ({ connectionId, topic }) => topics.describeTopic(await reads(connectionId), topic),
    'topics.configs': async ({ connectionId, topic }) => topics.topicConfigs(await admin(connectionId), topic),
    'topics.alterConfigs': async ({ connectionId, topic, set, reset }) =>
      topics.alterTopicConfigs(await admin(connectionId), topic, set, reset),

    'produce.send': async (request) => produce(await connections.producer(request.connectionId), request),

    'groups.list': ({ connectionId }) => groups.list(connectionId),
    'groups.describe': ({ connectionId, group }) => groups.describe(connectionId, group),
    'groups.resetPreview': ({ connectionId, ...input }) => groups.previewReset(connectionId, input),
    'groups.resetOffsets': ({ connectionId, ...input }) => groups.resetOffsets(connectionId, input),
    'groups.delete': async ({ connectionId, group }) => {
      await groups.delete(connectionId, group);
      return {};
    },
    'groups.deleteOffsets': ({ connectionId, group, topic }) => groups.deleteOffsets(connectionId, group, topic),
    'lag.series': ({ connectionId, group, rangeMs, stack }) => groups.series(connectionId, group, rangeMs, stack),
    'lag.topic': ({ connectionId, topic, rangeMs }) => groups.topic(connectionId, topic, rangeMs),
    'lag.sparklines': ({ connectionId, groups: ids, rangeMs }) => groups.sparklines(connectionId, ids, rangeMs),
    'lag.view': async ({ connectionId, viewId, groups: ids }) => {
      await groups.view(connectionId, viewId, ids);
      return {};
    },
    'lag.watch': ({ connectionId, group, watched }) => groups.watch(connectionId, group, watched),
    'lag.sampleAll': ({ connectionId }) => groups.sampleAll(connectionId),
    'lag.settings': () => groups.settings(),
    'lag.updateSettings': (request) => groups.updateSettings(request),
    'demo.status': () => groups.demoStatus(),
    'demo.start': (request) => groups.startDemo(request),
    'demo.stop': ({ what }) => groups.stopDemo(what),

    'embedded.status': () => embedded.status(),
    'embedded.start': (request) => embedded.start(request),
    'embedded.stop': () => embedded.stop(),
    'embedded.restart': (request) => embedded.restart(request),
    'embedded.stopBroker': ({ brokerId }) => embedded.stopBroker(brokerId),
    'embedded.killBroker': ({ brokerId }) => embedded.killBroker(brokerId),
    'embedded.startBroker': ({ brokerId }) => embedded.startBroker(brokerId),

    'messages.read': (request) => messages.read(request),
    'messages.cancel': ({ operationId }) => ({ cancelled: messages.cancel(operationId) }),
    'messages.value': (request) => messages.value(request),
    'messages.export': (request) => messages.export(request),
    'messages.tailStart': (request) => messages.startTail(request),
    'messages.tailControl': ({ tailId, action }) => messages.controlTail(tailId, action),
    'messages.decoders': ({ connectionId, topic }) => messages.decoders(connectionId, topic),
    'messages.saveDecoders': ({ connectionId, topic, decoders }) => messages.saveDecoders(connectionId, topic, decoders),
  };
}
