// A Kafka client `.properties` file as a connection: the names of Kafka's Java client (security.protocol,
// sasl.mechanism, sasl.jaas.config, ssl.truststore.location, ...) and of librdkafka (sasl.mechanisms,
// sasl.username, ssl.ca.location, ...). What cannot be used is said, key by key, never dropped silently.
import path from 'node:path';
import type { ConnectionInput, SaslMechanism } from '../../../shared/model/schemas';

export interface ImportedProperties {
  input: ConnectionInput;
  /** Settings read but not usable as they are (a Java keystore, GSSAPI), each in words. */
  warnings: string[];
  /** Keys that play no part in connecting (producer and consumer settings, ...). */
  ignored: string[];
}

/** Parses the .properties format (java.util.Properties.load): comments, `=`, `:` or space, continuations, escapes. */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let index = 0; index < lines.length; index++) {
    let line = lines[index]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // An odd number of backslashes at the end continues the line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && index + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++index]!.replace(/^[ \t\f]+/, '');
    }
    let keyEnd = 0;
    while (keyEnd < line.length && !/[=: \t\f]/.test(line[keyEnd]!)) keyEnd += line[keyEnd] === '\\' ? 2 : 1;
    const key = unescape(line.slice(0, keyEnd));
    let rest = line.slice(keyEnd).replace(/^[ \t\f]*/, '');
    if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]*/, '');
    result.set(key, unescape(rest));
  }
  return result;
}

function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, escaped: string) => {
    if (escaped.length === 5) return String.fromCharCode(parseInt(escaped.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[escaped] ?? escaped;
  });
}

/** The options of a JAAS login module line: `Module required key="value" key2=value2;`. */
export function parseJaas(config: string): { module: string; options: Map<string, string> } | null {
  const match = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\s*([\s\S]*?);?\s*$/.exec(config);
  if (!match) return null;
  const options = new Map<string, string>();
  const pair = /([\w.-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^\s;]+)/g;
  for (let found = pair.exec(match[3]!); found; found = pair.exec(match[3]!)) {
    options.set(found[1]!, found[3] !== undefined ? found[3].replace(/\\(.)/g, '$1') : found[2]!);
  }
  return { module: match[1]!, options };
}

const MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'];

// Keys this import reads; anything else is listed as ignored.
const READ = new Set([
  'bootstrap.servers',
  'metadata.broker.list',
  'client.id',
  'security.protocol',
  'sasl.mechanism',
  'sasl.mechanisms',
  'sasl.jaas.config',
  'sasl.username',
  'sasl.password',
  'sasl.oauthbearer.method',
  'sasl.oauthbearer.token.endpoint.url',
  'sasl.oauthbearer.client.id',
  'sasl.oauthbearer.client.secret',
  'sasl.oauthbearer.scope',
  'sasl.login.callback.handler.class',
  'ssl.ca.location',
  'ssl.truststore.location',
  'ssl.truststore.type',
  'ssl.truststore.password',
  'ssl.certificate.location',
  'ssl.key.location',
  'ssl.key.password',
  'ssl.keystore.location',
  'ssl.keystore.type',
  'ssl.keystore.password',
  'ssl.endpoint.identification.algorithm',
  'enable.ssl.certificate.verification',
]);

/**
 * A connection from a client properties file. `baseDir` resolves relative file paths (the file's own
 * directory); `name` names the connection. Throws with the key's name when a value cannot be used at all.
 */
