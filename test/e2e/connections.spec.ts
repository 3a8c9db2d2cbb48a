// Sick connections end to end: a dead address and a host that accepts TCP but never answers (a server
// in this test) show a truthful state, fail within the configured timeout naming the request and the
// address, and can be cancelled; writes are off while down. The embedded cluster that cannot start on
// a taken port says why and starts from the UI on free ports; it stops and starts again from there.
import { createServer, type Server, type Socket } from 'node:net';
import type { Page } from '@playwright/test';
import { expect, startWebApp, test } from './fixtures';
import { freePortRange } from '../support/ports';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

// A web app of this file's own (fixtures.ts: nothing another spec left behind is seen here).
test.use({ appFor: 'connections.spec.ts' });

/** Accepts connections and never answers, like a hung broker or another service on the port. */
async function silentServer(): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function addConnection(page: Page, fields: { name: string; servers: string; connect?: string; request?: string }) {
  await page.getByRole('button', { name: 'Add a connection' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a connection' });
  await dialog.getByLabel('Name').fill(fields.name);
  await dialog.getByLabel('Bootstrap servers').fill(fields.servers);
  if (fields.connect) await dialog.getByLabel('Connect timeout (s)').fill(fields.connect);
  if (fields.request) await dialog.getByLabel('Request timeout (s)').fill(fields.request);
  return dialog;
}

async function deleteConnection(page: Page, name: string) {
  await page.getByRole('button', { name: `Edit ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: `Edit ${name}` });
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog).toBeHidden();
}

test('a dead address and a host that never answers: truthful state, the configured timeout, Cancel, writes off', async ({ page, webApp }, testInfo) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const silent = await silentServer();
  const deadPort = await freePortRange(1);
  try {
    await page.goto(webApp.url);
    await expect(page.getByRole('button', { name: 'Embedded cluster', exact: true })).toHaveAttribute('data-state', 'up');

    // A dead address: down at once, in words that name it, once.
    const dead = await addConnection(page, { name: 'Dead', servers: `127.0.0.1:${deadPort}` });
    await dead.getByRole('button', { name: 'Save' }).click();
    await expect(dead).toBeHidden();
    const deadButton = page.getByRole('button', { name: 'Dead', exact: true });
    await expect(deadButton).toHaveAttribute('data-state', 'down');
    const bar = page.getByTestId('connection-bar');
    await expect(bar).toContainText('Dead is down');
    await expect(bar).toContainText(`127.0.0.1:${deadPort} refused the connection: nothing is listening on that port (ECONNREFUSED).`);
    await expect(page.getByTestId('connection-health')).toContainText('Down');
    await expect(page.getByRole('alert').filter({ hasText: 'Cannot reach the cluster' })).toBeVisible();
    expect(await page.locator('main').innerText()).not.toContain('Cannot reach the cluster: Cannot reach');
    await openScreen(page, 'Topics');
    await expect(page.getByRole('button', { name: 'Create topic', exact: true })).toBeDisabled();
    await expect(page.getByText('Writes are off while Dead is down.')).toBeVisible();
    await screenshots(page, testInfo, 'dead-topics');
    await openScreen(page, 'Produce');
    await expect(page.getByRole('button', { name: 'Send record' })).toBeDisabled();

    // A host that accepts and never answers. The dialog's test shows what it waits for and Cancel
    // ends it; with a 3 s request timeout it fails after 3 s, naming the request and the address.
    const dialog = await addConnection(page, { name: 'Silent', servers: silent.address, connect: '2', request: '20' });
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    const progress = dialog.getByRole('status', { name: 'Connection progress' });
    await expect(progress).toContainText(`Waiting for the answer to ApiVersions from ${silent.address}`);
    await expect(progress).toContainText('of 20 s');
    await screenshots(page, testInfo, 'silent-test-progress');
    await dialog.getByRole('button', { name: 'Cancel test' }).click();
    await expect(dialog.getByRole('alert')).toHaveText(
      new RegExp(`^Cancelled after [\\d.]+ s while waiting for the ApiVersions answer from ${silent.address.replace(/\./g, '\\.')}\\.$`),
    );

    await dialog.getByLabel('Request timeout (s)').fill('3');
    const started = Date.now();
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await expect(dialog.getByRole('alert')).toHaveText(`${silent.address} did not answer the ApiVersions request within 3 s (the request timeout).`, {
      timeout: 15_000,
    });
    // It waited the 3 s, not the 20 s typed before: a wall-clock bound that a loaded machine cannot break
    // (the page's polls and a busy event loop add seconds to 3, never 17).
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(2_500);
    expect(elapsed).toBeLessThan(15_000);
    await screenshots(page, testInfo, 'silent-test-timeout');

    // Saved (with 20 s) and chosen: the screen waits with progress in the status bar; Cancel ends it.
    await dialog.getByLabel('Request timeout (s)').fill('20');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
    await openScreen(page, 'Overview');
    await expect(bar.getByRole('status', { name: 'Connection progress' })).toContainText(`from ${silent.address}`);
    await screenshots(page, testInfo, 'silent-overview-waiting');
    await bar.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Cancelled' })).toContainText(`waiting for the ApiVersions answer from ${silent.address}`);

    // Its request timeout edited down to 3 s.
    await page.getByRole('button', { name: 'Edit Silent' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Silent' });
    await expect(edit.getByLabel('Request timeout (s)')).toHaveValue('20');
    await edit.getByLabel('Request timeout (s)').fill('3');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(edit).toBeHidden();

    // Trying again waits for the timeout and finds it down; the reason is in the status bar.
    await page.getByRole('button', { name: 'Try again' }).click();
    const silentButton = page.getByRole('button', { name: 'Silent', exact: true });
    await expect(silentButton).toHaveAttribute('data-state', 'down', { timeout: 10_000 });
    await expect(bar).toContainText('Silent is down');
    await expect(bar).toContainText(`${silent.address} did not answer the ApiVersions request within 3 s (the request timeout).`);
    await openScreen(page, 'Topics');
    await expect(page.getByRole('button', { name: 'Create topic', exact: true })).toBeDisabled();
    await screenshots(page, testInfo, 'silent-down-topics');

    // The embedded cluster is still up, and picking it again shows it so.
    await page.getByRole('button', { name: 'Embedded cluster', exact: true }).click();
    await expect(page.getByTestId('connection-health')).toContainText('Up');
    await expect(page.getByRole('button', { name: 'Create topic', exact: true })).toBeEnabled();
    await deleteConnection(page, 'Dead');
    await deleteConnection(page, 'Silent');
    expect(errors).toEqual([]);
  } finally {
    await silent.close();
  }
});

test('the embedded cluster: a start on a taken port says why, starts on free ports from the UI, stops and starts again', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const basePort = await freePortRange(2);
  // Another program holds the second broker's port.
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(basePort + 1, '127.0.0.1', resolve));
  const app = await startWebApp({ brokers: 2, basePort });
  try {
    await page.goto(app.url);
    const bar = page.getByTestId('connection-bar');
    await expect(bar).toContainText('The embedded cluster could not start');
    await expect(bar).toContainText(
      `Port ${basePort + 1} is in use by another program, so the embedded cluster (2 brokers on ports ${basePort}–${basePort + 1}) could not start.`,
    );
    await expect(page.getByRole('button', { name: 'Embedded cluster', exact: true })).toHaveAttribute('data-state', 'down');
    await screenshots(page, testInfo, 'embedded-failed-overview');

    await openScreen(page, 'Cluster panel');
    const card = page.getByTestId('embedded-not-running');
    await expect(card).toContainText('The embedded cluster could not start.');
    const startFree = card.getByRole('button', { name: /^Start on ports \d+–\d+$/ });
    const label = (await startFree.innerText()).trim();
    const [, free] = /^Start on ports (\d+)–/.exec(label) ?? [];
    expect(Number(free)).toBeGreaterThan(basePort + 1);
    await screenshots(page, testInfo, 'embedded-failed-panel');
    await startFree.click();
    await expect(page.getByTestId('bootstrap-servers')).toHaveText(`127.0.0.1:${free},127.0.0.1:${Number(free) + 1}`);
    await expect(page.getByTestId('broker-card-1')).toContainText('running');
    await expect(page.getByRole('button', { name: 'Embedded cluster', exact: true })).toHaveAttribute('data-state', 'up');
    await expect(bar).toHaveCount(0);

    // Settings say what runs and what the next launch will use, and how they differ.
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByTestId('embedded-running-now')).toContainText(`ports ${free}–${Number(free) + 1} (chosen in this run)`);
    await expect(page.getByTestId('settings-differ')).toContainText(`This run uses first port ${free} (saved: 19092) and 2 brokers (saved: 3).`);
    await expect(page.getByTestId('launch-overrides')).toContainText('--brokers');
    await screenshots(page, testInfo, 'settings-running-and-next');
    // Keeping what runs for the next launches: saved, nothing differs any more.
    await page.getByRole('button', { name: 'Use the running values' }).click();
    await expect(page.getByLabel('First port')).toHaveValue(String(free));
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByText('Saved. They apply at the next launch.')).toBeVisible();
    await expect(page.getByTestId('settings-differ')).toHaveCount(0);
    await page.getByRole('button', { name: 'Save and restart now' }).click();
    await expect(page.getByText('Saved, and the embedded cluster runs with them now.')).toBeVisible();
    await expect(page.getByTestId('embedded-running-now')).toContainText(`Running: 127.0.0.1:${free},127.0.0.1:${Number(free) + 1}`);

    // A stopped broker makes the connection degraded, naming it; started again, it is up.
    await openScreen(page, 'Cluster panel');
    await page.getByRole('button', { name: 'Stop broker 1' }).click();
    const embeddedButton = page.getByRole('button', { name: 'Embedded cluster', exact: true });
    await expect(embeddedButton).toHaveAttribute('data-state', 'degraded');
    await expect(bar).toContainText('Embedded cluster is degraded');
    await expect(bar).toContainText(`1 of 2 brokers does not answer: broker 1 at 127.0.0.1:${Number(free) + 1} (stopped in the Cluster panel).`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshots(page, testInfo, 'embedded-degraded-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('button', { name: 'Start broker 1' }).click();
    await expect(embeddedButton).toHaveAttribute('data-state', 'up');

    // Stopped from the Cluster panel; a screen's "Start the embedded cluster" brings it back.
    await openScreen(page, 'Cluster panel');
    await page.getByRole('button', { name: 'Stop cluster' }).click();
    await expect(page.getByTestId('embedded-not-running')).toContainText('The embedded cluster is stopped.');
    await openScreen(page, 'Overview');
    await expect(bar).toContainText('The embedded cluster is stopped');
    const retry = page.getByRole('alert').filter({ hasText: 'Cannot reach the cluster' }).getByRole('button', { name: 'Start the embedded cluster' });
    await retry.click();
    await expect(page.locator('.stat').filter({ hasText: 'Brokers' })).toContainText('2');
    await expect(bar).toHaveCount(0);

    await openScreen(page, 'Cluster panel');
    await page.getByRole('button', { name: 'Restart cluster' }).click();
    await expect(page.getByTestId('broker-card-0')).toContainText('running');
    await expect(page.getByTestId('bootstrap-servers')).toHaveText(`127.0.0.1:${free},127.0.0.1:${Number(free) + 1}`);
    await screenshots(page, testInfo, 'embedded-restarted');
    expect(errors).toEqual([]);
  } finally {
    await app.stop();
    await new Promise((resolve) => blocker.close(resolve));
  }
});

test("the embedded connection's timeouts: edited from the sidebar, refused out of range in words, kept", async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await expect(page.getByRole('button', { name: 'Embedded cluster', exact: true })).toHaveAttribute('data-state', 'up');
  await page.getByRole('button', { name: 'Timeouts of Embedded cluster' }).click();
  const dialog = page.getByRole('dialog', { name: 'Timeouts of Embedded cluster' });
  await expect(dialog.getByLabel('Connect timeout (s)')).toHaveValue('5');
  await expect(dialog.getByLabel('Request timeout (s)')).toHaveValue('15');
  await dialog.getByLabel('Connect timeout (s)').fill('0.1');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByText('The connect timeout must be at least 0.5 s.')).toBeVisible();
  await screenshots(page, testInfo, 'embedded-timeouts-refused');
  await dialog.getByLabel('Connect timeout (s)').fill('2');
  await dialog.getByLabel('Request timeout (s)').fill('7.5');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  // The connection checks again with them, and the dialog shows what is saved.
  await expect(page.getByRole('button', { name: 'Embedded cluster', exact: true })).toHaveAttribute('data-state', 'up');
  await page.getByRole('button', { name: 'Timeouts of Embedded cluster' }).click();
  await expect(dialog.getByLabel('Connect timeout (s)')).toHaveValue('2');
  await expect(dialog.getByLabel('Request timeout (s)')).toHaveValue('7.5');
  await screenshots(page, testInfo, 'embedded-timeouts');
  // Back to the defaults, for the other tests of this web app.
  await dialog.getByLabel('Connect timeout (s)').fill('5');
  await dialog.getByLabel('Request timeout (s)').fill('15');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  expect(errors).toEqual([]);
});
