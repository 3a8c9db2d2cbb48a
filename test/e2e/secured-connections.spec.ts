// Secured clusters end to end: secured embedded clusters started with the project's CLI
// (`npm run cluster -- --security-protocol ... --user ...`), and the app's connection dialog connects to
// them with PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER (a token, and client credentials from a
// token endpoint) over SASL_SSL, and over SSL; each usual mistake shows its own words and what to
// change; a client .properties file is imported. Screenshots of the dialog at 1024x700 and 1440x900.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect as connectTcp, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { freePortRange } from '../support/ports';
import { spawnChild, stopChild } from '../support/processes';
import { screenshots, watchConsole } from '../support/e2e-page';

// A web app of this file's own (fixtures.ts: nothing another spec left behind is seen here).
test.use({ appFor: 'secured-connections.spec.ts' });

interface CliCluster {
  bootstrap: string;
  caLocation: string | null;
  stop(): Promise<void>;
}

/** `npm run cluster -- <args>` in a temporary data dir, ready once it prints bootstrap.servers (and the CA). */
async function startCliCluster(args: string[]): Promise<CliCluster> {
  // A port taken between the probe and the cluster's bind (another test's client or broker) gets another try.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startCliClusterOnce(args);
    } catch (error) {
      if (attempt === 3 || !/EADDRINUSE|is in use/.test((error as Error).message)) throw error;
    }
  }
}

async function startCliClusterOnce(args: string[]): Promise<CliCluster> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kd-e2e-secured-'));
  const port = await freePortRange(1);
  const child: ChildProcess = spawnChild(
    process.execPath,
    [
      'node_modules/tsx/dist/cli.mjs',
      'electron/broker/cli.ts',
      '--brokers',
      '1',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      ...args,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const stop = async () => {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the cluster did not start in 90 s:\n${output}`)), 90_000);
      child.stdout?.on('data', () => {
        // security.protocol comes last in the ready output of a secured cluster.
        if (/^security\.protocol=/m.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the cluster exited with ${code}:\n${output}`));
      });
    });
  } catch (error) {
    // A start that failed or timed out stops what it started.
    await stop();
    throw error;
  }
  return {
    bootstrap: /^bootstrap\.servers=(\S+)$/m.exec(output)?.[1] ?? '',
    caLocation: /^ssl\.ca\.location=(\S+)$/m.exec(output)?.[1] ?? null,
    stop,
  };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** An unsecured JWS (KIP-255): what the embedded brokers accept by default. */
const unsecuredToken = (subject: string, expiresInSeconds = 3600) => {
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none' })}.${b64({ sub: subject, iat: now, exp: now + expiresInSeconds })}.`;
};

