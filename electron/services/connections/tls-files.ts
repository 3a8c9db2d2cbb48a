// The TLS files of a connection (CA, client certificate, client key), read in the main process only
// and checked before a connection uses them: an absolute path to a regular file of sane size, PEM that
// parses, a key that belongs to its certificate. Each problem is said with the file's name, so a wrong
// file does not surface later as a handshake failure nobody can read.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
// A namespace import: a named import of getCACertificates would fail to link on an old Node before the
// runtime guard can say which Node is needed.
import * as tls from 'node:tls';
import { AppError } from '../../core/errors';

/** Larger than any CA bundle (the Mozilla bundle is ~220 KB) or key; a bigger file is not what was meant. */
export const MAX_TLS_FILE_BYTES = 1024 * 1024;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PEM_PRIVATE_KEY = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

function invalid(message: string): AppError {
  return new AppError('invalid-request', message);
}

async function readBounded(file: string, what: string): Promise<Buffer> {
  if (!path.isAbsolute(file)) throw invalid(`The ${what} file must be given by its full path; ${file} is relative.`);
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? 'error'})`;
    throw invalid(`The ${what} file ${file} ${why}.`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw invalid(`The ${what} file ${file} is not a file.`);
    if (stat.size > MAX_TLS_FILE_BYTES) throw invalid(`The ${what} file ${file} is ${Math.round(stat.size / 1024)} KB; a PEM file is at most 1 MB.`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Words for a file that is not PEM at all: Java keystores and PKCS#12 files are binary. */
function notPem(file: string, what: string, data: Buffer): AppError {
  const extension = path.extname(file).toLowerCase();
  const binary = data.subarray(0, 512).some((byte) => byte === 0 || byte > 0x7f);
  if (extension === '.jks' || extension === '.p12' || extension === '.pfx' || extension === '.keystore' || binary) {
    return invalid(
      `The ${what} file ${file} is not PEM (it looks like a Java keystore or PKCS#12 file). Export it as PEM, e.g. keytool -exportcert -rfc -alias <alias> -keystore ${path.basename(file)}.`,
    );
  }
  return invalid(
    `The ${what} file ${file} holds no PEM ${what === 'client key' ? 'private key (-----BEGIN PRIVATE KEY-----)' : 'certificate (-----BEGIN CERTIFICATE-----)'}.`,
  );
}

/** The certificates of a PEM file (a CA bundle may hold several), each parsed. */
export async function readCertificates(file: string, what: string): Promise<{ pem: string; certificates: X509Certificate[] }> {
  const data = await readBounded(file, what);
  const text = data.toString('utf8');
  const blocks = text.match(PEM_CERTIFICATE);
  if (!blocks) throw notPem(file, what, data);
  const certificates = blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      const which = blocks.length > 1 ? `certificate ${index + 1} of ${blocks.length} in ` : '';
      throw invalid(`The ${what} file ${file}: ${which}the PEM does not parse (${error instanceof Error ? error.message : String(error)}).`);
    }
  });
  return { pem: blocks.join('\n'), certificates };
}

export async function readPrivateKey(file: string): Promise<{ pem: string; key: KeyObject }> {
  const data = await readBounded(file, 'client key');
  const match = PEM_PRIVATE_KEY.exec(data.toString('utf8'));
  if (!match) throw notPem(file, 'client key', data);
  if (match[1] === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(match[0])) {
    throw invalid(
      `The client key file ${file} is encrypted with a passphrase; Kafka Desk needs it unencrypted (openssl pkey -in ${path.basename(file)} -out key.pem).`,
    );
  }
  try {
    return { pem: match[0], key: createPrivateKey(match[0]) };
  } catch (error) {
    throw invalid(`The client key file ${file}: the PEM does not parse (${error instanceof Error ? error.message : String(error)}).`);
  }
}

export interface TlsFiles {
  caFile?: string | undefined;
  certFile?: string | undefined;
  keyFile?: string | undefined;
}

/** The CAs to trust without a CA file: the system's store and Node's bundled ones (as a browser would). */
export function systemCaCertificates(): string[] {
  try {
    return [...new Set([...tls.getCACertificates('system'), ...tls.getCACertificates('default')])];
  } catch {
    // A runtime without getCACertificates('system') (before Node 22.15): the bundled CAs, Node's default.
    return [...tls.rootCertificates];
  }
}

/** The PEM material for Node's TLS options, every file checked; throws an invalid-request AppError naming the file. */
export async function loadTlsMaterial(files: TlsFiles): Promise<{ ca: string | string[]; cert?: string; key?: string }> {
  if (Boolean(files.certFile) !== Boolean(files.keyFile)) {
    throw invalid(files.certFile ? 'A client certificate needs its key file too.' : 'A client key needs its certificate file too.');
  }
  const ca = files.caFile ? (await readCertificates(files.caFile, 'CA certificate')).pem : systemCaCertificates();
  if (!files.certFile || !files.keyFile) return { ca };
  const [cert, key] = await Promise.all([readCertificates(files.certFile, 'client certificate'), readPrivateKey(files.keyFile)]);
  const leaf = cert.certificates[0]!;
  if (!leaf.checkPrivateKey(key.key)) {
    throw invalid(`The client key file ${files.keyFile} does not belong to the client certificate ${files.certFile}.`);
  }
  return { ca, cert: cert.pem, key: key.pem };
}