export function connectionFromProperties(text: string, options: { name: string; baseDir: string }): ImportedProperties {
  const props = parseProperties(text);
  const warnings: string[] = [];
  const ignored = [...props.keys()].filter((key) => !READ.has(key)).sort();
  const get = (key: string) => {
    const value = props.get(key)?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const file = (key: string) => {
    const value = get(key);
    return value === undefined ? undefined : path.resolve(options.baseDir, value);
  };

  const bootstrap = get('bootstrap.servers') ?? get('metadata.broker.list');
  if (!bootstrap) throw new Error('The file sets no bootstrap.servers.');
  const protocol = (get('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    throw new Error(`security.protocol=${protocol} is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL.`);
  }
  const tlsOn = protocol === 'SSL' || protocol === 'SASL_SSL';
  const saslOn = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';

  const input: ConnectionInput = { name: options.name, bootstrapServers: bootstrap.replace(/\s+/g, ''), clientId: get('client.id') ?? 'kafka-desk' };

  if (saslOn) {
    const mechanismText = (get('sasl.mechanism') ?? get('sasl.mechanisms') ?? 'GSSAPI').toUpperCase();
    const jaasText = get('sasl.jaas.config');
    const jaas = jaasText ? parseJaas(jaasText) : null;
    if (jaasText && !jaas) warnings.push('sasl.jaas.config could not be read (expected: LoginModule required key="value" ...;).');
    if (!MECHANISMS.includes(mechanismText as SaslMechanism)) {
      throw new Error(`sasl.mechanism=${mechanismText} is not supported: Kafka Desk speaks PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER.`);
    }
    const mechanism = mechanismText as SaslMechanism;
    if (mechanism === 'OAUTHBEARER') {
      const endpoint = get('sasl.oauthbearer.token.endpoint.url');
      const clientId = jaas?.options.get('clientId') ?? get('sasl.oauthbearer.client.id');
      const secret = jaas?.options.get('clientSecret') ?? get('sasl.oauthbearer.client.secret');
      const scope = jaas?.options.get('scope') ?? get('sasl.oauthbearer.scope');
      if (endpoint) {
        input.sasl = {
          mechanism,
          oauth: { method: 'client-credentials', tokenEndpoint: endpoint, ...(clientId ? { clientId } : {}), ...(scope ? { scope } : {}) },
          ...(secret ? { password: secret } : {}),
        };
      } else {
        // Kafka's default OAUTHBEARER login makes unsecured tokens from the JAAS options; here the token is given.
        input.sasl = { mechanism, oauth: { method: 'token' } };
        warnings.push('OAUTHBEARER without sasl.oauthbearer.token.endpoint.url: enter the token in the dialog.');
      }
    } else {
      const username = jaas?.options.get('username') ?? get('sasl.username');
      const password = jaas?.options.get('password') ?? get('sasl.password');
      if (jaas && !/(PlainLoginModule|ScramLoginModule)$/.test(jaas.module)) {
        warnings.push(`sasl.jaas.config uses ${jaas.module}; its username and password were read for ${mechanism}.`);
      }
      input.sasl = { mechanism, username: username ?? '', ...(password !== undefined ? { password } : {}) };
      if (!username) warnings.push('No SASL user name in the file (sasl.jaas.config or sasl.username): enter it in the dialog.');
    }
  }

  if (tlsOn) {
    let caFile = file('ssl.ca.location');
    const truststore = file('ssl.truststore.location');
    if (!caFile && truststore) {
      const type = (get('ssl.truststore.type') ?? (/\.(pem|crt|cer)$/i.test(truststore) ? 'PEM' : 'JKS')).toUpperCase();
      if (type === 'PEM') caFile = truststore;
      else
        warnings.push(`ssl.truststore.location is a ${type} keystore (${truststore}), which is not read: export the CA as PEM and choose it as the CA file.`);
    }
    const certFile = file('ssl.certificate.location');
    const keyFile = file('ssl.key.location');
    const keystore = file('ssl.keystore.location');
    if (keystore && !certFile) {
      warnings.push(`ssl.keystore.location (${keystore}) is not read: export the client certificate and key as PEM files.`);
    }
    if (get('ssl.key.password')) warnings.push('ssl.key.password is set: Kafka Desk needs the client key unencrypted.');
    const algorithm = props.get('ssl.endpoint.identification.algorithm');
    const verifyHostname = algorithm === undefined || !['', 'none'].includes(algorithm.trim().toLowerCase());
    const verifyChain = (get('enable.ssl.certificate.verification') ?? 'true').toLowerCase() !== 'false';
    input.tls = {
      enabled: true,
      ...(caFile ? { caFile } : {}),
      ...(certFile ? { certFile } : {}),
      ...(keyFile ? { keyFile } : {}),
      rejectUnauthorized: verifyChain,
      verifyHostname,
    };
  }
  return { input, warnings, ignored };
}
