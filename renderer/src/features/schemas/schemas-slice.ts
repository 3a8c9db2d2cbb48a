// The Schemas screens' state: the registry a connection uses, its subjects, one subject's versions and
// the topics that use it (keyed data), what the list shows, and the writes (each invalidates what it
// changed).
import type { IpcResult, ResponseOf } from '../../../../shared/ipc/contract';
import type {
  CompatibilityLevel,
  CompatibilityResult,
  Registered,
  RegistryInput,
  RegistrySummary,
  SchemaType,
  SubjectDetail,
  SubjectList,
  SubjectSummary,
  SubjectUsage,
} from '../../../../shared/model/registry';
import type { SliceCreator } from '../../store/app-store';
import type { Query } from '../../store/resources';

export const registryQuery = (connectionId: string): Query<RegistrySummary> => ({
  key: ['schema-registry', connectionId],
  load: (api) => api.invoke('schemas.registry', { connectionId }),
});

export const subjectsQuery = (connectionId: string): Query<SubjectList> => ({
  key: ['schemas', connectionId, 'list'],
  load: (api) => api.invoke('schemas.subjects', { connectionId }),
});

export const subjectQuery = (connectionId: string, subject: string): Query<SubjectDetail> => ({
  key: ['schemas', connectionId, 'subject', subject],
  load: (api) => api.invoke('schemas.subject', { connectionId, subject }),
});

export const usageQuery = (connectionId: string, subject: string): Query<SubjectUsage> => ({
  key: ['schemas', connectionId, 'usage', subject],
  load: (api) => api.invoke('schemas.usage', { connectionId, subject }),
});

export interface SchemaDraft {
  subject: string;
  schemaType: SchemaType;
  schema: string;
}

export interface SchemasSlice {
  schemaSearch: string;
  selectedSubject: string | null;
  /** The version the subject page opens on (a record's link from the message browser); null: the latest. */
  selectedSchemaVersion: number | null;
  setSchemaSearch: (search: string) => void;
  openSubject: (subject: string, version?: number | null) => void;
  saveRegistry: (registry: RegistryInput) => Promise<IpcResult<RegistrySummary>>;
  checkSchema: (draft: SchemaDraft) => Promise<IpcResult<CompatibilityResult>>;
  registerSchema: (draft: SchemaDraft) => Promise<IpcResult<Registered>>;
  setCompatibility: (subject: string | null, level: CompatibilityLevel | null) => Promise<IpcResult<ResponseOf<'schemas.setCompatibility'>>>;
  deleteSchema: (subject: string, version: number | null, permanent: boolean) => Promise<IpcResult<ResponseOf<'schemas.delete'>>>;
}

export const createSchemasSlice: SliceCreator<SchemasSlice> = (set, get, api) => {
  const connection = () => get().activeConnectionId;
  const changed = (connectionId: string) => get().invalidate(['schemas', connectionId]);
  return {
    schemaSearch: '',
    selectedSubject: null,
    selectedSchemaVersion: null,
    setSchemaSearch: (schemaSearch) => set({ schemaSearch }),
    openSubject: (subject, version = null) => set({ screen: 'subject', selectedSubject: subject, selectedSchemaVersion: version }),
    async saveRegistry(registry) {
      const connectionId = connection();
      const result = await api.invoke('schemas.setRegistry', { connectionId, registry });
      if (result.ok) {
        get().setResourceData<RegistrySummary>(registryQuery(connectionId).key, () => result.value);
        get().dropResources((key) => key[0] === 'schemas' && key[1] === connectionId);
      }
      return result;
    },
    checkSchema: (draft) => api.invoke('schemas.check', { connectionId: connection(), ...draft }),
    async registerSchema(draft) {
      const connectionId = connection();
      const result = await api.invoke('schemas.register', { connectionId, ...draft });
      if (result.ok) changed(connectionId);
      return result;
    },
    async setCompatibility(subject, level) {
      const connectionId = connection();
      const result = await api.invoke('schemas.setCompatibility', { connectionId, subject, level });
      if (result.ok) changed(connectionId);
      return result;
    },
    async deleteSchema(subject, version, permanent) {
      const connectionId = connection();
      const result = await api.invoke('schemas.delete', { connectionId, subject, version, permanent });
      if (result.ok) changed(connectionId);
      return result;
    },
  };
};

/** The subjects the list shows: those whose name, type or level contains the search text, by name. */
export function visibleSubjects(subjects: readonly SubjectSummary[], search: string): SubjectSummary[] {
  const needle = search.trim().toLowerCase();
  const matches = (subject: SubjectSummary) =>
    !needle || [subject.name, subject.schemaType ?? '', subject.compatibility ?? ''].some((text) => text.toLowerCase().includes(needle));
  return subjects.filter(matches).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export const SCHEMA_TYPE_LABEL: Record<SchemaType, string> = { AVRO: 'Avro', PROTOBUF: 'Protobuf', JSON: 'JSON Schema' };

/**
 * Confluent's compatibility messages in words: each difference's description (its
 * `{errorType:..., description:'...'}` form), then which old version it was checked against; the old
 * schema's text is left out (the diff shows it).
 */
export function describeCompatibilityMessages(messages: readonly string[]): string[] {
  const words: string[] = [];
  for (const message of messages) {
    const version = /^\{oldSchemaVersion: (\d+)\}$/.exec(message);
    if (version) {
      words.push(`Checked against version ${version[1]}.`);
      continue;
    }
    // The old schema's text (the diff shows it) and the settings the check ran with (the verdict names the level).
    if (message.startsWith('{oldSchema:') || message.startsWith('{validateFields:')) continue;
    const description = /description:\s*["'](.*?)["'](?:,\s*additionalInfo|\s*\}$)/s.exec(message);
    const type = /errorType:\s*["']?([A-Z_]+)/.exec(message);
    if (description) words.push(`${description[1]!.replace(/\.$/, '')}${type ? ` (${type[1]})` : ''}.`);
    else words.push(message);
  }
  return words;
}
