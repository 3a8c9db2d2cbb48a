import type { X509Certificate } from 'node:crypto';
import type { TlsOptions, TLSSocket } from 'node:tls';
import type { BrokerTlsMaterial } from './certificates';
import type { SecuritySettings } from './security-config';

/** A TLS handshake must finish within this time, or the connection is dropped (Node's default is 2 minutes). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Node TLS server options for a broker listener: its certificate, the CA for client certificates, versions. */
export function tlsServerOptions(material: BrokerTlsMaterial, settings: SecuritySettings): TlsOptions {
  const versions = settings.tlsVersions.length > 0 ? settings.tlsVersions : (['TLSv1.2', 'TLSv1.3'] as const);
  return {
    key: material.keyPem,
    cert: material.certPem,
    ca: material.caPem,
    minVersion: versions.includes('TLSv1.2') ? 'TLSv1.2' : 'TLSv1.3',
    maxVersion: versions.includes('TLSv1.3') ? 'TLSv1.3' : 'TLSv1.2',
    requestCert: settings.clientAuth !== 'none',
    // 'requested': a client without a certificate is let in (anonymous); one with an untrusted certificate is not (see peerPrincipal).
    rejectUnauthorized: settings.clientAuth === 'required',
    handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
  };
}

/** Escapes an attribute value as RFC 2253 asks (what Java's X500Principal.getName() prints). */
function escapeRdnValue(value: string): string {
  return value
    .replace(/([,+"\\<>;])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

/**
 * The subject of a certificate as Kafka's default principal builder names it: RFC 2253, most specific
 * attribute first (`CN=alice,O=Kafka Desk`). Node lists the subject in certificate order, one per line.
 */
export function distinguishedName(cert: X509Certificate): string {
  return cert.subject
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const eq = line.indexOf('=');
      return `${line.slice(0, eq)}=${escapeRdnValue(line.slice(eq + 1))}`;
    })
    .reverse()
    .join(',');
}

/**
 * The principal a TLS connection authenticates as: `User:<DN>` with a trusted client certificate,
 * `User:ANONYMOUS` without one; null when the client presented a certificate the CA did not issue
 * (refused, also with ssl.client.auth=requested).
 */
export function peerPrincipal(socket: TLSSocket): string | null {
  const cert = socket.getPeerX509Certificate();
  if (!cert) return 'User:ANONYMOUS';
  if (!socket.authorized) return null;
  return `User:${distinguishedName(cert)}`;
}
