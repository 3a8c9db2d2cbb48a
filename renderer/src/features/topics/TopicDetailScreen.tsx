import { useEffect, useState } from 'react';
import { EMBEDDED_CONNECTION_ID, type TopicDetail } from '../../../../shared/model/schemas';
import { ConfirmDialog, Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Empty, ErrorMessage, Loading } from '../../components/StateView';
import { formatCount } from '../../components/format';
import { useAppStore } from '../../store/hooks';
import { selectWriteBlock } from '../../store/slices/connections';
import { ConfigsTable } from './ConfigsTable';
import { PartitionsTable, isUnderReplicated } from './PartitionsTable';
import { TopicGroupsLag } from '../groups/TopicGroupsLag';

type Tab = 'partitions' | 'configs' | 'groups';
type Confirm = 'delete' | 'purge' | 'partitions' | null;

export function TopicDetailScreen() {
  const topic = useAppStore((state) => state.selectedTopic);
  const detail = useAppStore((state) => state.topicDetail);
  const configs = useAppStore((state) => state.topicConfigs);
  const loadTopicDetail = useAppStore((state) => state.loadTopicDetail);
  const loadTopicConfigs = useAppStore((state) => state.loadTopicConfigs);
  const alterTopicConfigs = useAppStore((state) => state.alterTopicConfigs);
  const navigate = useAppStore((state) => state.navigate);
  const openProduce = useAppStore((state) => state.openProduce);
  const openMessages = useAppStore((state) => state.openMessages);
  const writeBlock = useAppStore(selectWriteBlock);
  const [tab, setTab] = useState<Tab>('partitions');
  const [confirm, setConfirm] = useState<Confirm>(null);
  const onEmbedded = useAppStore((state) => state.activeConnectionId === EMBEDDED_CONNECTION_ID);
  const lastChange = useAppStore((state) =>
    state.clusterEvents.find((event) => event.type === 'broker' || event.topic === state.selectedTopic),
  );

  // On the embedded cluster, leader, ISR and broker events re-read the partitions, so the table
  // follows a broker being stopped or started elsewhere in the app.
  useEffect(() => {
    if (!topic || !onEmbedded || !lastChange) return;
    const timer = setTimeout(() => void loadTopicDetail(topic), 300);
    return () => clearTimeout(timer);
  }, [topic, onEmbedded, lastChange, loadTopicDetail]);

  useEffect(() => {
    if (!topic) return;
    void loadTopicDetail(topic);
    void loadTopicConfigs(topic);
  }, [topic, loadTopicDetail, loadTopicConfigs]);

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

  const data = detail.data?.name === topic ? detail.data : null;
  return (
    <section className="screen">
      <ScreenHeader
        title={
          <>
            <button type="button" className="breadcrumb" onClick={() => navigate('topics')}>
              Topics
            </button>
            <span className="breadcrumb-separator">/</span>
            <span className="topic-title">{topic}</span>
          </>
        }
        onRefresh={() => {
          void loadTopicDetail(topic);
          void loadTopicConfigs(topic);
        }}
        refreshing={detail.status === 'loading'}
      >
        <button type="button" className="button" onClick={() => openMessages(topic)}>
          Messages
        </button>
        <button type="button" className="button button-primary" onClick={() => openProduce(topic)}>
          Produce
        </button>
        <button type="button" className="button" onClick={() => setConfirm('partitions')} disabled={!data || Boolean(writeBlock)} title={writeBlock ?? undefined}>
          Add partitions
        </button>
        <button type="button" className="button" onClick={() => setConfirm('purge')} disabled={!data || Boolean(writeBlock)} title={writeBlock ?? undefined}>
          Purge
        </button>
        <button type="button" className="button button-danger" onClick={() => setConfirm('delete')} disabled={Boolean(writeBlock)} title={writeBlock ?? undefined}>
          Delete
        </button>
      </ScreenHeader>
      {data ? <TopicSummaryLine detail={data} /> : null}
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
      </div>
      {tab === 'groups' ? <TopicGroupsLag topic={topic} /> : null}
      {tab === 'groups' ? null : tab === 'partitions' ? (
        <>
          {detail.status === 'error' ? <ErrorMessage error={detail.error} onRetry={() => void loadTopicDetail(topic)} /> : null}
          {data ? <PartitionsTable partitions={data.partitions} /> : detail.status !== 'error' ? <Loading /> : null}
        </>
      ) : (
        <>
          {configs.status === 'error' ? <ErrorMessage error={configs.error} onRetry={() => void loadTopicConfigs(topic)} /> : null}
          {configs.data ? (
            <ConfigsTable
              configs={configs.data}
              writeBlock={writeBlock}
              onSave={async (set, reset) => {
                const result = await alterTopicConfigs(topic, set, reset);
                return result.ok ? null : result.error.message;
              }}
            />
          ) : configs.status !== 'error' ? (
            <Loading />
          ) : null}
        </>
      )}
      {confirm === 'delete' ? <DeleteTopicDialog topic={topic} onClose={() => setConfirm(null)} /> : null}
      {confirm === 'purge' ? <PurgeTopicDialog topic={topic} onClose={() => setConfirm(null)} /> : null}
      {confirm === 'partitions' && data ? (
        <AddPartitionsDialog topic={topic} current={data.partitions.length} onClose={() => setConfirm(null)} />
      ) : null}
    </section>
  );
}

function TopicSummaryLine({ detail }: { detail: TopicDetail }) {
  const records = detail.partitions.reduce(
    (sum, partition) =>
      sum + (partition.highWatermark !== null && partition.lowWatermark !== null ? partition.highWatermark - partition.lowWatermark : 0),
    0,
  );
  const under = detail.partitions.filter(isUnderReplicated).length;
  return (
    <p className="subtitle">
      {detail.partitions.length} partitions · replication factor {detail.partitions[0]?.replicas.length ?? 0} · {formatCount(records)} records
      {under ? ` · ${under} under-replicated` : ''} · id <code>{detail.id}</code>
    </p>
  );
}

function DeleteTopicDialog({ topic, onClose }: { topic: string; onClose: () => void }) {
  const deleteTopic = useAppStore((state) => state.deleteTopic);
  const navigate = useAppStore((state) => state.navigate);
  return (
    <ConfirmDialog title="Delete topic" confirmLabel="Delete topic" action={() => deleteTopic(topic)} onDone={() => navigate('topics')} onClose={onClose}>
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
        Delete every record currently in <strong>{topic}</strong>? The topic and its configs stay; the low watermarks move up to the high
        watermarks.
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
    <Dialog title="Add partitions" onClose={onClose}>
      <form
        className="form"
        noValidate
        onSubmit={async (event) => {
          event.preventDefault();
          if (invalid) return;
          setBusy(true);
          const result = await addPartitions(topic, value);
          setBusy(false);
          if (result.ok) onClose();
          else setError(result.error.message);
        }}
      >
        <p className="muted">
          Records with a key may map to a different partition afterwards, which breaks per-key ordering across the change.
        </p>
        <Field label="Total partitions" error={invalid}>
          {(props) => <input {...props} inputMode="numeric" value={total} onChange={(event) => setTotal(event.target.value)} />}
        </Field>
        {error ? (
          <div className="form-error" role="alert">
            {error}
          </div>
        ) : null}
        <footer className="dialog-actions">
          <span className="spacer" />
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy || Boolean(invalid)}>
            Add partitions
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
