// One handler per contract channel, each a thin call into a service. The registry has already
// validated the request; services throw AppError for expected failures.
import type { AppInfo } from '../../shared/model/schemas';
import { channels } from '../../shared/ipc/contract';
import type { Services } from '../core/services';
import { AppError } from '../core/errors';
import type { ConnectionService } from '../services/connections/service';
import type { Handlers } from './registry';

export function createHandlers(appInfo: AppInfo, services: Services): Handlers {
  return trackConnectionCalls(handlers(appInfo, services), services.connections);
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
      return typeof connectionId === 'string' ? connections.track(connectionId, async () => await handler(request)) : handler(request);
    };
  }
  return tracked as unknown as Handlers;
}

function handlers(
  appInfo: AppInfo,
  {
    settings,
    connections,
    embedded,
    cluster,
    topics,
    produce,
    groups,
    lag,
    demo,
    messages,
    acls,
    users,
    clientMetrics,
    schemas,
    transactions,
    reassignments,
  }: Services,
): Handlers {
  return {
    'app.info': () => appInfo,
    'settings.get': () => settings.current,
    'settings.update': async (request) => {
      const before = settings.current.embedded.schemaRegistryPort;
      const saved = await settings.update(request);
      // The registry's port applies at once (#17): the running registry moves to it.
      if (saved.embedded.schemaRegistryPort !== before) {
        await embedded.moveSchemaRegistry(saved.embedded.schemaRegistryPort).catch((error: unknown) => {
          throw new AppError('conflict', `Saved. ${error instanceof Error ? error.message : String(error)}`);
        });
      }
      return saved;
    },

    'connections.list': () => connections.list(),
    'connections.save': (request) => connections.save(request),
    'connections.importProperties': ({ path, name }) => connections.importProperties(path, name),
    'connections.delete': async ({ id }) => {
      await connections.delete(id);
      return {};
    },
    'connections.setTimeouts': ({ connectionId, timeouts }) => connections.setTimeouts(connectionId, timeouts),
    'connections.test': ({ testId, ...target }) => connections.test(target, testId),
    'connections.cancel': (request) => ({ cancelled: connections.cancel(request) }),
    'connections.health': () => connections.health(),
    'connections.check': ({ connectionId }) => connections.check(connectionId),

    'cluster.overview': ({ connectionId }) => cluster.overview(connectionId),
    'cluster.features': ({ connectionId }) => cluster.features(connectionId),
    'cluster.updateFeature': (request) => cluster.updateFeature(request),
    'brokers.describe': ({ connectionId, brokerId }) => cluster.describeBroker(connectionId, brokerId),
    'cluster.electionPreview': ({ connectionId, target }) => cluster.electionPreview(connectionId, target),
    'cluster.electLeaders': ({ connectionId, target }) => cluster.electLeaders(connectionId, target),
    'reassignments.state': ({ connectionId }) => reassignments.state(connectionId),
    'reassignments.apply': (request) => reassignments.apply(request),
    'reassignments.cancel': ({ connectionId, partitions }) => reassignments.cancel(connectionId, partitions),
    'reassignments.clearThrottle': async ({ connectionId }) => {
      await reassignments.clearThrottle(connectionId);
      return null;
    },

    'topics.list': ({ connectionId, includeInternal }) => topics.list(connectionId, includeInternal),
    'topics.stats': ({ connectionId, includeInternal }) => topics.stats(connectionId, includeInternal),
    'topics.create': ({ connectionId, ...request }) => topics.create(connectionId, request),
    'topics.delete': async ({ connectionId, topic }) => {
      await topics.delete(connectionId, topic);
      return {};
    },
    'topics.addPartitions': async ({ connectionId, topic, totalPartitions }) => {
      await topics.addPartitions(connectionId, topic, totalPartitions);
      return {};
    },
    'topics.purge': ({ connectionId, topic }) => topics.purge(connectionId, topic),
    'topics.describe': ({ connectionId, topic }) => topics.describe(connectionId, topic),
    'topics.configs': ({ connectionId, topic }) => topics.configs(connectionId, topic),
    'topics.alterConfigs': ({ connectionId, topic, set, reset }) => topics.alterConfigs(connectionId, topic, set, reset),

    'produce.send': (request) => produce.send(request),
    'produce.chooseFile': async () => ({ file: await produce.files.choose() }),
    'produce.uploadFile': ({ name, content }) => produce.files.upload(name, content),

    'groups.list': ({ connectionId }) => groups.list(connectionId),
    'groups.describe': ({ connectionId, group }) => groups.describe(connectionId, group),
    'groups.resetPreview': ({ connectionId, ...input }) => groups.previewReset(connectionId, input),
    'groups.resetOffsets': ({ connectionId, ...input }) => groups.resetOffsets(connectionId, input),
    'groups.delete': async ({ connectionId, group }) => {
      await groups.delete(connectionId, group);
      return {};
    },
    'groups.deleteOffsets': ({ connectionId, group, topic }) => groups.deleteOffsets(connectionId, group, topic),
    'lag.series': ({ connectionId, group, rangeMs, stack }) => lag.series(connectionId, group, rangeMs, stack),
    'lag.topic': ({ connectionId, topic, rangeMs }) => lag.topic(connectionId, topic, rangeMs),
    'lag.sparklines': ({ connectionId, groups: ids, rangeMs }) => lag.sparklines(connectionId, ids, rangeMs),
    'lag.view': async ({ connectionId, viewId, groups: ids }) => {
      await lag.view(connectionId, viewId, ids);
      return {};
    },
    'lag.watch': ({ connectionId, group, watched }) => lag.watch(connectionId, group, watched),
    'lag.sampleAll': ({ connectionId }) => lag.sampleAll(connectionId),
    'lag.settings': () => lag.settings(),
    'lag.updateSettings': (request) => lag.updateSettings(request),
    'demo.status': () => demo.status(),
    'demo.start': (request) => demo.start(request),
    'demo.stop': ({ what }) => demo.stop(what),

    'acls.list': ({ connectionId, filter }) => acls.list(connectionId, filter),
    'acls.preview': ({ connectionId, acl }) => acls.preview(connectionId, acl),
    'acls.create': ({ connectionId, acl }) => acls.create(connectionId, acl),
    'acls.delete': ({ connectionId, acl }) => acls.delete(connectionId, acl),
    'users.list': ({ connectionId }) => users.list(connectionId),
    'users.quotas': ({ connectionId }) => users.quotas(connectionId),
    'users.alterQuota': (request) => users.alterQuota(request),
    'users.throttled': ({ connectionId }) => users.throttled(connectionId),
    'users.create': (request) => users.create(request.connectionId, request),
    'users.changePassword': (request) => users.changePassword(request.connectionId, request),
    'users.delete': async ({ connectionId, user }) => {
      await users.delete(connectionId, user);
      return {};
    },

    'clientMetrics.overview': ({ connectionId }) => clientMetrics.overview(connectionId),
    'clientMetrics.save': (request) => clientMetrics.save(request),
    'clientMetrics.delete': (request) => clientMetrics.delete(request),

    'transactions.overview': ({ connectionId }) => transactions.overview(connectionId),
    'transactions.topic': ({ connectionId, topic }) => transactions.topic(connectionId, topic),
    'transactions.abort': ({ connectionId, targets }) => transactions.abort(connectionId, targets),

    'embedded.status': () => embedded.status(),
    'embedded.start': (request) => embedded.start(request),
    'embedded.stop': () => embedded.stop(),
    'embedded.restart': (request) => embedded.restart(request),
    'embedded.stopBroker': ({ brokerId }) => embedded.stopBroker(brokerId),
    'embedded.killBroker': ({ brokerId }) => embedded.killBroker(brokerId),
    'embedded.startBroker': ({ brokerId }) => embedded.startBroker(brokerId),
    'embedded.addBroker': () => embedded.addBroker(),
    'embedded.removeBroker': ({ brokerId }) => embedded.removeBroker(brokerId),

    'messages.read': (request) => messages.read(request),
    'messages.cancel': ({ operationId }) => ({ cancelled: messages.cancel(operationId) }),
    'messages.value': (request) => messages.value(request),
    'messages.export': (request) => messages.export(request),
    'messages.tailStart': (request) => messages.startTail(request),
    'messages.tailControl': ({ tailId, action }) => messages.controlTail(tailId, action),
    'messages.decoders': ({ connectionId, topic }) => messages.decoders(connectionId, topic),
    'messages.saveDecoders': ({ connectionId, topic, decoders }) => messages.saveDecoders(connectionId, topic, decoders),
    'messages.savedQueries': ({ connectionId, topic }) => messages.savedQueries(connectionId, topic),
    'messages.saveQuery': ({ connectionId, topic, query, replace }) => messages.saveQuery(connectionId, topic, query, replace),
    'messages.renameQuery': ({ connectionId, topic, name, newName }) => messages.renameQuery(connectionId, topic, name, newName),
    'messages.deleteQuery': ({ connectionId, topic, name }) => messages.deleteQuery(connectionId, topic, name),

    'schemas.registry': ({ connectionId }) => schemas.registry(connectionId),
    'schemas.setRegistry': ({ connectionId, registry }) => schemas.setRegistry(connectionId, registry),
    'schemas.subjects': ({ connectionId }) => schemas.subjects(connectionId),
    'schemas.subject': ({ connectionId, subject }) => schemas.subject(connectionId, subject),
    'schemas.check': ({ connectionId, ...input }) => schemas.check(connectionId, input),
    'schemas.register': ({ connectionId, ...input }) => schemas.register(connectionId, input),
    'schemas.setCompatibility': ({ connectionId, subject, level }) => schemas.setCompatibility(connectionId, subject, level),
    'schemas.delete': ({ connectionId, subject, version, permanent }) => schemas.delete(connectionId, subject, version, permanent),
    'schemas.usage': ({ connectionId, subject }) => schemas.usage(connectionId, subject),
    'schemas.subjectsOfId': ({ connectionId, id }) => schemas.subjectsOfId(connectionId, id),
  };
}
