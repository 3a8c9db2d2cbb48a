// Feature versions and eligible leader replicas in the app (#16, KIP-584, KIP-966), in web mode: the
// Overview's Features panel lists the finalized levels and supported ranges, validates and applies an
// upgrade (share.version) and shows the controller's refusal of a downgrade in its words; the topic
// page's partitions table shows the ELR as brokers stop (a 4-broker cluster, so the app still reads it
// when the partition's three replicas are down) and the clean election from it; a cluster playing 2.5
// says features need 2.7. Screenshots at 1024x700 and 1440x900 go to test-results/.
import { Kafka, logLevel } from 'kafkajs';
import type { Page } from '@playwright/test';
import { expect, startWebApp, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

// A web app of this file's own (fixtures.ts: nothing another spec left behind is seen here).
test.use({ appFor: 'features-elr.spec.ts' });
test.describe.configure({ mode: 'serial' });

const TOPIC = 'elr.demo';

test('the Features panel lists levels and ranges, validates and applies an upgrade, and shows Kafka refusing a downgrade', async ({
  page,
  webApp,
}, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Overview');
  const panel = page.getByRole('table', { name: 'Feature versions' });
  await expect(panel).toBeVisible();
  const row = (feature: string) => panel.locator(`tr[data-feature="${feature}"]`);
  await expect(row('metadata.version').locator('td[data-column="finalized"]')).toHaveText('27 (4.1-IV1)');
  await expect(row('metadata.version').locator('td[data-column="supported"]')).toHaveText('7 (3.3-IV3) – 27 (4.1-IV1)');
  await expect(row('eligible.leader.replicas.version').locator('td[data-column="finalized"]')).toHaveText('1');
  await expect(row('share.version').locator('td[data-column="finalized"]')).toHaveText('0 (off)');
  await panel.scrollIntoViewIfNeeded();
  await screenshots(page, testInfo, 'features-panel');

  // share.version 0 -> 1: validated first, then applied.
  await row('share.version').getByRole('button', { name: 'Change share.version' }).click();
  const dialog = page.getByRole('dialog', { name: 'Change share.version' });
  await expect(dialog.getByText('share.version is already at 0 (off): choose another level.')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Apply' })).toBeDisabled();
  await dialog.getByLabel('New level').selectOption('1');
  await dialog.getByRole('button', { name: 'Validate only' }).click();
  await expect(dialog.getByRole('status')).toHaveText('The cluster accepts setting share.version to 1 (validated, not applied).');
  await screenshots(page, testInfo, 'features-validated');
  await dialog.getByRole('button', { name: 'Upgrade' }).click();
  await expect(dialog).toBeHidden();
  await expect(row('share.version').locator('td[data-column="finalized"]')).toHaveText('1');

  // metadata.version down across format changes: the controller refuses, and says why.
  await row('metadata.version').getByRole('button', { name: 'Change metadata.version' }).click();
  const downgrade = page.getByRole('dialog', { name: 'Change metadata.version' });
  await downgrade.getByLabel('New level').selectOption('7');
  await expect(downgrade.getByText('A downgrade.')).toBeVisible();
  await downgrade.getByRole('button', { name: 'Downgrade' }).click();
  await expect(downgrade.getByRole('alert')).toContainText('Refusing to perform the requested downgrade because it might delete metadata information');
  await screenshots(page, testInfo, 'features-refused');
  await downgrade.getByRole('button', { name: 'Cancel' }).click();
  await expect(row('metadata.version').locator('td[data-column="finalized"]')).toHaveText('27 (4.1-IV1)');
  expect(errors).toEqual([]);
});

/** The partitions table's only row, once the topic page is open. */
async function partitionRow(page: Page) {
  return page.getByRole('table', { name: 'Partitions' }).locator('tr[data-partition="0"]');
}

async function stopBroker(page: Page, id: number, state: 'stopped' | 'running', action: 'Stop' | 'Start') {
  await openScreen(page, 'Cluster panel');
  await page.getByRole('button', { name: `${action} broker ${id}` }).click();
  await expect(page.getByTestId(`broker-card-${id}`)).toContainText(state);
}

async function openTopic(page: Page) {
  await openScreen(page, 'Topics');
  await page.getByRole('button', { name: TOPIC, exact: true }).click();
  await expect(page.locator('.topic-title')).toHaveText(TOPIC);
}

test('the topic page shows eligible leader replicas as brokers stop, and the clean election from them', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const app = await startWebApp({ brokers: 4 });
  try {
    const kafka = new Kafka({ clientId: 'elr-e2e', brokers: app.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [0, 1, 2] }], configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
    });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 20 }, (_, i) => ({ value: `v${i}` })) });
    await producer.disconnect();

    const errors = watchConsole(page);
    await page.goto(app.url);
    await openTopic(page);
    const row = await partitionRow(page);
    await expect(row.locator('td[data-column="elr"]')).toHaveText('—');

    // Two followers stop: the ISR falls below min.insync.replicas and broker 1, the last to leave, is eligible.
    await stopBroker(page, 2, 'stopped', 'Stop');
    await stopBroker(page, 1, 'stopped', 'Stop');
    await openTopic(page);
    await expect(row.locator('td[data-column="elr"] .badge')).toHaveText(['1']);
    await expect(row.locator('td[data-column="leader"]')).toHaveText('0');
    await screenshots(page, testInfo, 'elr-below-min-isr');

    // The leader stops too: offline, both 0 and 1 eligible, 0 the last known leader.
    await stopBroker(page, 0, 'stopped', 'Stop');
    await openTopic(page);
    await expect(row.locator('td[data-column="leader"]')).toHaveText('offline');
    await expect(row.locator('td[data-column="elr"] .badge')).toHaveText(['0', '1']);
    await expect(row.getByTestId('last-known-elr')).toHaveText('last known: 0');
    await expect(row).toHaveAttribute(
      'title',
      /eligible leader replicas \(ELR\) on brokers 0 and 1 are down; once one is back it leads without losing a committed record/,
    );
    await screenshots(page, testInfo, 'elr-offline');

    // Broker 1 comes back first: elected from the ELR, cleanly.
    await stopBroker(page, 1, 'running', 'Start');
    await openTopic(page);
    await expect(row.locator('td[data-column="leader"]')).toHaveText('1');
    await expect(row.locator('td[data-column="elr"] .badge')).toHaveText(['0']);
    await screenshots(page, testInfo, 'elr-elected');
    expect(errors).toEqual([]);
  } finally {
    await app.stop();
  }
});

test('a cluster before Kafka 2.7 says feature versions need 2.7 or later', async ({ page }, testInfo) => {
  const old = await startWebApp({ brokers: 1, extraArgs: ['--kafka-version', '2.5'] });
  try {
    const errors = watchConsole(page);
    await page.goto(old.url);
    await openScreen(page, 'Overview');
    const panel = page.locator('[aria-label="Features"]');
    await expect(panel).toContainText('Feature versions need Kafka 2.7 or later');
    await expect(panel.getByRole('button', { name: /^Change / })).toHaveCount(0);
    await panel.scrollIntoViewIfNeeded();
    await screenshots(page, testInfo, 'features-unsupported');
    expect(errors).toEqual([]);
  } finally {
    await old.stop();
  }
});
