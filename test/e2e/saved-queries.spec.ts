// Saved queries of the message browser (#20), in web mode against the embedded cluster: the form's whole
// query saved under a name, applied from the picker (form and records as saved), renamed, replaced,
// deleted, and still there after the app is started again on the same data directory.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { Kafka, logLevel } from 'kafkajs';
import { startWebApp, type WebApp } from './fixtures';
import { freePortRange } from '../support/ports';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

const TOPIC = 'e2e-saved-queries';

test.describe.configure({ mode: 'serial' });

let dataDir = '';
let basePort = 0;
let app: (WebApp & { stop(): Promise<void> }) | null = null;

test.beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-e2e-saved-'));
  basePort = await freePortRange(1);
  app = await startWebApp({ brokers: 1, basePort, dataDir });
  const kafka = new Kafka({ clientId: 'e2e-saved', brokers: app.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  // 10 records a partition; every third is a gold order.
  await producer.send({
    topic: TOPIC,
    messages: Array.from({ length: 30 }, (_, index) => ({
      partition: index % 3,
      key: `customer-${index}`,
      value: JSON.stringify({ order: index, tier: index % 3 === 1 || index % 9 === 0 ? 'gold' : 'basic' }),
    })),
  });
  await producer.disconnect();
});

test.afterAll(async () => {
  await app?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const rows = (page: Page) => page.getByTestId('records-scroll').locator('[role="row"]');
const query = (page: Page) => page.getByRole('form', { name: 'Query' });

/** Opens the browser on the topic and waits for its first page (the read the topic's decoders start). */
async function openTopic(page: Page, url: string) {
  await page.goto(url);
  await openScreen(page, 'Messages');
  await page.getByLabel('Topic', { exact: true }).selectOption(TOPIC);
  await expect(page.getByRole('status', { name: 'Page status' })).toContainText('30 records');
  await expect(query(page).getByRole('button', { name: 'Read' })).toBeEnabled();
}

test('saves the whole query under a name, applies, renames, replaces and deletes it', async ({ page }, testInfo) => {
  const errors = watchConsole(page);
  await openTopic(page, app!.url);
  const form = query(page);
  const picker = page.getByLabel('Saved queries', { exact: true });
  await expect(picker).toBeDisabled();
  await expect(picker.locator('option').first()).toHaveText('No saved queries');

  // Partition 1 from the start, 4 a page, value contains "gold", read committed, markers shown.
  await form.getByLabel('Partition', { exact: true }).selectOption('1');
  await form.getByLabel('Start').selectOption('earliest');
  await form.getByLabel('Records per page').fill('4');
  await form.getByLabel('Isolation').selectOption('read_committed');
  await form.getByLabel('Markers').check();
  await form.getByLabel('Filter', { exact: true }).selectOption('value');
  await form.getByLabel('Filter text').fill('gold');
  await form.getByRole('button', { name: 'Read' }).click();
  await expect(page.getByRole('status', { name: 'Page status' })).toContainText('4 records');
  const goldOnOne = await rows(page).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-offset')));

  await page.getByRole('button', { name: 'Save query…' }).click();
  const dialog = page.getByRole('dialog', { name: `Saved queries of ${TOPIC}` });
  await expect(dialog.getByText('No query is saved for this topic yet.')).toBeVisible();
  await expect(dialog.getByLabel('Query to save')).toHaveText(
    'earliest · 4 records · partition 1 · value contains "gold" · read committed · markers shown · oldest first',
  );
  // The name field has focus: typed at once.
  await page.keyboard.type('Gold on 1');
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog.getByRole('status')).toHaveText('Saved as "Gold on 1".');
  await expect(dialog.locator('[data-saved-query="Gold on 1"]')).toContainText('earliest · 4 records · partition 1');
  await screenshots(page, testInfo, 'saved-queries-dialog');
  await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
  await expect(dialog).toBeHidden();

  // Another query on the form: every partition, latest, no filter.
  await form.getByLabel('Partition', { exact: true }).selectOption('');
  await form.getByLabel('Start').selectOption('latest');
  await form.getByLabel('Records per page').fill('500');
  await form.getByLabel('Filter', { exact: true }).selectOption('none');
  await form.getByLabel('Isolation').selectOption('read_uncommitted');
  await form.getByLabel('Markers').uncheck();
  await form.getByRole('button', { name: 'Read' }).click();
  await expect(page.getByRole('status', { name: 'Page status' })).toContainText('30 records');

  // Applied from the picker: the form as saved, and its records.
  await expect(picker.locator('option')).toHaveText(['Saved queries (1)', 'Gold on 1']);
  await picker.selectOption('Gold on 1');
  await expect(form.getByLabel('Partition', { exact: true })).toHaveValue('1');
  await expect(form.getByLabel('Start')).toHaveValue('earliest');
  await expect(form.getByLabel('Records per page')).toHaveValue('4');
  await expect(form.getByLabel('Filter', { exact: true })).toHaveValue('value');
  await expect(form.getByLabel('Filter text')).toHaveValue('gold');
  await expect(form.getByLabel('Isolation')).toHaveValue('read_committed');
  await expect(form.getByLabel('Markers')).toBeChecked();
  await expect(form.getByLabel('Order')).toHaveValue('oldest');
  await expect(page.getByRole('status', { name: 'Page status' })).toContainText('4 records');
  await expect.poll(() => rows(page).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-offset')))).toEqual(goldOnOne);
  expect(await rows(page).evaluateAll((elements) => elements.every((element) => element.getAttribute('data-partition') === '1'))).toBe(true);
  await expect(rows(page).first().locator('[data-column="value"]')).toContainText('gold');

  // A second query, then a rename, a replace (the name in another case) and a delete.
  await form.getByLabel('Start').selectOption('latest');
  await form.getByLabel('Filter', { exact: true }).selectOption('none');
  await page.getByRole('button', { name: 'Save query…' }).click();
  const name = dialog.getByLabel('Name', { exact: true });
  await expect(name).toHaveValue('Gold on 1');
  await expect(dialog.getByRole('button', { name: 'Replace "Gold on 1"' })).toBeVisible();
  await name.fill('Latest of partition 1');
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog.locator('[data-saved-query]')).toHaveCount(2);

  const gold = dialog.locator('[data-saved-query="Gold on 1"]');
  await gold.getByRole('button', { name: 'Rename' }).click();
  const newName = gold.getByLabel('New name for Gold on 1');
  await newName.fill('latest OF partition 1');
  await expect(gold.getByText('Another saved query has this name.')).toBeVisible();
  await expect(gold.getByRole('button', { name: 'Rename' })).toBeDisabled();
  await newName.fill('Gold orders, partition 1');
  await gold.getByRole('button', { name: 'Rename' }).click();
  await expect(dialog.locator('[data-saved-query="Gold orders, partition 1"]')).toBeVisible();
  await expect(dialog.locator('[data-saved-query="Gold on 1"]')).toHaveCount(0);

  await name.fill('LATEST of partition 1');
  await expect(dialog.getByText('A query named "Latest of partition 1" is saved for this topic: saving replaces it.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Replace "Latest of partition 1"' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Saved as "Latest of partition 1".');
  await expect(dialog.locator('[data-saved-query]')).toHaveCount(2);

  const latest = dialog.locator('[data-saved-query="Latest of partition 1"]');
  await latest.getByRole('button', { name: 'Delete…' }).click();
  await latest.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(dialog.locator('[data-saved-query]')).toHaveCount(1);

  // Applied from the dialog's list.
  await dialog.locator('[data-saved-query="Gold orders, partition 1"]').getByRole('button', { name: 'Apply' }).click();
  await expect(dialog).toBeHidden();
  await expect(form.getByLabel('Filter text')).toHaveValue('gold');
  await expect(page.getByRole('status', { name: 'Page status' })).toContainText('4 records');
  await expect(picker).toHaveValue('Gold orders, partition 1');
  await screenshots(page, testInfo, 'saved-queries-applied');
  expect(errors).toEqual([]);
});

test('saved queries are still there after the app starts again on the same data directory', async ({ page }) => {
  const errors = watchConsole(page);
  await app!.stop();
  app = null;
  app = await startWebApp({ brokers: 1, basePort, dataDir });
  await openTopic(page, app.url);
  const picker = page.getByLabel('Saved queries', { exact: true });
  await expect(picker.locator('option')).toHaveText(['Saved queries (1)', 'Gold orders, partition 1']);
  await picker.selectOption('Gold orders, partition 1');
  await expect(query(page).getByLabel('Partition', { exact: true })).toHaveValue('1');
  await expect(page.getByRole('status', { name: 'Page status' })).toContainText('4 records');
  expect(await rows(page).evaluateAll((elements) => elements.every((element) => element.getAttribute('data-partition') === '1'))).toBe(true);
  expect(errors).toEqual([]);
});
