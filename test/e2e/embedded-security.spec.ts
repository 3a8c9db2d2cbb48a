// The embedded cluster secured from the app (#15): Settings' security form (protocol, users, ACLs)
// refuses what cannot secure a cluster, beside the field; saved and applied, the cluster restarts
// SASL_SSL with the authorizer on, the app's embedded connection logs in as the first user, a real
// client (kcat) works as that user over TLS with the generated CA and is refused without TLS, and a
// user without ACLs sees nothing. And `npm run web -- --security-protocol ... --user ... --acl` runs it
// so for one run, as `npm run cluster` does.
import { execFile } from 'node:child_process';
import { expect, startWebApp, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

/** kcat against the cluster with these client settings and `input` on its standard input; never longer than 30 s. */
function kcat(bootstrap: string, settings: Record<string, string>, args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const options = Object.entries(settings).flatMap(([name, value]) => ['-X', `${name}=${value}`]);
  return new Promise((resolve) => {
    const child = execFile('/usr/bin/kcat', ['-b', bootstrap, ...options, ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

const scram = (caLocation: string, user: string, password: string) => ({
  'security.protocol': 'SASL_SSL',
  'ssl.ca.location': caLocation,
  'sasl.mechanisms': 'SCRAM-SHA-512',
  'sasl.username': user,
  'sasl.password': password,
});

test('Settings secure the embedded cluster: SASL_SSL, users and ACLs, and the app and kcat connect', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const app = await startWebApp({ brokers: 1 });
  try {
    const errors = watchConsole(page);
    await page.goto(app.url);
    await openScreen(page, 'Settings');
    const security = page.getByTestId('embedded-security-settings');
    // The form shows once the saved settings have loaded: nothing is typed before.
    await expect(security.getByLabel('Security protocol')).toHaveValue('PLAINTEXT');
    await expect(page.getByTestId('embedded-running-now')).toContainText('Running: ');
    // This run's brokers and ports came from the command line (free ports): keep them for the restart.
    await page.getByTestId('settings-differ').getByRole('button', { name: 'Use the running values' }).click();
    await expect(page.getByLabel('Brokers', { exact: true })).toHaveValue('1');

    // What cannot secure a cluster is refused beside its field, and nothing is saved.
    await security.getByLabel('Security protocol').selectOption('SSL');
    await security.getByLabel(/ACLs on:/).check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(security.getByRole('alert')).toHaveText('ACLs need SASL: the first user is the super user Kafka Desk logs in as.');
    await security.getByLabel('Security protocol').selectOption('SASL_SSL');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(security.getByRole('alert')).toHaveText('SASL needs a user: Kafka Desk logs in as the first one.');
    await security.getByRole('button', { name: 'Add user' }).click();
    const first = security.getByRole('group', { name: 'User 1' });
    await first.getByLabel('Name').fill('admin');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(first.getByRole('alert')).toHaveText('Enter a password for admin: a new user needs one.');
    await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toHaveCount(0);

    await first.getByLabel('Password').fill('admin-secret');
    await security.getByRole('button', { name: 'Add user' }).click();
    const second = security.getByRole('group', { name: 'User 2' });
    await second.getByLabel('Name').fill('alice');
    await second.getByLabel('Password').fill('alice-secret');
    await expect(first).toContainText('Kafka Desk logs in as this user, a super user.');
    await expect(security.getByRole('alert')).toHaveCount(0);
    await screenshots(page, testInfo, 'settings-security-form', { fullPage: true });

    await page.getByRole('button', { name: 'Save and restart now' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toHaveText('Saved, and the embedded cluster runs with them now.', { timeout: 90_000 });
    // The passwords are kept, not shown: the fields are empty again and say so.
    await expect(first.getByLabel('Password')).toHaveValue('');
    await expect(first).toContainText('Kept (not shown). Leave empty to keep it.');
    const now = page.getByTestId('embedded-running-now');
    await expect(now.getByTestId('embedded-security')).toHaveText(
      'SASL_SSL: Kafka Desk logs in as admin (SCRAM-SHA-512); ACLs on, the first user is the super user',
    );
    const caLocation = (await now.getByTestId('embedded-ca-location').textContent()) ?? '';
    expect(caLocation).toMatch(/tls\/ca\.pem$/);
    const bootstrap = ((await now.locator('p').first().textContent()) ?? '').replace(/^Running: /, '');
    await screenshots(page, testInfo, 'settings-security-saved', { fullPage: true });

    // A real client: admin over SASL_SSL with the generated CA makes a topic; without TLS it is refused.
    // (The topic is made by auto.create.topics.enable, which the super user may use.)
    const produced = await kcat(bootstrap, scram(caLocation, 'admin', 'admin-secret'), ['-P', '-t', 'secured.from-settings'], 'hello\n');
    expect(produced.code, produced.stderr).toBe(0);
    const plaintext = await kcat(bootstrap, {}, ['-L', '-m', '5']);
    expect(plaintext.code).not.toBe(0);
    // alice has no ACL: she logs in but sees no topic.
    const asAlice = await kcat(bootstrap, scram(caLocation, 'alice', 'alice-secret'), ['-L', '-m', '10']);
    expect(asAlice.code).toBe(0);
    expect(asAlice.stdout).not.toContain('secured.from-settings');

    // The app's embedded connection logs in as admin: its screens work on the secured cluster.
    await expect(page.getByRole('button', { name: 'Embedded cluster', exact: true })).toHaveAttribute('data-state', 'up', { timeout: 30_000 });
    await openScreen(page, 'Topics');
    await expect(page.getByRole('button', { name: 'secured.from-settings', exact: true })).toBeVisible({ timeout: 30_000 });
    await openScreen(page, 'ACLs');
    await expect(page.getByText('This cluster has no ACLs.')).toBeVisible();
    await screenshots(page, testInfo, 'settings-security-topics');
    expect(errors).toEqual([]);
  } finally {
    await app.stop();
  }
});

test('npm run web -- --security-protocol SASL_SSL --user ... --acl secures the embedded cluster for the run', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const app = await startWebApp({
    brokers: 1,
    extraArgs: ['--security-protocol', 'SASL_SSL', '--user', 'admin:admin-secret', '--user', 'alice:alice-secret', '--acl'],
  });
  try {
    const errors = watchConsole(page);
    const printed =
      /Embedded cluster security: security\.protocol=SASL_SSL ssl\.ca\.location=(\S+) \(Kafka Desk logs in as admin, a super user; ACLs on\)/.exec(
        app.output(),
      );
    expect(printed, app.output()).not.toBeNull();
    const listed = await kcat(app.bootstrapServers, scram(printed?.[1] ?? '', 'alice', 'alice-secret'), ['-L', '-m', '10']);
    expect(listed.code, listed.stderr).toBe(0);

    await page.goto(app.url);
    await openScreen(page, 'Settings');
    await expect(page.getByTestId('launch-overrides')).toContainText('--security-protocol/--user/--acl');
    await expect(page.getByTestId('embedded-running-now').getByTestId('embedded-security')).toContainText('SASL_SSL: Kafka Desk logs in as admin');
    await screenshots(page, testInfo, 'settings-security-flags', { fullPage: true });
    await openScreen(page, 'ACLs');
    await expect(page.getByText('This cluster has no ACLs.')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole('button', { name: 'Create ACL' })).toBeEnabled();
    expect(errors).toEqual([]);
  } finally {
    await app.stop();
  }
});