/** An OAuth token endpoint (client credentials) for client "desk" with secret "desk-secret". */
async function tokenEndpoint(): Promise<{ url: string; close(): void }> {
  const server: Server = createHttpServer((request, response) => {
    const [id, secret] = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':');
    request.resume();
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      if (id === 'desk' && secret === 'desk-secret')
        response.end(JSON.stringify({ access_token: unsecuredToken('alice'), token_type: 'Bearer', expires_in: 600 }));
      else response.writeHead(401).end(JSON.stringify({ error: 'invalid_client' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/token`, close: () => server.close() };
}

/** 127.0.0.2:<port> forwarded to a broker: its listener under an address the certificate does not name. */
async function forwarder(target: string): Promise<{ address: string; close(): void }> {
  const [host, port] = target.split(':');
  const server: TcpServer = createTcpServer((socket) => {
    const upstream = connectTcp(Number(port), host);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return { address: `127.0.0.2:${(server.address() as { port: number }).port}`, close: () => server.close() };
}

interface Form {
  name?: string;
  servers: string;
  mechanism?: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';
  user?: string;
  password?: string;
  token?: string;
  clientCredentials?: { endpoint: string; id: string; secret: string };
  // ca: a CA file, or 'system' for the system's trust store.
  tls?: { ca: string; verifyHostname?: boolean };
}

async function openDialog(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Add a connection' }).click();
  return page.getByRole('dialog', { name: 'Add a connection' });
}

async function fill(dialog: Locator, form: Form): Promise<void> {
  await dialog.getByLabel('Name', { exact: true }).fill(form.name ?? 'Secured');
  await dialog.getByLabel('Bootstrap servers').fill(form.servers);
  await dialog.getByLabel('SASL mechanism').selectOption(form.mechanism ?? 'none');
  if (form.user !== undefined) await dialog.getByLabel('User name').fill(form.user);
  if (form.password !== undefined) await dialog.getByLabel('Password', { exact: true }).fill(form.password);
  if (form.token !== undefined) {
    await dialog.getByLabel('Token from').selectOption('token');
    await dialog.getByLabel('Token', { exact: true }).fill(form.token);
  }
  if (form.clientCredentials) {
    await dialog.getByLabel('Token from').selectOption('client-credentials');
    await dialog.getByLabel('Token endpoint').fill(form.clientCredentials.endpoint);
    await dialog.getByLabel('OAuth client id').fill(form.clientCredentials.id);
    await dialog.getByLabel('OAuth client secret').fill(form.clientCredentials.secret);
  }
  const tls = dialog.getByLabel('Use TLS');
  if (form.tls) {
    await tls.check();
    if (form.tls.ca === 'system') await dialog.getByLabel('Trusted CAs').selectOption('system');
    else {
      await dialog.getByLabel('Trusted CAs').selectOption('file');
      await dialog.getByLabel('CA certificate file').fill(form.tls.ca);
    }
    await dialog.getByLabel("Verify that the certificate names the broker's host").setChecked(form.tls.verifyHostname ?? true);
  } else {
    await tls.uncheck();
  }
}

async function expectConnected(dialog: Locator): Promise<void> {
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'Connected in' })).toContainText('1 broker');
}

async function expectRefused(dialog: Locator, message: string | RegExp, hint: string): Promise<void> {
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  const alert = dialog.getByRole('alert').filter({ hasText: hint });
  await expect(alert).toContainText(message);
}

test.describe('secured clusters', () => {
  let saslSsl: CliCluster;
  let ssl: CliCluster;
  let saslPlain: CliCluster;
  let tokens: Awaited<ReturnType<typeof tokenEndpoint>>;
  let wrongName: Awaited<ReturnType<typeof forwarder>>;

  test.beforeAll(async () => {
    test.setTimeout(150_000);
    // Settled all: a cluster that started is kept (and stopped after) even when another one failed.
    const [first, second, third, endpoint] = await Promise.allSettled([
      startCliCluster(['--security-protocol', 'SASL_SSL', '--user', 'admin:admin-secret', '--user', 'alice:alice-secret']),
      startCliCluster(['--security-protocol', 'SSL']),
      startCliCluster(['--security-protocol', 'SASL_PLAINTEXT', '--user', 'alice:alice-secret', '--config', 'sasl.enabled.mechanisms=PLAIN']),
      tokenEndpoint(),
    ]);
    if (first.status === 'fulfilled') saslSsl = first.value;
    if (second.status === 'fulfilled') ssl = second.value;
    if (third.status === 'fulfilled') saslPlain = third.value;
    if (endpoint.status === 'fulfilled') tokens = endpoint.value;
    for (const outcome of [first, second, third, endpoint]) if (outcome.status === 'rejected') throw outcome.reason;
    wrongName = await forwarder(saslSsl.bootstrap);
  });
  test.afterAll(async () => {
    wrongName?.close();
    tokens?.close();
    await Promise.all([saslSsl?.stop(), ssl?.stop(), saslPlain?.stop()]);
  });

  test('connects with every mechanism over SASL_SSL and over SSL, and saves a secured connection', async ({ page, webApp }, testInfo) => {
    test.setTimeout(180_000);
    const errors = watchConsole(page);
    await page.goto(webApp.url);
    const ca = saslSsl.caLocation ?? '';
    const dialog = await openDialog(page);
    for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      await fill(dialog, { servers: saslSsl.bootstrap, mechanism, user: 'alice', password: 'alice-secret', tls: { ca } });
      await expect(dialog.getByText('security.protocol=SASL_SSL')).toBeVisible();
      await expectConnected(dialog);
    }
    await screenshots(page, testInfo, 'dialog-sasl-ssl-connected');

    await fill(dialog, { servers: saslSsl.bootstrap, mechanism: 'OAUTHBEARER', token: unsecuredToken('alice'), tls: { ca } });
    await expectConnected(dialog);
    await fill(dialog, {
      servers: saslSsl.bootstrap,
      mechanism: 'OAUTHBEARER',
      clientCredentials: { endpoint: tokens.url, id: 'desk', secret: 'desk-secret' },
      tls: { ca },
    });
    await expectConnected(dialog);
    await screenshots(page, testInfo, 'dialog-oauth-client-credentials');

    await fill(dialog, { servers: ssl.bootstrap, tls: { ca: ssl.caLocation ?? '' } });
    await expect(dialog.getByText('security.protocol=SSL')).toBeVisible();
    await expectConnected(dialog);

    // Saved: the connection is used by the screens like any other.
    await fill(dialog, { name: 'Secured SCRAM', servers: saslSsl.bootstrap, mechanism: 'SCRAM-SHA-512', user: 'admin', password: 'admin-secret', tls: { ca } });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('button', { name: 'Secured SCRAM', exact: true })).toHaveAttribute('data-state', 'up');
    // Editing it shows the secret as kept, never the secret itself.
    await page.getByRole('button', { name: 'Edit Secured SCRAM' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Secured SCRAM' });
    await expect(edit.getByLabel('Password', { exact: true })).toHaveValue('');
    await expect(edit.getByText('A password is saved; leave empty to keep it.')).toBeVisible();
    await expectConnected(edit);
    await edit.getByRole('button', { name: 'Delete' }).click();
    await expect(edit).toBeHidden();
    expect(errors).toEqual([]);
  });

  test('says clearly what is wrong: unknown CA, hostname, credentials, mechanism, TLS and SASL mismatches', async ({ page, webApp }, testInfo) => {
    test.setTimeout(180_000);
    await page.goto(webApp.url);
    const ca = saslSsl.caLocation ?? '';
    const alice = { mechanism: 'SCRAM-SHA-256', user: 'alice', password: 'alice-secret' } as const;
    const dialog = await openDialog(page);

    await fill(dialog, { servers: saslSsl.bootstrap, ...alice, password: 'wrong-password', tls: { ca } });
    await expectRefused(dialog, `${saslSsl.bootstrap} refused the credentials of user alice (SCRAM-SHA-256)`, 'Check the user name and the password.');
    await screenshots(page, testInfo, 'dialog-wrong-password');

    await fill(dialog, { servers: saslSsl.bootstrap, ...alice, tls: { ca: 'system' } });
    await expectRefused(
      dialog,
      `The certificate of ${saslSsl.bootstrap} was issued by a CA this connection does not trust`,
      'system’s trusted CAs do not include it',
    );
    await screenshots(page, testInfo, 'dialog-unknown-ca');

    await fill(dialog, { servers: wrongName.address, ...alice, tls: { ca } });
    await expectRefused(dialog, `The certificate of ${wrongName.address} is not for 127.0.0.2`, 'turn off hostname verification');
    await fill(dialog, { servers: wrongName.address, ...alice, tls: { ca, verifyHostname: false } });
    await expect(dialog.getByText('Hostname verification is off')).toBeVisible();
    await expectConnected(dialog);

    await fill(dialog, { servers: saslPlain.bootstrap, mechanism: 'SCRAM-SHA-512', user: 'alice', password: 'alice-secret' });
    await expectRefused(dialog, `${saslPlain.bootstrap} does not accept SCRAM-SHA-512; it offers PLAIN.`, 'Choose a mechanism the cluster offers');

    await fill(dialog, { servers: saslSsl.bootstrap, ...alice });
    await expectRefused(dialog, `${saslSsl.bootstrap} expects TLS, and this connection does not use it.`, 'Turn TLS on');
    await screenshots(page, testInfo, 'dialog-tls-expected');

    await fill(dialog, { servers: webApp.bootstrapServers.split(',')[0] ?? '', tls: { ca } });
    await expectRefused(dialog, 'does not speak TLS: it closed the connection during the TLS handshake.', 'Turn TLS off');

    await fill(dialog, { servers: saslPlain.bootstrap });
    await expectRefused(
      dialog,
      `${saslPlain.bootstrap} expects SASL authentication (it offers PLAIN), and this connection does not authenticate.`,
      'Choose a SASL mechanism',
    );

    await fill(dialog, { servers: ssl.bootstrap, ...alice, tls: { ca: ssl.caLocation ?? '' } });
    await expectRefused(dialog, `${ssl.bootstrap} does not use SASL on this listener`, 'Set the SASL mechanism to None');

    await fill(dialog, {
      servers: saslSsl.bootstrap,
      mechanism: 'OAUTHBEARER',
      clientCredentials: { endpoint: tokens.url, id: 'desk', secret: 'nope' },
      tls: { ca },
    });
    await expectRefused(dialog, `The token endpoint ${tokens.url} refused the client id or secret (HTTP 401: invalid_client).`, 'Check the token endpoint');

    // A file that is not a certificate is refused before any connection, naming it.
    await fill(dialog, { servers: saslSsl.bootstrap, ...alice, tls: { ca: path.join(path.dirname(ca), 'missing.pem') } });
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await expect(dialog.getByRole('alert').filter({ hasText: 'missing.pem does not exist.' })).toBeVisible();
  });

  test('imports a client .properties file and connects with it', async ({ page, webApp }, testInfo) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kd-e2e-properties-'));
    try {
      const file = path.join(dir, 'team-cluster.properties');
      await writeFile(
        file,
        [
          '# as handed out to a team',
          `bootstrap.servers=${saslSsl.bootstrap}`,
          'security.protocol=SASL_SSL',
          'sasl.mechanism=SCRAM-SHA-512',
          'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";',
          `ssl.ca.location=${saslSsl.caLocation ?? ''}`,
          'ssl.keystore.location=/etc/kafka/client.keystore.jks',
          'acks=all',
        ].join('\n'),
      );
      await page.goto(webApp.url);
      const dialog = await openDialog(page);
      await dialog.getByRole('button', { name: 'Import .properties…' }).click();
      await dialog.getByLabel('File', { exact: true }).fill(file);
      await screenshots(page, testInfo, 'dialog-import');
      await dialog.getByRole('button', { name: 'Import', exact: true }).click();
      const edit = page.getByRole('dialog', { name: 'Edit team-cluster' });
      await expect(edit.getByRole('status').filter({ hasText: 'Imported and saved' })).toContainText(
        'ssl.keystore.location (/etc/kafka/client.keystore.jks) is not read: export the client certificate and key as PEM files.',
      );
      await expect(edit.getByRole('status').filter({ hasText: 'Imported and saved' })).toContainText('Not used for connecting: acks.');
      await expect(edit.getByLabel('SASL mechanism')).toHaveValue('SCRAM-SHA-512');
      await expect(edit.getByLabel('User name')).toHaveValue('alice');
      await expect(edit.getByLabel('CA certificate file')).toHaveValue(saslSsl.caLocation ?? '');
      await screenshots(page, testInfo, 'dialog-imported');
      await expectConnected(edit);
      await expect(page.getByRole('button', { name: 'team-cluster', exact: true })).toBeVisible();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
