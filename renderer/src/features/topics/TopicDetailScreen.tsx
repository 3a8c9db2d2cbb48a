import { useState, type ReactNode } from 'react';
import type { ElectionScope, TopicDetail } from '../../../../shared/model/schemas';
import { useLiveView } from '../../app/use-live-view';
import { Badge } from '../../components/Badge';
import { ConfirmDialog, Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Stale } from '../../components/Stale';
import { Empty, StateView } from '../../components/StateView';
import { formatQuantity } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { topicConfigsQuery, topicQuery } from './topics-slice';
import { selectWriteBlock } from '../connections/connections-slice';
import { ConfigsTable } from './ConfigsTable';
import { PartitionsTable, isUnderReplicated } from './PartitionsTable';
import { TopicGroupsLag } from '../groups/TopicGroupsLag';
import { ResourceAccess } from '../acls/ResourceAccess';
import { TopicTransactionsPanel } from '../transactions/TopicTransactionsPanel';
import { ElectionDialog } from '../brokers/ElectionDialog';
import { brokerMap, capitalize, explainPartition, hasStorageFailure, isPartitionOffline, isPartitionUnderReplicated } from '../brokers/explain';
import { ProblemList, type ProblemItem } from '../brokers/ProblemList';

type Tab = 'partitions' | 'configs' | 'groups' | 'access' | 'transactions';
type Confirm = 'delete' | 'purge' | 'partitions' | null;

