// Reading Kafka client .properties files: the format's own rules (java.util.Properties), JAAS lines,
// and the Java client's and librdkafka's names for the same settings.
import { describe, expect, it } from 'vitest';
import { connectionFromProperties, parseJaas, parseProperties } from '../../electron/services/connections/properties';

describe('client .properties import', () => {
  it('reads the format as java.util.Properties does: comments, separators, continuations, escapes', () => {
    const props = parseProperties(
      [
        '# comment',
        '! also a comment',
        '  a=1',
        'b: 2',
        'c 3',
        'd = spaced value  ',
        'long=first,\\',
        '    second',
        'esc=tab\\there\\u00e9',
        'key\\=with=eq',
        '',
      ].join('\r\n'),
    );
    expect(Object.fromEntries(props)).toEqual({ a: '1', b: '2', c: '3', d: 'spaced value  ', long: 'first,second', esc: 'tab\there\u00e9', 'key=with': 'eq' });
  });

  it('reads JAAS options, quoted (with escapes) or bare', () => {
    expect(parseJaas('org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="p\\"w;d" extra=bare;')).toEqual({
      module: 'org.apache.kafka.common.security.scram.ScramLoginModule',
      options: new Map([
        ['username', 'alice'],
        ['password', 'p"w;d'],
        ['extra', 'bare'],
      ]),
    });
    expect(parseJaas('not jaas')).toBeNull();
  });

  it('makes a SASL_SSL SCRAM connection from Java client names, paths relative to the file', () => {
    const { input, warnings, ignored } = connectionFromProperties(
      [
        'bootstrap.servers=broker1:9093, broker2:9093',
        'security.protocol=SASL_SSL',
        'sasl.mechanism=SCRAM-SHA-512',
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\',
        '    username="alice" password="alice-secret";',
        'ssl.truststore.location=certs/ca.pem',
        'ssl.truststore.type=PEM',
        'ssl.endpoint.identification.algorithm=',
        'acks=all',
      ].join('\n'),
      { name: 'prod', baseDir: '/etc/kafka' },
    );
    expect(input).toEqual({
      name: 'prod',
      bootstrapServers: 'broker1:9093,broker2:9093',
      clientId: 'kafka-desk',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'alice-secret' },
      tls: { enabled: true, caFile: '/etc/kafka/certs/ca.pem', rejectUnauthorized: true, verifyHostname: false },
    });
    expect(warnings).toEqual([]);
    expect(ignored).toEqual(['acks']);
  });

  it('makes a connection from librdkafka names, and says what it cannot use', () => {
    const { input, warnings } = connectionFromProperties(
      [
        'bootstrap.servers=localhost:9094',
        'security.protocol=sasl_ssl',
        'sasl.mechanisms=PLAIN',
        'sasl.username=bob',
        'sasl.password=bob-secret',
        'ssl.ca.location=/tmp/ca.pem',
        'ssl.certificate.location=/tmp/client.pem',
        'ssl.key.location=/tmp/client-key.pem',
        'ssl.key.password=secret',
      ].join('\n'),
      { name: 'x', baseDir: '/' },
    );
    expect(input.sasl).toEqual({ mechanism: 'PLAIN', username: 'bob', password: 'bob-secret' });
    expect(input.tls).toMatchObject({ caFile: '/tmp/ca.pem', certFile: '/tmp/client.pem', keyFile: '/tmp/client-key.pem', verifyHostname: true });
    expect(warnings).toEqual(['ssl.key.password is set: Kafka Desk needs the client key unencrypted.']);
    const jks = connectionFromProperties('bootstrap.servers=h:1\nsecurity.protocol=SSL\nssl.truststore.location=/etc/truststore.jks', {
      name: 'x',
      baseDir: '/',
    });
    expect(jks.input.tls).toMatchObject({ enabled: true });
    expect(jks.input.tls?.caFile).toBeUndefined();
    expect(jks.warnings[0]).toContain('ssl.truststore.location is a JKS keystore (/etc/truststore.jks), which is not read');
  });

  it('reads OAuth client credentials (KIP-768 and librdkafka names)', () => {
    const java = connectionFromProperties(
      [
        'bootstrap.servers=h:9093',
        'security.protocol=SASL_SSL',
        'sasl.mechanism=OAUTHBEARER',
        'sasl.oauthbearer.token.endpoint.url=https://idp.example/oauth2/token',
        'sasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler',
        'sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="desk" clientSecret="s3cret" scope="kafka";',
      ].join('\n'),
      { name: 'x', baseDir: '/' },
    );
    expect(java.input.sasl).toEqual({
      mechanism: 'OAUTHBEARER',
      password: 's3cret',
      oauth: { method: 'client-credentials', tokenEndpoint: 'https://idp.example/oauth2/token', clientId: 'desk', scope: 'kafka' },
    });
    const librdkafka = connectionFromProperties(
      'bootstrap.servers=h:9093\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanisms=OAUTHBEARER\nsasl.oauthbearer.method=oidc\nsasl.oauthbearer.client.id=desk\nsasl.oauthbearer.client.secret=s\nsasl.oauthbearer.token.endpoint.url=https://idp/t',
      { name: 'x', baseDir: '/' },
    );
    expect(librdkafka.input.sasl).toMatchObject({ oauth: { method: 'client-credentials', clientId: 'desk' }, password: 's' });
  });

  it('refuses what cannot make a connection, naming the key', () => {
    expect(() => connectionFromProperties('acks=all', { name: 'x', baseDir: '/' })).toThrow('The file sets no bootstrap.servers.');
    expect(() => connectionFromProperties('bootstrap.servers=h:1\nsecurity.protocol=TLS', { name: 'x', baseDir: '/' })).toThrow(
      'security.protocol=TLS is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL.',
    );
    expect(() => connectionFromProperties('bootstrap.servers=h:1\nsecurity.protocol=SASL_SSL\nsasl.mechanism=GSSAPI', { name: 'x', baseDir: '/' })).toThrow(
      'sasl.mechanism=GSSAPI is not supported',
    );
  });
});
