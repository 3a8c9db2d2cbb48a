import { useEffect, useState } from 'react';
import { EMBEDDED_CONNECTION_ID, type ClusterEvent, type EmbeddedClusterStatus } from '../../../../shared/model/schemas';
import { Badge } from '../../components/Badge';
import { ScreenHeader } from '../../components/ScreenHeader';
import { ErrorMessage, StateView } from '../../components/StateView';
import { useAppStore, useResource } from '../../store/hooks';
import { topicQuery, topicsQuery } from '../topics/topics-slice';
import { BrokerPartitionGrid } from './BrokerPartitionGrid';
import { DemoCard } from '../groups/DemoCard';
import { EmbeddedStartButtons } from '../connections/ConnectionStatusBar';
import './cluster-panel.css';

export function ClusterPanelScreen() {
  const embedded = useAppStore((state) => state.embedded);
  const loadEmbedded = useAppStore((state) => state.loadEmbedded);
  const action = useAppStore((state) => state.clusterAction);
  const actionError = useAppStore((state) => state.clusterActionError);
  const stopEmbedded = useAppStore((state) => state.stopEmbedded);
  const restartEmbedded = useAppStore((state) => state.restartEmbedded);
  useEffect(() => {
    void loadEmbedded();
  }, [loadEmbedded]);
  const running = embedded.data?.state === 'running';
  return (
    <section className="screen">
      <ScreenHeader title="Embedded cluster" onRefresh={() => void loadEmbedded()} refreshing={embedded.status === 'loading'}>
        {running ? (
          <>
            <button type="button" className="button" disabled={Boolean(action)} onClick={() => void restartEmbedded()}>
              {action === 'restart' ? 'Restarting…' : 'Restart cluster'}
            </button>
            <button type="button" className="button" disabled={Boolean(action)} onClick={() => void stopEmbedded()}>
              {action === 'stop' ? 'Stopping…' : 'Stop cluster'}
            </button>
          </>
        ) : null}
      </ScreenHeader>
      {actionError ? <ErrorMessage error={actionError} /> : null}
      <StateView resource={embedded} onRetry={() => void loadEmbedded()}>
        {(status) => <ClusterPanel status={status} />}
      </StateView>
    </section>
  );
}

const portRange = (config: EmbeddedClusterStatus['config']) =>
  config.brokers === 1 ? `port ${config.basePort}` : `ports ${config.basePort}–${config.basePort + config.brokers - 1}`;

/** What the cluster runs with (or will start with): brokers, ports, data directory, and where they came from. */
export function RunConfigFacts({ status }: { status: EmbeddedClusterStatus }) {
  const { config } = status;
  const origin = (...keys: ('brokers' | 'basePort' | 'dataDir' | 'kafkaVersion' | 'metadataMode')[]) =>
    keys.some((key) => status.changedInRun.includes(key)) ? (
      <span className="muted"> (chosen in this run)</span>
    ) : keys.some((key) => status.launchOverrides.includes(key)) ? (
      <span className="muted"> (from the command line)</span>
    ) : null;
  return (
    <dl className="facts" data-testid="embedded-config">
      <dt>Brokers</dt>
      <dd>
        {config.brokers} on 127.0.0.1, {portRange(config)}
        {origin('brokers', 'basePort')}
      </dd>
      <dt>Data directory</dt>
      <dd>
        <code>{config.dataDir}</code>
        {origin('dataDir')}
      </dd>
      <dt>Kafka release</dt>
      <dd data-testid="embedded-kafka-version">
        {config.kafkaVersion
          ? `plays Kafka ${config.kafkaVersion}${config.metadataMode === 'kraft' ? ' with KRaft brokers' : ''}: its brokers advertise and accept that release's API versions`
          : 'the newest: every API version the embedded brokers implement'}
        {origin('kafkaVersion', 'metadataMode')}
      </dd>
      {status.security ? (
        <>
          <dt>Security protocol</dt>
          <dd data-testid="embedded-security">
            {status.security.protocol}
            {status.security.user ? `: Kafka Desk logs in as ${status.security.user} (SCRAM-SHA-512)` : ''}
            {status.security.acl ? '; ACLs on, the first user is the super user' : ''}
          </dd>
          {status.security.caLocation ? (
            <>
              <dt>CA certificate</dt>
              <dd>
                <code data-testid="embedded-ca-location">{status.security.caLocation}</code>
                <span className="muted"> (clients trust it: ssl.ca.location)</span>
              </dd>
            </>
          ) : null}
        </>
      ) : null}
    </dl>
  );
}

const stateTitle: Record<EmbeddedClusterStatus['state'], string> = {
  disabled: 'The embedded cluster is turned off.',
  starting: 'The embedded cluster is starting…',
  running: 'The embedded cluster is running.',
  stopping: 'The embedded cluster is stopping…',
  stopped: 'The embedded cluster is stopped.',
  failed: 'The embedded cluster could not start.',
  unavailable: 'The embedded cluster is not available.',
};

