// The cluster's feature versions (KIP-584) on the Overview: each feature's finalized level and the range
// the brokers support (ApiVersions v3+), and a dialog to upgrade or downgrade one (UpdateFeatures), whose
// refusals are Kafka's own words. The one place of the app where features are changed: share groups
// (share.version), eligible leader replicas and the other protocol switches are turned on here.
import { useState } from 'react';
import type { ClusterFeature, ClusterFeatures, FeatureUpgradeType } from '../../../../shared/model/features';
import { Badge } from '../../components/Badge';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { StateView } from '../../components/StateView';
import { useAppStore, useResource } from '../../store/hooks';
import { featuresQuery } from '../brokers/cluster-slice';

/** What each known feature switches, at its levels above 0. */
const FEATURE_MEANINGS: Record<string, string> = {
  'metadata.version': 'The KRaft metadata format and the controller features it enables (KIP-778).',
  'kraft.version': '1: a dynamic controller quorum (KIP-853).',
  'transaction.version': '2: the transaction protocol with server-side defense (KIP-890).',
  'group.version': '1: the consumer rebalance protocol (KIP-848).',
  'eligible.leader.replicas.version': '1: eligible leader replicas, clean elections after the ISR empties (KIP-966).',
  'share.version': '1: share groups, queues for Kafka (KIP-932).',
  'streams.version': '1: the streams rebalance protocol (KIP-1071).',
};

function levelLabel(feature: ClusterFeature, level: number): string {
  return feature.levels.find((entry) => entry.level === level)?.label ?? String(level);
}

export function FeaturesPanel({ connectionId, available }: { connectionId: string; available: boolean }) {
  const [features, reload] = useResource(featuresQuery(connectionId), available);
  const [changing, setChanging] = useState<ClusterFeature | null>(null);
  return (
    <div className="card" aria-label="Features">
      <div className="card-head">
        <h2 className="card-title">Features</h2>
      </div>
      <StateView resource={features} onRetry={reload} loadingLabel="Reading the cluster's features…">
        {(data) => <FeaturesTable features={data} onChange={setChanging} />}
      </StateView>
      {changing ? <FeatureDialog feature={changing} onClose={() => setChanging(null)} /> : null}
    </div>
  );
}

function FeaturesTable({ features, onChange }: { features: ClusterFeatures; onChange: (feature: ClusterFeature) => void }) {
  if (features.unsupported) return <p className="muted">{features.unsupported}</p>;
  if (!features.features.length) return <p className="muted">The brokers support no feature yet (feature versioning is on, epoch {features.epoch}).</p>;
  return (
    <>
      <div className="table-x">
        <table className="table" aria-label="Feature versions">
          <thead>
            <tr>
              <th>Feature</th>
              <th>Finalized</th>
              <th>Supported</th>
              <th>What it switches</th>
              {features.updateUnsupported ? null : <th aria-label="Change" />}
            </tr>
          </thead>
          <tbody>
            {features.features.map((feature) => (
              <tr key={feature.name} data-feature={feature.name}>
                <td>
                  <code>{feature.name}</code>
                </td>
                <td data-column="finalized">
                  {feature.finalized > 0 ? <Badge tone="good">{levelLabel(feature, feature.finalized)}</Badge> : <span className="muted">0 (off)</span>}
                </td>
                <td data-column="supported">
                  {feature.supported ? (
                    `${levelLabel(feature, feature.supported.min)} – ${levelLabel(feature, feature.supported.max)}`
                  ) : (
                    <span className="muted">not supported by the brokers</span>
                  )}
                </td>
                <td className="muted small">{FEATURE_MEANINGS[feature.name] ?? ''}</td>
                {features.updateUnsupported ? null : (
                  <td>
                    <button type="button" className="button button-small" onClick={() => onChange(feature)} aria-label={`Change ${feature.name}`}>
                      Change…
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {features.updateUnsupported ? <p className="muted small">{features.updateUnsupported}</p> : null}
    </>
  );
}

/** The upgrade type UpdateFeatures needs to go from `current` to `target`; null when nothing changes. */
export function upgradeTypeFor(current: number, target: number, unsafe: boolean): FeatureUpgradeType | null {
  if (target === current) return null;
  if (target > current) return 'upgrade';
  return unsafe ? 'unsafe-downgrade' : 'safe-downgrade';
}

function FeatureDialog({ feature, onClose }: { feature: ClusterFeature; onClose: () => void }) {
  const updateFeature = useAppStore((state) => state.updateFeature);
  const [level, setLevel] = useState(feature.finalized);
  const [unsafe, setUnsafe] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [validated, setValidated] = useState<string | null>(null);
  const upgradeType = upgradeTypeFor(feature.finalized, level, unsafe);
  const outside = feature.supported !== null && (level < feature.supported.min || level > feature.supported.max);
  const problem =
    upgradeType === null
      ? `${feature.name} is already at ${levelLabel(feature, level)}: choose another level.`
      : outside
        ? 'The brokers do not support this level.'
        : null;

  const submit = async (validateOnly: boolean) => {
    if (problem || upgradeType === null) return;
    setBusy(true);
    setError(null);
    setValidated(null);
    const result = await updateFeature({ feature: feature.name, level, upgradeType, validateOnly });
    setBusy(false);
    if (!result.ok) setError(result.error.message);
    else if (validateOnly) setValidated(`The cluster accepts setting ${feature.name} to ${levelLabel(feature, level)} (validated, not applied).`);
    else onClose();
  };

  return (
    <Dialog
      title={`Change ${feature.name}`}
      onClose={onClose}
      onSubmit={() => void submit(false)}
      error={error}
      leadingActions={
        <button type="button" className="button" disabled={busy || problem !== null} onClick={() => void submit(true)}>
          Validate only
        </button>
      }
      actions={
        <button type="submit" className="button button-primary" disabled={busy || problem !== null}>
          {busy ? 'Applying…' : upgradeType === 'upgrade' ? 'Upgrade' : upgradeType ? 'Downgrade' : 'Apply'}
        </button>
      }
    >
      <p className="muted">
        Finalized now: <strong>{levelLabel(feature, feature.finalized)}</strong>
        {feature.supported
          ? ` · the brokers support ${levelLabel(feature, feature.supported.min)} to ${levelLabel(feature, feature.supported.max)}`
          : null}. {FEATURE_MEANINGS[feature.name] ?? ''} The cluster&apos;s controller checks the change (dependencies between features, downgrades that would
        lose metadata) and refuses it with its reason.
      </p>
      <Field
        label="New level"
        error={upgradeType !== null ? problem : null}
        hint={upgradeType === null ? problem : upgradeType === 'upgrade' ? 'An upgrade.' : 'A downgrade.'}
      >
        {(props) => (
          <select
            {...props}
            value={level}
            onChange={(event) => {
              setLevel(Number(event.target.value));
              setValidated(null);
              setError(null);
            }}
          >
            {feature.levels.map((entry) => (
              <option key={entry.level} value={entry.level}>
                {entry.label}
                {entry.level === feature.finalized ? ' (current)' : ''}
              </option>
            ))}
          </select>
        )}
      </Field>
      {upgradeType !== null && upgradeType !== 'upgrade' ? (
        <label className="checkbox">
          <input type="checkbox" checked={unsafe} onChange={(event) => setUnsafe(event.target.checked)} /> Unsafe downgrade: allow losing metadata the lower
          level cannot hold
        </label>
      ) : null}
      {validated ? (
        <div className="form-success" role="status">
          {validated}
        </div>
      ) : null}
    </Dialog>
  );
}
