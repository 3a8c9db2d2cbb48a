// One subject: its versions (each with its id and text), a side-by-side diff of any two, registering
// the next version (compatibility checked first), its compatibility level, soft and hard deletes with
// confirmation, and the topics that use it by Confluent's subject name strategies.
import { useMemo, useState } from 'react';
import { COMPATIBILITY_LEVELS, type CompatibilityLevel, type SchemaVersionDetail, type SubjectDetail } from '../../../../shared/model/registry';
import { ConfirmDialog } from '../../components/Dialog';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Empty, StateView } from '../../components/StateView';
import { formatQuantity } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { SchemaDialog } from './SchemaDialog';
import { diffLines, displaySchema } from './diff';
import { SCHEMA_TYPE_LABEL, subjectQuery, usageQuery } from './schemas-slice';
import './schemas.css';

type Confirm = { version: number | null; permanent: boolean } | null;

export function SubjectScreen() {
  const subject = useAppStore((state) => state.selectedSubject);
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const navigate = useAppStore((state) => state.navigate);
  const [detail, reload] = useResource(subject ? subjectQuery(connectionId, subject) : null);
  const [dialog, setDialog] = useState(false);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const deleteSchema = useAppStore((state) => state.deleteSchema);
  const openSubject = useAppStore((state) => state.openSubject);

  if (!subject) {
    return (
      <section className="screen">
        <Empty title="No subject selected.">
          <button type="button" className="button" onClick={() => navigate('schemas')}>
            Back to schemas
          </button>
        </Empty>
      </section>
    );
  }
  const latest = detail.data?.versions.at(-1) ?? null;
  return (
    <section className="screen">
      <ScreenHeader
        title={
          <>
            <button type="button" className="breadcrumb" onClick={() => navigate('schemas')}>
              Schemas
            </button>
            <span className="breadcrumb-separator">/</span>
            <span className="topic-title">{subject}</span>
          </>
        }
        onRefresh={reload}
        refreshing={detail.status === 'loading'}
      >
        <button type="button" className="button button-primary" onClick={() => setDialog(true)} disabled={!detail.data}>
          Register new version
        </button>
        <button type="button" className="button button-danger" onClick={() => setConfirm({ version: null, permanent: false })} disabled={!detail.data}>
          Delete subject
        </button>
      </ScreenHeader>
      <StateView resource={detail} onRetry={reload} loadingLabel="Loading the subject…">
        {(data) => (
          <>
            <SubjectFacts detail={data} connectionId={connectionId} />
            {data.versions.length ? (
              <Versions detail={data} onDelete={(version, permanent) => setConfirm({ version, permanent })} />
            ) : (
              <Empty title="Every version of this subject is soft-deleted.">
                <p className="muted">Register a schema to bring it back, or delete the subject permanently.</p>
              </Empty>
            )}
            {data.deletedVersions.length ? (
              <div className="card">
                <h2 className="card-title">Soft-deleted versions</h2>
                <p className="muted small">Readers can still fetch them by id; a permanent delete removes them for good.</p>
                <div className="badges">
                  {data.deletedVersions.map((version) => (
                    <button key={version} type="button" className="button" onClick={() => setConfirm({ version, permanent: true })}>
                      Delete version {version} permanently
                    </button>
                  ))}
                </div>
              </div>
            ) : null}
          </>
        )}
      </StateView>
      {dialog && latest ? (
        <SchemaDialog
          subject={subject}
          schemaType={latest.schemaType}
          initialSchema={displaySchema(latest.schema, latest.schemaType)}
          onClose={() => setDialog(false)}
          onRegistered={(name, version) => {
            setDialog(false);
            openSubject(name, version);
          }}
        />
      ) : null}
      {confirm ? (
        <ConfirmDialog
          title={
            confirm.version === null
              ? `${confirm.permanent ? 'Permanently delete' : 'Delete'} subject ${subject}?`
              : `${confirm.permanent ? 'Permanently delete' : 'Delete'} version ${confirm.version}?`
          }
          confirmLabel={confirm.permanent ? 'Delete permanently' : 'Delete'}
          action={() => deleteSchema(subject, confirm.version, confirm.permanent)}
          onDone={() => {
            const whole = confirm.version === null;
            setConfirm(null);
            if (whole && confirm.permanent) navigate('schemas');
            else if (whole) setConfirm({ version: null, permanent: true });
          }}
          onClose={() => setConfirm(null)}
        >
          {confirm.permanent ? (
            <p>
              A permanent delete removes {confirm.version === null ? 'every version of the subject' : `version ${confirm.version}`} and its schema text from the
              registry. Records written with it can no longer be decoded. This cannot be undone.
            </p>
          ) : (
            <p>
              A soft delete hides {confirm.version === null ? 'the subject and its versions' : `version ${confirm.version}`} from serializers; records written
              with it still decode (the schema stays readable by id). You can delete it permanently afterwards.
            </p>
          )}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function SubjectFacts({ detail, connectionId }: { detail: SubjectDetail; connectionId: string }) {
  const [usage] = useResource(usageQuery(connectionId, detail.name));
  const setCompatibility = useAppStore((state) => state.setCompatibility);
  const openTopic = useAppStore((state) => state.openTopic);
  const [error, setError] = useState<string | null>(null);
  const latest = detail.versions.at(-1);
  const change = async (value: string) => {
    setError(null);
    const result = await setCompatibility(detail.name, value === '' ? null : (value as CompatibilityLevel));
    if (!result.ok) setError(result.error.message);
  };
  return (
    <div className="card">
      <dl className="facts">
        <dt>Type</dt>
        <dd>{latest ? SCHEMA_TYPE_LABEL[latest.schemaType] : '—'}</dd>
        <dt>Compatibility</dt>
        <dd>
          <select
            aria-label="Compatibility"
            value={detail.compatibilityOverride ? detail.compatibility : ''}
            onChange={(event) => void change(event.target.value)}
          >
            <option value="">{detail.compatibilityOverride ? "The registry's level" : `${detail.compatibility} (the registry's level)`}</option>
            {COMPATIBILITY_LEVELS.map((level) => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
          {error ? (
            <div className="field-error" role="alert">
              {error}
            </div>
          ) : null}
        </dd>
        <dt>Used by</dt>
        <dd data-testid="subject-usage">
          {usage.status === 'error' ? (
            <span className="field-error">{usage.error.message}</span>
          ) : !usage.data ? (
            <span className="muted">…</span>
          ) : (
            <>
              {usage.data.topics.length ? (
                usage.data.topics.map((use) => (
                  <span key={`${use.topic}/${use.field ?? ''}`} className="usage">
                    <button type="button" className="link-button" onClick={() => openTopic(use.topic)}>
                      {use.topic}
                    </button>{' '}
                    <span className="muted small">
                      {use.field ? `${use.field}s, ` : ''}
                      {use.strategy}
                      {use.strategy === 'RecordNameStrategy' ? ' (seen in its records)' : ''}
                    </span>
                  </span>
                ))
              ) : (
                <span className="muted">{usage.data.scanned ? 'No topic by its name or in its last records' : 'No topic by its name'}</span>
              )}
              {usage.data.scanned ? (
                <div className="muted small" data-testid="usage-scanned">
                  {usage.data.recordNames.includes(detail.name) ? `Named after its record ${detail.name} (RecordNameStrategy): any topic may carry it. ` : ''}
                  Topics found by the last {usage.data.scanned.recordsPerPartition} records of each partition of{' '}
                  {formatQuantity(usage.data.scanned.topics, 'topic')} ({formatQuantity(usage.data.scanned.records, 'record')} read)
                  {usage.data.scanned.unread ? `; ${formatQuantity(usage.data.scanned.unread, 'topic')} could not be read in time or at all` : ''}.
                </div>
              ) : null}
            </>
          )}
        </dd>
        {latest?.recordNames.length ? (
          <>
            <dt>Records</dt>
            <dd>{latest.recordNames.join(', ')}</dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}

function Versions({ detail, onDelete }: { detail: SubjectDetail; onDelete: (version: number, permanent: boolean) => void }) {
  const requested = useAppStore((state) => state.selectedSchemaVersion);
  const versions = detail.versions;
  const latest = versions.at(-1)!;
  const [chosen, setChosen] = useState<number | null>(null);
  const shown = versions.find((v) => v.version === (chosen ?? requested)) ?? latest;
  const previous = versions.filter((v) => v.version < shown.version).at(-1) ?? null;
  const [compareWith, setCompareWith] = useState<number | 'previous' | 'none'>('previous');
  const other = compareWith === 'none' ? null : compareWith === 'previous' ? previous : (versions.find((v) => v.version === compareWith) ?? null);
  return (
    <div className="card">
      <div className="card-head">
        <h2 className="card-title">Versions</h2>
      </div>
      <div className="version-tabs" role="tablist" aria-label="Versions">
        {versions.map((version) => (
          <button
            key={version.version}
            type="button"
            role="tab"
            className="tab"
            aria-selected={version.version === shown.version}
            onClick={() => setChosen(version.version)}
          >
            Version {version.version}
            <span className="muted small"> id {version.id}</span>
          </button>
        ))}
      </div>
      <div className="version-toolbar">
        <label>
          Compare with{' '}
          <select
            aria-label="Compare with"
            value={String(compareWith)}
            onChange={(event) => {
              const value = event.target.value;
              setCompareWith(value === 'previous' || value === 'none' ? value : Number(value));
            }}
          >
            <option value="previous">the version before{previous ? ` (${previous.version})` : ''}</option>
            <option value="none">nothing</option>
            {versions
              .filter((v) => v.version !== shown.version)
              .map((v) => (
                <option key={v.version} value={v.version}>
                  version {v.version}
                </option>
              ))}
          </select>
        </label>
        <span className="spacer" />
        <button type="button" className="button" onClick={() => onDelete(shown.version, false)}>
          Delete version {shown.version}
        </button>
      </div>
      {other && other.version !== shown.version ? <SchemaDiff left={other} right={shown} /> : <SchemaText version={shown} />}
    </div>
  );
}

function SchemaText({ version }: { version: SchemaVersionDetail }) {
  return (
    <pre className="schema-view" aria-label={`Version ${version.version}`}>
      {displaySchema(version.schema, version.schemaType)}
    </pre>
  );
}

function SchemaDiff({ left, right }: { left: SchemaVersionDetail; right: SchemaVersionDetail }) {
  const rows = useMemo(
    () => diffLines(displaySchema(left.schema, left.schemaType), displaySchema(right.schema, right.schemaType)),
    [left.schema, left.schemaType, right.schema, right.schemaType],
  );
  const changes = rows.filter((row) => row.kind !== 'same').length;
  return (
    <div className="schema-diff" role="table" aria-label={`Version ${left.version} and version ${right.version}`}>
      <div className="schema-diff-head" role="row">
        <div role="columnheader">Version {left.version}</div>
        <div role="columnheader">
          Version {right.version} <span className="muted small">({changes === 0 ? 'no change' : `${changes} changed line${changes === 1 ? '' : 's'}`})</span>
        </div>
      </div>
      {rows.map((row, index) => (
        <div key={index} className={`schema-diff-row diff-${row.kind}`} role="row">
          <pre role="cell" className={row.left === null ? 'diff-blank' : undefined}>
            {row.left ?? ''}
          </pre>
          <pre role="cell" className={row.right === null ? 'diff-blank' : undefined}>
            {row.right ?? ''}
          </pre>
        </div>
      ))}
    </div>
  );
}