function ClusterPanel({ status }: { status: EmbeddedClusterStatus }) {
  if (status.state !== 'running') {
    return (
      <div className={`card cluster-stopped ${status.state === 'failed' ? 'cluster-failed' : ''}`} data-testid="embedded-not-running">
        <h2 className="card-title">{stateTitle[status.state]}</h2>
        {status.message ? <p role={status.state === 'failed' ? 'alert' : undefined}>{status.message}</p> : null}
        {status.state === 'disabled' ? <p className="muted">It does not start with the app (Settings); you can start it for this run.</p> : null}
        <RunConfigFacts status={status} />
        {status.portsInUse.length && status.freeBasePort !== null ? (
          <p className="muted">
            Ports {status.freeBasePort}–{status.freeBasePort + status.config.brokers - 1} are free. Starting there applies to this run; Settings can keep them
            for the next launches.
          </p>
        ) : null}
        <div className="form-actions">
          <EmbeddedStartButtons />
        </div>
      </div>
    );
  }
  return (
    <>
      <BootstrapServers
        servers={status.bootstrapServers ?? ''}
        dataDir={status.config.dataDir}
        registryUrl={status.schemaRegistryUrl ?? null}
        registryError={status.schemaRegistryError ?? null}
      />
      <BrokerCards status={status} />
      <DemoCard />
      <PartitionGridSection status={status} />
      <EventLog />
    </>
  );
}

