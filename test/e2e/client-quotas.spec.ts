// Client quotas end to end (#16, KIP-546), in web mode against the app's embedded cluster: set a
// quota from the Users screen (bad numbers are refused with a clear message), a real kafkajs producer
// over its client id's producer_byte_rate is throttled and shows under "Throttled clients", change the
// quota, set one on the default IP, remove one. Each step waits for the state it acts on.
import { Kafka, logLevel } from 'kafkajs';
import { expect, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';
import { startTestCluster } from '../broker/clients/helpers';

test.use({ appFor: 'client-quotas.spec.ts' });

test('sets, changes and removes client quotas, and shows a real producer being throttled', async ({ page, webApp }, testInfo) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Users');
  const section = page.getByRole('region', { name: 'Client quotas' });
  await expect(section.getByText('No client quotas: no client is throttled.')).toBeVisible({ timeout: 30_000 });
  const throttledSection = page.getByRole('region', { name: 'Throttled clients' });
  await expect(throttledSection.getByText('No client has been throttled.')).toBeVisible();

  // Set a quota on a client id; bad numbers first.
  await section.getByRole('button', { name: 'Set a quota' }).click();
  let dialog = page.getByRole('dialog', { name: 'Set a client quota' });
  await dialog.getByLabel('Applies to').selectOption('client-id');
  await dialog.getByLabel('Client id', { exact: true }).fill('kd-e2e-slow');
  await dialog.getByLabel('Quota', { exact: true }).selectOption('producer_byte_rate');
  await dialog.getByLabel('Rate', { exact: true }).fill('fast');
  await dialog.getByRole('button', { name: 'Set quota' }).click();
  await expect(dialog.getByText('Enter a number (bytes per second, a whole number), without units or signs.')).toBeVisible();
  await dialog.getByLabel('Rate', { exact: true }).fill('1.5');
  await expect(dialog.getByText('producer_byte_rate must be a whole number.')).toBeVisible();
  await dialog.getByLabel('Rate', { exact: true }).fill('0');
  await expect(dialog.getByText('A quota must be above 0.')).toBeVisible();
  await screenshots(page, testInfo, 'client-quota-dialog-invalid');
  await dialog.getByLabel('Rate', { exact: true }).fill('1024');
  await dialog.getByRole('button', { name: 'Set quota' }).click();
  await expect(dialog).toBeHidden();
  const table = section.getByRole('table', { name: 'Client quotas' });
  const slowRow = table.getByRole('row').filter({ hasText: 'client-id kd-e2e-slow' });
  await expect(slowRow).toContainText('Produce: 1.0 KiB/s');

  // A real producer with that client id sends more than 1 KiB/s allows over the 10 s the broker measures.
  const kafka = new Kafka({ clientId: 'kd-e2e-slow', brokers: webApp.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'quota-e2e', numPartitions: 1, replicationFactor: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic: 'quota-e2e', messages: [{ value: Buffer.alloc(12_288, 0x61) }] });
    await producer.send({ topic: 'quota-e2e', messages: [{ value: 'after the throttle' }] });
  } finally {
    await producer.disconnect();
  }
  // The section reads the brokers' throttle metrics every few seconds: wait for the row.
  const throttledRow = throttledSection.getByRole('table', { name: 'Throttled clients' }).getByRole('row').filter({ hasText: 'client-id kd-e2e-slow' });
  await expect(throttledRow).toBeVisible({ timeout: 30_000 });
  await expect(throttledRow).toContainText('Produce: 1.0 KiB/s');
  await expect(throttledRow).toContainText(/\d+ requests?, \d+\.\d s in all/);
  await screenshots(page, testInfo, 'client-quotas-throttled', { fullPage: true });

  // Change it.
  await slowRow.getByRole('button', { name: 'Change producer_byte_rate of client-id kd-e2e-slow' }).click();
  dialog = page.getByRole('dialog', { name: 'Change producer_byte_rate of client-id kd-e2e-slow' });
  await expect(dialog.getByLabel('Rate', { exact: true })).toHaveValue('1024');
  await dialog.getByLabel('Rate', { exact: true }).fill('2048');
  await dialog.getByRole('button', { name: 'Set quota' }).click();
  await expect(dialog).toBeHidden();
  await expect(slowRow).toContainText('Produce: 2.0 KiB/s');

  // A connection rate on the default IP (KIP-612).
  await section.getByRole('button', { name: 'Set a quota' }).click();
  dialog = page.getByRole('dialog', { name: 'Set a client quota' });
  await dialog.getByLabel('Applies to').selectOption('ip');
  await dialog.getByLabel('Default IP (every IP without a quota of its own)').check();
  await expect(dialog.getByLabel('Quota', { exact: true })).toHaveValue('connection_creation_rate');
  await dialog.getByLabel('Rate', { exact: true }).fill('500');
  await dialog.getByRole('button', { name: 'Set quota' }).click();
  await expect(dialog).toBeHidden();
  await expect(table.getByRole('row').filter({ hasText: 'ip (default)' })).toContainText('New connections: 500/s');
  await expect(section.getByText('2 entities')).toBeVisible();
  await screenshots(page, testInfo, 'client-quotas-list');

  // Remove the client id's quota: its row goes.
  await slowRow.getByRole('button', { name: 'Remove producer_byte_rate of client-id kd-e2e-slow' }).click();
  dialog = page.getByRole('dialog', { name: 'Remove quota' });
  await dialog.getByRole('button', { name: 'Remove quota' }).click();
  await expect(dialog).toBeHidden();
  await expect(slowRow).toHaveCount(0);
  await expect(section.getByText('1 entity')).toBeVisible();
  expect(errors).toEqual([]);
});

test('a cluster before Kafka 2.6 is said to lack quota management, and another cluster who is throttled', async ({ page, webApp }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const old = await startTestCluster({ kafkaVersion: '2.5' });
  try {
    await page.goto(webApp.url);
    await page.getByRole('button', { name: 'Add a connection' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a connection' });
    await dialog.getByLabel('Name', { exact: true }).fill('Kafka 2.5');
    await dialog.getByLabel('Bootstrap servers').fill(old.bootstrap);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
    const button = page.getByRole('button', { name: 'Kafka 2.5', exact: true });
    await button.click();
    await expect(button).toHaveAttribute('data-state', 'up', { timeout: 30_000 });
    await openScreen(page, 'Users');
    const section = page.getByRole('region', { name: 'Client quotas' });
    await expect(
      section.getByText('Managing client quotas needs Kafka 2.6 or later (the DescribeClientQuotas API), and this cluster does not offer it.'),
    ).toBeVisible({ timeout: 30_000 });
    await expect(section.getByRole('button', { name: 'Set a quota' })).toBeDisabled();
    // No Kafka API reports throttling: the section says where it is shown.
    await expect(page.getByRole('region', { name: 'Throttled clients' })).toContainText('no Kafka API reports it');
  } finally {
    await old.close();
  }
  expect(errors).toEqual([]);
});