export function TopicDetailScreen() {
  const topic = useAppStore((state) => state.selectedTopic);
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const [detail, reloadDetail] = useResource(topic ? topicQuery(connectionId, topic) : null);
  const [configs, reloadConfigs] = useResource(topic ? topicConfigsQuery(connectionId, topic) : null);
  const alterTopicConfigs = useAppStore((state) => state.alterTopicConfigs);
  const navigate = useAppStore((state) => state.navigate);
  const openProduce = useAppStore((state) => state.openProduce);
  const openMessages = useAppStore((state) => state.openMessages);
  const writeBlock = useAppStore(selectWriteBlock);
  const [tab, setTab] = useState<Tab>('partitions');
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [electing, setElecting] = useState<ElectionScope | null>(null);
  const sick = detail.data ? partitionHealth(detail.data) : null;
  // The partitions follow the cluster: a broker stopped or started elsewhere in the app (embedded
  // cluster events), and offline or under-replicated partitions coming back (read again, backing off).
  useLiveView(reloadDetail, {
    failing: detail.status === 'error' && detail.error.kind !== 'not-found',
    unhealthy: Boolean(sick && (sick.offline || sick.underReplicated || sick.unread)),
    busy: detail.status === 'loading',
    signature: sick ? `${sick.offline}/${sick.underReplicated}/${sick.unread}` : '',
  });

  if (!topic) {
    return (
      <section className="screen">
        <Empty title="No topic selected.">
          <button type="button" className="button" onClick={() => navigate('topics')}>
            Back to topics
          </button>
        </Empty>
      </section>
    );
  }

  const data = detail.data;
  return (
    <section className="screen">
      <ScreenHeader
        title={
          <>
            <button type="button" className="breadcrumb" onClick={() => navigate('topics')}>
              Topics
            </button>
            <span className="breadcrumb-separator">/</span>
            <span className="topic-title" title={topic}>
              {wrappable(topic)}
            </span>
          </>
        }
        onRefresh={() => {
          reloadDetail();
          reloadConfigs();
        }}
        refreshing={detail.status === 'loading'}
      >
        <button type="button" className="button" onClick={() => openMessages(topic)}>
          Messages
        </button>
        <button type="button" className="button button-primary" onClick={() => openProduce(topic)}>
          Produce
        </button>
        <button
          type="button"
          className="button"
          onClick={() => setConfirm('partitions')}
          disabled={!data || Boolean(writeBlock)}
          title={writeBlock ?? undefined}
        >
          Add partitions
        </button>
        <button type="button" className="button" onClick={() => setConfirm('purge')} disabled={!data || Boolean(writeBlock)} title={writeBlock ?? undefined}>
          Purge
        </button>
        <button
          type="button"
          className="button button-danger"
          onClick={() => setConfirm('delete')}
          disabled={Boolean(writeBlock)}
          title={writeBlock ?? undefined}
        >
          Delete
        </button>
      </ScreenHeader>
      {data ? (
        <Stale stale={detail.status === 'error'} readAt={data.readAt}>
          <TopicSummaryLine detail={data} />
          {tab === 'partitions' ? <PartitionProblems detail={data} /> : null}
        </Stale>
      ) : null}
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'partitions'} className="tab" onClick={() => setTab('partitions')}>
          Partitions
        </button>
        <button type="button" role="tab" aria-selected={tab === 'configs'} className="tab" onClick={() => setTab('configs')}>
          Configs
        </button>
        <button type="button" role="tab" aria-selected={tab === 'groups'} className="tab" onClick={() => setTab('groups')}>
          Consumer groups
        </button>
        <button type="button" role="tab" aria-selected={tab === 'access'} className="tab" onClick={() => setTab('access')}>
          Who can access it
        </button>
        <button type="button" role="tab" aria-selected={tab === 'transactions'} className="tab" onClick={() => setTab('transactions')}>
          Transactions
        </button>
      </div>
      {tab === 'groups' ? <TopicGroupsLag topic={topic} /> : null}
      {tab === 'access' ? <ResourceAccess resourceType="TOPIC" name={topic} /> : null}
      {tab === 'transactions' ? <TopicTransactionsPanel topic={topic} /> : null}
      {tab === 'groups' || tab === 'access' || tab === 'transactions' ? null : tab === 'partitions' ? (
        <>
          <StateView resource={detail} onRetry={reloadDetail}>
            {(data, stale) => (
              <>
                <div className="filter-row">
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => setElecting({ scope: 'topic', topic })}
                    title="Move each partition's leadership back to its preferred replica, after a preview"
                  >
                    Elect preferred leaders{sick?.notPreferred ? ` (${sick.notPreferred})` : ''}
                  </button>
                  <span className="muted small">
                    {sick?.notPreferred
                      ? `${sick.notPreferred} partition${sick.notPreferred === 1 ? ' is' : 's are'} not led by the preferred (first) replica`
                      : 'Every partition with a leader is led by its preferred (first) replica'}
                  </span>
                </div>
                <div className={stale ? 'stale-body' : undefined}>
                  <PartitionsTable
                    partitions={data.partitions}
                    brokers={data.brokers}
                    onElect={(partition) => setElecting({ scope: 'partition', topic, partition })}
                  />
                </div>
              </>
            )}
          </StateView>
        </>
      ) : (
        <>
          <StateView resource={configs} onRetry={reloadConfigs}>
            {(data) => (
              <ConfigsTable
                configs={data}
                writeBlock={writeBlock}
                onSave={async (set, reset) => {
                  const result = await alterTopicConfigs(topic, set, reset);
                  return result.ok ? null : result.error.message;
                }}
              />
            )}
          </StateView>
        </>
      )}
      {electing ? <ElectionDialog target={electing} onClose={() => setElecting(null)} /> : null}
      {confirm === 'delete' ? <DeleteTopicDialog topic={topic} onClose={() => setConfirm(null)} /> : null}
      {confirm === 'purge' ? <PurgeTopicDialog topic={topic} onClose={() => setConfirm(null)} /> : null}
      {confirm === 'partitions' && data ? <AddPartitionsDialog topic={topic} current={data.partitions.length} onClose={() => setConfirm(null)} /> : null}
    </section>
  );
}

/** Offline, under-replicated, unreadable and not-on-preferred-leader partitions of a topic. */
export function partitionHealth(detail: TopicDetail) {
  const lookup = brokerMap(detail.brokers);
  const health = { offline: 0, underReplicated: 0, unread: 0, notPreferred: 0 };
  for (const partition of detail.partitions) {
    if (isPartitionOffline(partition, lookup)) health.offline += 1;
    else if (isUnderReplicated(partition)) health.underReplicated += 1;
    if (partition.readError) health.unread += 1;
    if (partition.leader >= 0 && partition.replicas[0] !== undefined && partition.leader !== partition.replicas[0]) health.notPreferred += 1;
  }
  return health;
}

