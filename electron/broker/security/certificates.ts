import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

/**
 * The embedded cluster's TLS material, made on first start in `<data dir>/tls/` with node-forge (pure
 * JavaScript X.509, so it works wherever the app runs, with no `openssl` binary): a CA, and one broker
 * certificate signed by it for every broker (they share the host). Clients trust the CA (the CLI prints
 * its path as `ssl.ca.location=`). Keys are RSA 2048 made by Node's crypto (forge's own key generation
 * is slow JavaScript) and written readable by the owner only.
 */
export interface BrokerTlsMaterial {
  /** Path of the CA certificate (PEM): what clients trust. */
  caPath: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

export interface IssuedCertificate {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
  /** The subject as Kafka's default principal builder names it (RFC 2253), e.g. `CN=alice,O=Kafka Desk`. */
  distinguishedName: string;
}

const ORGANIZATION = 'Kafka Desk';
const CA_YEARS = 10;
const LEAF_YEARS = 2;

export function tlsDir(dataDir: string): string {
  return join(dataDir, 'tls');
}

function newKeyPair(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem);
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), keyPem };
}

function serialNumber(): string {
  // Positive (high bit clear) 16-byte serial, as RFC 5280 asks.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, years: number): void {
  // An hour back, so a client whose clock is a little behind accepts it at once.
  cert.validity.notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + years);
  cert.validity.notAfter = notAfter;
}

/** Writes a file atomically (temporary name, rename); private keys get mode 0600. */
function writeFileAtomic(path: string, text: string, secret: boolean): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, text, { mode: secret ? 0o600 : 0o644 });
  if (secret) chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

interface Ca {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
  pem: string;
  path: string;
}

function loadOrCreateCa(dir: string): Ca {
  const path = join(dir, 'ca.pem');
  const keyPath = join(dir, 'ca-key.pem');
  if (existsSync(path) && existsSync(keyPath)) {
    try {
      const pem = readFileSync(path, 'utf8');
      return { cert: forge.pki.certificateFromPem(pem), key: forge.pki.privateKeyFromPem(readFileSync(keyPath, 'utf8')), pem, path };
    } catch (error) {
      // Not made again silently: clients trust this CA, a new one would lock them out without a word.
      throw new Error(
        `the cluster's CA in ${dir} cannot be read (${error instanceof Error ? error.message : String(error)}); remove ca.pem and ca-key.pem to make a new one`,
        { cause: error },
      );
    }
  }
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, CA_YEARS);
  // Most general first in the certificate, so RFC 2253 (which reverses it) reads `CN=...,O=...`.
  const subject = [
    { name: 'organizationName', value: ORGANIZATION },
    { name: 'commonName', value: `Kafka Desk embedded cluster CA ${randomBytes(4).toString('hex')}` },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const pem = forge.pki.certificateToPem(cert);
  // The key first: a CA certificate without its key would be unusable at the next start.
  writeFileAtomic(keyPath, keys.keyPem, true);
  writeFileAtomic(path, pem, false);
  return { cert, key: keys.privateKey, pem, path };
}

function issue(ca: Ca, commonName: string, usage: 'server' | 'client', hosts: readonly string[]): { certPem: string; keyPem: string } {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, LEAF_YEARS);
  cert.setSubject([
    { name: 'organizationName', value: ORGANIZATION },
    { name: 'commonName', value: commonName },
  ]);
  cert.setIssuer(ca.cert.subject.attributes);
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: usage === 'server', clientAuth: usage === 'client' },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (hosts.length > 0) {
    extensions.push({ name: 'subjectAltName', altNames: hosts.map((host) => (isIP(host) ? { type: 7, ip: host } : { type: 2, value: host })) });
  }
  cert.setExtensions(extensions);
  cert.sign(ca.key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

/** The names a broker certificate covers: loopback by name and address, plus the listener's host. */
export function brokerCertificateHosts(listenHost: string): string[] {
  const hosts = new Set(['localhost', '127.0.0.1', '::1']);
  if (listenHost === '0.0.0.0' || listenHost === '::') hosts.add(hostname());
  else if (listenHost !== '') hosts.add(listenHost);
  return [...hosts];
}

/** Whether a PEM certificate is valid now, was issued by `caPem`, and covers every one of `hosts`. */
function stillFits(certPem: string, caPem: string, hosts: readonly string[]): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!cert.verify(ca.publicKey) || new Date(cert.validTo).getTime() < Date.now() + 86_400_000) return false;
    return hosts.every((host) => (isIP(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined));
  } catch {
    return false;
  }
}

/**
 * The CA and the broker certificate of a data dir, made on first use. A broker certificate that no
 * longer covers the listener's host (the cluster moved to another --host), expires within a day, or
 * was not issued by the CA, is issued again; the CA stays, so clients keep trusting it.
 */
export function ensureBrokerTls(dataDir: string, listenHost: string): BrokerTlsMaterial {
  const dir = tlsDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = loadOrCreateCa(dir);
  const certPath = join(dir, 'broker.pem');
  const keyPath = join(dir, 'broker-key.pem');
  const hosts = brokerCertificateHosts(listenHost);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const certPem = readFileSync(certPath, 'utf8');
    if (stillFits(certPem, ca.pem, hosts)) return { caPath: ca.path, caPem: ca.pem, certPem, keyPem: readFileSync(keyPath, 'utf8') };
  }
  const issued = issue(ca, 'kafka-desk-broker', 'server', hosts);
  writeFileAtomic(keyPath, issued.keyPem, true);
  writeFileAtomic(certPath, issued.certPem, false);
  return { caPath: ca.path, caPem: ca.pem, ...issued };
}

/**
 * Issues a client certificate for `commonName`, signed by the cluster's CA, into `<data dir>/tls/clients/`
 * (for ssl.client.auth=required listeners: Kafka names the client by the certificate's subject).
 */
export function issueClientCertificate(dataDir: string, commonName: string): IssuedCertificate {
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(commonName)) {
    throw new Error(`a client certificate name is 1-64 letters, digits, '.', '_', '@' or '-', got '${commonName}'`);
  }
  const dir = tlsDir(dataDir);
  mkdirSync(join(dir, 'clients'), { recursive: true, mode: 0o700 });
  const ca = loadOrCreateCa(dir);
  const issued = issue(ca, commonName, 'client', []);
  const certPath = join(dir, 'clients', `${commonName}.pem`);
  const keyPath = join(dir, 'clients', `${commonName}-key.pem`);
  writeFileAtomic(keyPath, issued.keyPem, true);
  writeFileAtomic(certPath, issued.certPem, false);
  return { certPath, keyPath, ...issued, distinguishedName: `CN=${commonName},O=${ORGANIZATION}` };
}
