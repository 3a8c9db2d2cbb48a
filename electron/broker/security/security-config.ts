import type { BrokerConfigView } from '../cluster/broker-config';

/** Kafka's security protocols (SecurityProtocol): TLS or not, SASL or not. */
export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const;
export type SaslMechanismName = (typeof SASL_MECHANISMS)[number];

export type SslClientAuth = 'none' | 'requested' | 'required';

/** How the brokers of a cluster secure their listener, read from the static broker configs. */
export interface SecuritySettings {
  protocol: SecurityProtocol;
  tls: boolean;
  sasl: boolean;
  mechanisms: readonly SaslMechanismName[];
  clientAuth: SslClientAuth;
  tlsVersions: ReadonlyArray<'TLSv1.2' | 'TLSv1.3'>;
  /** connections.max.reauth.ms; 0: sessions last as long as their credential (an OAUTHBEARER token's expiry). */
  maxReauthMs: number;
  authorizerEnabled: boolean;
  superUsers: readonly string[];
  allowEveryoneIfNoAclFound: boolean;
}

export const isSecurityProtocol = (value: string): value is SecurityProtocol => (SECURITY_PROTOCOLS as readonly string[]).includes(value);

/**
 * The listener's protocol: the scheme of `listeners` (Kafka's listener name, which must here be a
 * protocol name, as with Kafka's default listener.security.protocol.map). The embedded cluster has one
 * listener per broker, on the cluster's host and the broker's port, so the address part is ignored.
 */
export function listenerProtocol(listeners: string | undefined): SecurityProtocol | { error: string } {
  if (listeners === undefined || listeners.trim() === '') return 'PLAINTEXT';
  const entries = listeners
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length !== 1) return { error: `listeners: the embedded brokers have one listener each, got ${entries.length} ('${listeners}')` };
  const match = /^([A-Za-z_]+):\/\//.exec(entries[0]!);
  const scheme = match?.[1]?.toUpperCase();
  if (!scheme || !isSecurityProtocol(scheme)) {
    return { error: `listeners: '${entries[0]}' must start with one of ${SECURITY_PROTOCOLS.join(', ')} followed by :// (e.g. SASL_SSL://127.0.0.1:9092)` };
  }
  return scheme;
}

/** Checks the security configs of a cluster about to start; the messages name the config. */
export function securityConfigErrors(configs: Readonly<Record<string, string>>): string[] {
  const errors: string[] = [];
  const protocol = listenerProtocol(configs['listeners']);
  if (typeof protocol === 'object') errors.push(protocol.error);
  for (const user of splitPrincipals(configs['super.users'] ?? '')) {
    if (!/^[^:]+:.+$/.test(user)) errors.push(`super.users: '${user}' is not a principal (Type:name, e.g. User:admin)`);
  }
  return errors;
}

/** super.users: principals separated by semicolons (a DN holds commas). */
export function splitPrincipals(value: string): string[] {
  return value
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function securitySettings(config: BrokerConfigView, staticListeners: string | undefined): SecuritySettings {
  const protocol = listenerProtocol(staticListeners);
  if (typeof protocol === 'object') throw new Error(protocol.error);
  const list = (name: string) =>
    (config.value(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  return {
    protocol,
    tls: protocol === 'SSL' || protocol === 'SASL_SSL',
    sasl: protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL',
    mechanisms: list('sasl.enabled.mechanisms').filter((m): m is SaslMechanismName => (SASL_MECHANISMS as readonly string[]).includes(m)),
    clientAuth: (config.value('ssl.client.auth') ?? 'none') as SslClientAuth,
    tlsVersions: list('ssl.enabled.protocols') as Array<'TLSv1.2' | 'TLSv1.3'>,
    maxReauthMs: config.int('connections.max.reauth.ms'),
    authorizerEnabled: (config.value('authorizer.class.name') ?? '').trim() !== '',
    superUsers: splitPrincipals(config.value('super.users') ?? ''),
    allowEveryoneIfNoAclFound: config.bool('allow.everyone.if.no.acl.found'),
  };
}