function TopicSummaryLine({ detail }: { detail: TopicDetail }) {
  const readable = detail.partitions.filter((partition) => partition.highWatermark !== null && partition.lowWatermark !== null);
  const records = readable.reduce((sum, partition) => sum + (partition.highWatermark as number) - (partition.lowWatermark as number), 0);
  const health = partitionHealth(detail);
  return (
    <p className="health-line" aria-label="Topic health">
      <span>
        {detail.partitions.length} partitions · replication factor {detail.partitions[0]?.replicas.length ?? 0} ·{' '}
        {readable.length < detail.partitions.length ? `at least ${formatQuantity(records, 'record')}` : formatQuantity(records, 'record')} · id{' '}
        <code>{detail.id}</code>
      </span>
      {health.offline ? <Badge tone="bad">{health.offline} offline</Badge> : null}
      {health.underReplicated ? <Badge tone="warn">{health.underReplicated} under-replicated</Badge> : null}
      {health.notPreferred ? <Badge tone="neutral">{health.notPreferred} not on preferred leader</Badge> : null}
    </p>
  );
}

/** Each offline or under-replicated partition in a sentence, and partitions whose offsets could not be read. */
function PartitionProblems({ detail }: { detail: TopicDetail }) {
  const lookup = brokerMap(detail.brokers);
  const items: ProblemItem[] = [];
  for (const partition of detail.partitions) {
    const text = explainPartition(partition, lookup);
    if (text) {
      items.push({
        key: `p-${partition.partition}`,
        tone: isPartitionOffline(partition, lookup) || hasStorageFailure(partition.leader, lookup, partition.offlineReplicas) ? 'bad' : 'warn',
        label: isPartitionOffline(partition, lookup) ? 'offline' : isPartitionUnderReplicated(partition) ? 'under-replicated' : 'storage failure',
        text: capitalize(text),
      });
    }
    if (partition.readError && !isPartitionOffline(partition, lookup)) {
      items.push({ key: `r-${partition.partition}`, tone: 'warn', label: 'not read', text: `Partition ${partition.partition}: ${partition.readError}.` });
    }
  }
  if (!items.length) return null;
  const offline = items.some((item) => item.tone === 'bad');
  return (
    <div className={offline ? 'card problems' : 'card problems problems-warn'} aria-label="Partition problems">
      <ProblemList items={items} limit={6} />
    </div>
  );
}

function DeleteTopicDialog({ topic, onClose }: { topic: string; onClose: () => void }) {
  const deleteTopic = useAppStore((state) => state.deleteTopic);
  const navigate = useAppStore((state) => state.navigate);
  return (
    <ConfirmDialog
      title="Delete topic"
      confirmLabel="Delete topic"
      typeToConfirm={topic}
      action={() => deleteTopic(topic)}
      onDone={() => navigate('topics')}
      onClose={onClose}
    >
      <p>
        Delete <strong>{topic}</strong> and all its records? This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}

function PurgeTopicDialog({ topic, onClose }: { topic: string; onClose: () => void }) {
  const purgeTopic = useAppStore((state) => state.purgeTopic);
  return (
    <ConfirmDialog title="Purge topic" confirmLabel="Purge records" action={() => purgeTopic(topic)} onDone={onClose} onClose={onClose}>
      <p>
        Delete every record currently in <strong>{topic}</strong>? The topic and its configs stay; the low watermarks move up to the high watermarks.
      </p>
    </ConfirmDialog>
  );
}

function AddPartitionsDialog({ topic, current, onClose }: { topic: string; current: number; onClose: () => void }) {
  const addPartitions = useAppStore((state) => state.addPartitions);
  const [total, setTotal] = useState(String(current + 1));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const value = /^\d+$/.test(total.trim()) ? Number(total) : NaN;
  const invalid = Number.isNaN(value) || value <= current ? `Enter a whole number larger than ${current}; Kafka cannot remove partitions.` : null;
  return (
    <Dialog
      title="Add partitions"
      onClose={onClose}
      onSubmit={async () => {
        if (invalid) return;
        setBusy(true);
        const result = await addPartitions(topic, value);
        setBusy(false);
        if (result.ok) onClose();
        else setError(result.error.message);
      }}
      error={error}
      actions={
        <button type="submit" className="button button-primary" disabled={busy || Boolean(invalid)}>
          Add partitions
        </button>
      }
    >
      <p className="muted">Records with a key may map to a different partition afterwards, which breaks per-key ordering across the change.</p>
      <Field label="Total partitions" error={invalid}>
        {(props) => <input {...props} inputMode="numeric" value={total} onChange={(event) => setTotal(event.target.value)} />}
      </Field>
    </Dialog>
  );
}

/** The name with a line-break opportunity after each dot, dash and underscore, so it wraps at its parts. */
function wrappable(name: string): ReactNode[] {
  return name.split(/(?<=[._-])/).flatMap((part, index) => (index ? [<wbr key={index} />, part] : [part]));
}