function BootstrapServers({
  servers,
  dataDir,
  registryUrl,
  registryError,
}: {
  servers: string;
  dataDir: string;
  registryUrl: string | null;
  registryError: string | null;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="card bootstrap">
      <div>
        <div className="card-label">Bootstrap servers for other programs</div>
        <code className="bootstrap-value" data-testid="bootstrap-servers">
          {servers}
        </code>
        <div className="muted small">
          Data in <code>{dataDir}</code>
        </div>
        <div className="small" data-testid="embedded-schema-registry">
          {registryUrl ? (
            <>
              Schema registry: <code>schema.registry.url={registryUrl}</code>
            </>
          ) : (
            <span className="muted">Schema registry: {registryError ?? 'not running'}</span>
          )}
        </div>
      </div>
      <button
        type="button"
        className="button"
        onClick={() => {
          void navigator.clipboard.writeText(servers).then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          });
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

function BrokerCards({ status }: { status: EmbeddedClusterStatus }) {
  const controlBroker = useAppStore((state) => state.controlBroker);
  const addBroker = useAppStore((state) => state.addBroker);
  const pending = useAppStore((state) => state.brokerAction);
  const actionError = useAppStore((state) => state.brokerActionError);
  return (
    <>
      <div className="card-head broker-cards-head">
        <p className="muted small">
          Brokers can be added and removed while the cluster runs. A broker that holds replicas is removed only once they have moved away (Reassign partitions:
          drain it).
        </p>
        <button type="button" className="button" disabled={Boolean(pending)} onClick={() => void addBroker()}>
          {pending?.action === 'add' ? 'Adding…' : 'Add broker'}
        </button>
      </div>
      <div className="broker-cards">
        {status.brokers.map((broker) => {
          const busy = pending?.brokerId === broker.id;
          return (
            <div key={broker.id} className={`card broker-card ${broker.state}`} data-testid={`broker-card-${broker.id}`}>
              <div className="broker-card-head">
                <strong>Broker {broker.id}</strong>
                <Badge tone={broker.state === 'running' ? 'good' : 'bad'}>{broker.state}</Badge>
              </div>
              <code className="muted">
                {broker.host}:{broker.port}
              </code>
              <div className="broker-card-actions">
                {broker.state === 'running' ? (
                  <>
                    <button type="button" className="button button-small" disabled={Boolean(pending)} onClick={() => void controlBroker(broker.id, 'stop')}>
                      {busy && pending?.action === 'stop' ? 'Stopping…' : `Stop broker ${broker.id}`}
                    </button>
                    <button
                      type="button"
                      className="button button-small button-danger"
                      disabled={Boolean(pending)}
                      title="Abrupt stop, as if the process died"
                      onClick={() => void controlBroker(broker.id, 'kill')}
                    >
                      {busy && pending?.action === 'kill' ? 'Killing…' : 'Kill'}
                    </button>
                  </>
                ) : (
                  <button
                    type="button"
                    className="button button-small button-primary"
                    disabled={Boolean(pending)}
                    onClick={() => void controlBroker(broker.id, 'start')}
                  >
                    {busy && pending?.action === 'start' ? 'Starting…' : `Start broker ${broker.id}`}
                  </button>
                )}
                <button
                  type="button"
                  className="button button-small"
                  disabled={Boolean(pending)}
                  title="Stop it and remove it from the cluster (refused while it holds replicas)"
                  onClick={() => void controlBroker(broker.id, 'remove')}
                >
                  {busy && pending?.action === 'remove' ? 'Removing…' : 'Remove'}
                </button>
              </div>
            </div>
          );
        })}
      </div>
      {actionError ? <ErrorMessage error={actionError} /> : null}
    </>
  );
}

function PartitionGridSection({ status }: { status: EmbeddedClusterStatus }) {
  const onEmbedded = useAppStore((state) => state.activeConnectionId === EMBEDDED_CONNECTION_ID);
  const [topics] = useResource(onEmbedded ? topicsQuery(EMBEDDED_CONNECTION_ID) : null);
  const gridTopic = useAppStore((state) => state.gridTopic);
  const [gridDetail, reloadGrid] = useResource(gridTopic ? topicQuery(EMBEDDED_CONNECTION_ID, gridTopic) : null);
  const selectGridTopic = useAppStore((state) => state.selectGridTopic);
  const lastBrokerEvent = useAppStore((state) => state.clusterEvents.find((event) => event.type === 'broker'));
  const brokerStates = status.brokers.map((broker) => broker.state).join(',');
  const moving = useAppStore((state) => state.moving);
  // A move that completes or is cancelled changes the replica set: read the topic again (sizes, order).
  const lastReplicaEvent = useAppStore((state) => state.clusterEvents.find((event) => event.type === 'replicas' && event.topic === gridTopic));

  useEffect(() => {
    if (!gridTopic && topics.data?.[0]) selectGridTopic(topics.data[0].name);
  }, [gridTopic, topics.data, selectGridTopic]);

  // Leader and ISR events patch the grid directly; after a broker change, re-read the whole topic a
  // moment later to pick up anything the events did not carry.
  useEffect(() => {
    if (!gridTopic) return;
    const timer = setTimeout(reloadGrid, 400);
    return () => clearTimeout(timer);
  }, [lastBrokerEvent, lastReplicaEvent, brokerStates, gridTopic, reloadGrid]);

  return (
    <div className="card">
      <div className="card-head">
        <h2 className="card-title">Leaders and in-sync replicas</h2>
        <label className="inline-label">
          Topic
          <select aria-label="Topic for the grid" value={gridTopic ?? ''} onChange={(event) => selectGridTopic(event.target.value || null)}>
            {!topics.data?.length ? <option value="">no topics</option> : null}
            {topics.data?.map((topic) => (
              <option key={topic.name} value={topic.name}>
                {topic.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {gridTopic ? (
        <StateView resource={gridDetail}>{(detail) => <BrokerPartitionGrid detail={detail} brokers={status.brokers} moving={moving} />}</StateView>
      ) : (
        <p className="muted">Create a topic to see its partitions here.</p>
      )}
      <div className="legend">
        <span className="cell cell-leader">leader</span>
        <span className="cell cell-isr">in sync</span>
        <span className="cell cell-lagging">out of sync</span>
        <span className="cell cell-adding">adding</span>
        <span className="cell cell-isr cell-removing">leaving</span>
      </div>
    </div>
  );
}

function describeEvent(event: ClusterEvent): string {
  switch (event.type) {
    case 'broker':
      return event.state === 'added' || event.state === 'removed' ? `Broker ${event.brokerId} ${event.state}` : `Broker ${event.brokerId} is ${event.state}`;
    case 'leader':
      return `${event.topic}-${event.partition}: leader ${event.leader < 0 ? 'none (offline)' : `broker ${event.leader}`} (epoch ${event.leaderEpoch})`;
    case 'isr':
      return `${event.topic}-${event.partition}: in-sync replicas [${event.isr.join(', ')}]`;
    case 'topic':
      return event.change === 'partitions' ? `${event.topic}: partitions added` : `Topic ${event.topic} ${event.change}`;
    case 'replicas':
      return event.adding.length + event.removing.length > 0
        ? `${event.topic}-${event.partition}: moving to [${event.replicas.filter((id) => !event.removing.includes(id)).join(', ')}]${event.adding.length > 0 ? `, adding ${event.adding.join(', ')}` : ''}${event.removing.length > 0 ? `, removing ${event.removing.join(', ')}` : ''}`
        : `${event.topic}-${event.partition}: replicas [${event.replicas.join(', ')}]`;
  }
}

function EventLog() {
  const events = useAppStore((state) => state.clusterEvents);
  return (
    <div className="card">
      <h2 className="card-title">Events</h2>
      {events.length === 0 ? (
        <p className="muted">Broker, leader and in-sync replica changes appear here as they happen.</p>
      ) : (
        <ol className="event-log" aria-label="Cluster events">
          {events.slice(0, 50).map((event, index) => (
            <li key={`${event.at}-${index}`}>
              <time className="muted">{new Date(event.at).toLocaleTimeString()}</time> {describeEvent(event)}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
