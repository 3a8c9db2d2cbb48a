// Transactions in the app (issue #18), in web mode against the embedded cluster: the Transactions
// screen, a topic's Transactions tab (last stable offsets, producers) and the message browser's
// isolation choice. Screenshots at 1024x700 and 1440x900 go to test-results/.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { Kafka, logLevel } from 'kafkajs';
import { expect, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';
import { writeOrphanTransaction } from '../support/orphan-transaction';

// A web app of this file's own (fixtures.ts: nothing another spec left behind is seen here).
test.use({ appFor: 'transactions.spec.ts' });

const TOPIC = 'e2e-transactions';
// One partition: a committed transaction (c1, c2) then one left open by a producer that vanished (o1, o2).
const TXN_TOPIC = 'e2e-txn-records';
const OPEN_ID = 'e2e-vanished-producer';
const TXN = fileURLToPath(new URL('../broker/transactions/fixtures/txn.py', import.meta.url));

/** librdkafka's transactional producer (confluent-kafka), the scenarios of the broker's transactions suite. */
function python(command: string, args: Record<string, unknown>): void {
  const result = spawnSync('/usr/bin/python3', [TXN, command, JSON.stringify(args)], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`txn.py ${command} failed: ${result.stderr}`);
}

const rows = (page: Page) => page.getByTestId('records-scroll').locator('[role="row"]');

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ webApp }) => {
  const kafka = new Kafka({ clientId: 'e2e-transactions', brokers: webApp.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: TOPIC, numPartitions: 2, replicationFactor: 3 },
      { topic: TXN_TOPIC, numPartitions: 1, replicationFactor: 3 },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();
  // An idempotent producer: the partition's leader keeps its state (DescribeProducers).
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: [0, 1, 2].map((i) => ({ partition: 0, key: `k${i}`, value: `plain ${i}` })) });
  await producer.disconnect();
  python('transactions', {
    bootstrap: webApp.bootstrapServers,
    id: 'e2e-committer',
    topic: TXN_TOPIC,
    transactions: [{ values: ['c1', 'c2'], partition: 0, commit: true }],
  });
  python('hang', { bootstrap: webApp.bootstrapServers, id: OPEN_ID, topic: TXN_TOPIC, timeoutMs: 600_000, values: ['o1', 'o2'] });
});

test("a topic's Transactions tab shows its producers and last stable offsets", async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Topics');
  await page.getByRole('row').filter({ hasText: TOPIC }).click();
  await page.getByRole('tab', { name: 'Transactions' }).click();
  const table = page.getByRole('table', { name: 'Partition producers' });
  const p0 = table.locator('tr[data-partition="0"]');
  await expect(p0).toContainText('3 / 3');
  await expect(p0).toContainText('(stable)');
  await expect(p0).toContainText('last sequence 2');
  await expect(table.locator('tr[data-partition="1"]')).toContainText('none');
  await screenshots(page, testInfo, 'topic-transactions');
  expect(errors).toEqual([]);
});

test('the message browser reads uncommitted (open records marked) or committed (up to the last stable offset)', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Messages');
  await page.getByLabel('Topic', { exact: true }).selectOption(TXN_TOPIC);
  await page.getByLabel('Start', { exact: true }).selectOption('earliest');
  await page.getByRole('button', { name: 'Read', exact: true }).click();
  // c1 c2 (committed) at 0-1, the COMMIT marker at 2, o1 o2 (open) at 3-4.
  await expect(rows(page)).toHaveCount(4);
  await expect(page.locator('[role="row"][data-offset="3"] [data-transaction="open"]')).toBeVisible();
  await expect(page.locator('[role="row"][data-offset="0"] [data-transaction]')).toHaveCount(0);
  await page.locator('[role="row"][data-offset="4"]').click();
  await expect(page.getByTestId('record-transaction')).toContainText('Open: its transaction has no marker up to the high watermark');
  await screenshots(page, testInfo, 'browser-read-uncommitted');

  await page.getByLabel('Isolation').selectOption('read_committed');
  await page.getByLabel('Markers').check();
  await page.getByRole('button', { name: 'Read', exact: true }).click();
  // What a read_committed consumer sees: up to the last stable offset (3), the marker shown as asked.
  await expect(rows(page)).toHaveCount(3);
  await expect(page.locator('[role="row"][data-offset="2"] [data-transaction="commit-marker"]')).toBeVisible();
  await expect(page.getByRole('note', { name: 'Held back by a transaction' })).toHaveText(
    'Partition 0 is read up to its last stable offset, 3: an open transaction holds back offsets 3 to 4 (read uncommitted shows them).',
  );
  await screenshots(page, testInfo, 'browser-read-committed');
  expect(errors).toEqual([]);
});

