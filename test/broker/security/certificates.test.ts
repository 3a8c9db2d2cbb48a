/**
 * The TLS material of a data dir: made once and kept (clients keep trusting the CA), the broker
 * certificate made again when the listener's host changes, private keys readable by the owner only, a
 * damaged CA refused with a message saying what to do, client certificates signed by the CA.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBrokerTls, issueClientCertificate } from '../../../electron/broker/security/certificates';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-tls-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('TLS material', () => {
  it('is made on first use and kept; a new host gets a new broker certificate under the same CA', () => {
    const dir = dataDir();
    const first = ensureBrokerTls(dir, '127.0.0.1');
    const again = ensureBrokerTls(dir, '127.0.0.1');
    expect(again.caPem).toBe(first.caPem);
    expect(again.certPem).toBe(first.certPem);
    if (process.platform !== 'win32') {
      expect(statSync(join(dir, 'tls', 'ca-key.pem')).mode & 0o077).toBe(0);
      expect(statSync(join(dir, 'tls', 'broker-key.pem')).mode & 0o077).toBe(0);
    }
    const moved = ensureBrokerTls(dir, 'kafka.example.test');
    expect(moved.caPem).toBe(first.caPem);
    expect(moved.certPem).not.toBe(first.certPem);
    const cert = new X509Certificate(moved.certPem);
    expect(cert.checkHost('kafka.example.test')).toBe('kafka.example.test');
    expect(cert.verify(new X509Certificate(first.caPem).publicKey)).toBe(true);
  });

  it('refuses a damaged CA with what to do, instead of making a new one clients do not trust', () => {
    const dir = dataDir();
    ensureBrokerTls(dir, '127.0.0.1');
    writeFileSync(join(dir, 'tls', 'ca.pem'), 'not a certificate');
    expect(() => ensureBrokerTls(dir, '127.0.0.1')).toThrow(/cannot be read.*remove ca\.pem and ca-key\.pem/);
  });

  it('issues client certificates signed by the CA, named CN=<name>,O=Kafka Desk, and refuses odd names', () => {
    const dir = dataDir();
    const { caPem } = ensureBrokerTls(dir, '127.0.0.1');
    const issued = issueClientCertificate(dir, 'alice');
    const cert = new X509Certificate(issued.certPem);
    expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    expect(cert.subject).toBe('O=Kafka Desk\nCN=alice');
    expect(issued.distinguishedName).toBe('CN=alice,O=Kafka Desk');
    expect(() => issueClientCertificate(dir, '../escape')).toThrow(/client certificate name/);
  });
});
