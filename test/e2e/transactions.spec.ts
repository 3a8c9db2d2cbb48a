// Transactions in the app (issue #18), in web mode against the embedded cluster: the Transactions
// screen, a topic's Transactions tab (last stable offsets, producers) and the message browser's
// isolation choice. Screenshots at 1024x700 and 1440x900 go to test-results/.
import { Kafka, logLevel } from 'kafkajs';
import { expect, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

const TOPIC = 'e2e-transactions';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ webApp }) => {
  const kafka = new Kafka({ clientId: 'e2e-transactions', brokers: webApp.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2, replicationFactor: 3 }], waitForLeaders: true });
  await admin.disconnect();
  // An idempotent producer: the partition's leader keeps its state (DescribeProducers).
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: [0, 1, 2].map((i) => ({ partition: 0, key: `k${i}`, value: `plain ${i}` })) });
  await producer.disconnect();
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

test('the Transactions screen', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Transactions');
  await expect(page.getByRole('heading', { name: 'Transactions', exact: true })).toBeVisible();
  await expect(page.getByText(/No transactions on this cluster|transactions? ·/)).toBeVisible();
  await screenshots(page, testInfo, 'transactions-screen');
  expect(errors).toEqual([]);
});