test('the Transactions screen lists the open transaction holding the LSO and aborts it', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Transactions');
  const transactions = page.getByRole('table', { name: 'Transactions' });
  const open = transactions.locator(`tr[data-transactional-id="${OPEN_ID}"]`);
  await expect(open).toContainText('Ongoing');
  await expect(open).toContainText(`${TXN_TOPIC}-0`);
  await expect(transactions.locator('tr[data-transactional-id="e2e-committer"]')).toContainText('CompleteCommit');
  const held = page.getByRole('table', { name: 'Open on partitions' }).locator(`tr[data-partition="${TXN_TOPIC}-0"]`);
  await expect(held).toContainText(OPEN_ID);
  await expect(held).toContainText('3 / 5');
  await expect(held).toContainText('holds the LSO');
  await expect(open).toContainText('coordinator');
  // Both tables fit a 1024 x 700 window: no sideways scrolling.
  await page.setViewportSize({ width: 1024, height: 700 });
  for (const name of ['Transactions', 'Open on partitions']) {
    const table = page.getByRole('table', { name });
    await expect.poll(() => table.evaluate((element) => element.scrollWidth - 1 <= (element.parentElement?.clientWidth ?? 0)), { message: name }).toBe(true);
  }
  await screenshots(page, testInfo, 'transactions-open');

  await held.getByRole('button', { name: 'Abort…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Abort the transaction?' });
  await expect(dialog).toContainText(`on ${TXN_TOPIC}-0, from offset 3`);
  await screenshots(page, testInfo, 'transactions-abort-dialog');
  await dialog.getByRole('button', { name: 'Abort the transaction' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByText('No partition waits for an open transaction')).toBeVisible();

  // The browser now shows its records aborted.
  await openScreen(page, 'Messages');
  await page.getByLabel('Topic', { exact: true }).selectOption(TXN_TOPIC);
  await page.getByLabel('Start', { exact: true }).selectOption('earliest');
  await page.getByRole('button', { name: 'Read', exact: true }).click();
  await expect(page.locator('[role="row"][data-offset="3"] [data-transaction="aborted"]')).toBeVisible();
  await expect(page.locator('[role="row"][data-offset="4"] [data-transaction="aborted"]')).toBeVisible();
  await screenshots(page, testInfo, 'browser-after-abort');
  expect(errors).toEqual([]);
});

test('a hanging transaction its coordinator has no transaction for is found and aborted by producer id and epoch', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  const topic = 'e2e-txn-orphan';
  const kafka = new Kafka({ clientId: 'e2e-transactions', brokers: webApp.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
  await admin.disconnect();
  // A transactional batch written 5 minutes ago (by its timestamp) to a partition never added to a transaction.
  const orphan = await writeOrphanTransaction(webApp.bootstrapServers, {
    transactionalId: 'e2e-orphan',
    topic,
    partition: 0,
    values: ['h1', 'h2'],
    timestamp: Date.now() - 300_000,
  });

  await page.goto(webApp.url);
  await openScreen(page, 'Transactions');
  const held = page.getByRole('table', { name: 'Open on partitions' }).locator(`tr[data-partition="${topic}-0"]`);
  await expect(held).toContainText(`${orphan.producerId} / ${orphan.producerEpoch}`);
  await expect(held.getByTestId('hanging-reason')).toHaveText(
    'Hanging: its transaction "e2e-orphan" is Empty at the coordinator, but no marker ended it here (last write 5 min ago)',
  );
  await expect(page.getByRole('status', { name: 'Transactions summary' })).toContainText('1 hanging');
  await screenshots(page, testInfo, 'transactions-orphan');

  await held.getByRole('button', { name: 'Abort…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Abort the transaction?' });
  await expect(dialog).toContainText(`producer ${orphan.producerId}'s transaction (epoch ${orphan.producerEpoch}) on ${topic}-0, from offset 0`);
  await dialog.getByRole('button', { name: 'Abort the transaction' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByText('No partition waits for an open transaction')).toBeVisible();
  await expect(page.getByRole('status', { name: 'Transactions summary' })).not.toContainText('hanging');
  expect(errors).toEqual([]);
});

test("a group's lag to the last stable offset shows where an open transaction holds a partition back", async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  const topic = 'e2e-txn-lag';
  const group = 'e2e-committed-reader';
  const kafka = new Kafka({ clientId: 'e2e-transactions', brokers: webApp.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [0, 1, 2, 3, 4].map((i) => ({ partition: 0, value: `r${i}` })) });
    // Offsets 5-6: a transaction nothing ends; 7-8 plain records after it.
    await writeOrphanTransaction(webApp.bootstrapServers, {
      transactionalId: 'e2e-lag-open',
      topic,
      partition: 0,
      values: ['t1', 't2'],
      timestamp: Date.now(),
    });
    await producer.send({
      topic,
      messages: [
        { partition: 0, value: 'r7' },
        { partition: 0, value: 'r8' },
      ],
    });
    await producer.disconnect();
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '2' }] });
  } finally {
    await admin.disconnect();
  }

  await page.goto(webApp.url);
  await openScreen(page, 'Consumer groups');
  await page.getByRole('table', { name: 'Consumer groups' }).getByRole('button', { name: group, exact: true }).click();
  const row = page.locator(`tr[data-partition="0"]`);
  await expect(row.locator('[data-column="lag"]')).toContainText('7');
  await expect(row.getByTestId('stable-lag')).toHaveText('read_committed: 3 to the LSO 5');
  await screenshots(page, testInfo, 'group-lag-read-committed');
  expect(errors).toEqual([]);
});
