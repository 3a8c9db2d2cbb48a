// The message browser's finding aids end to end, in web mode against the embedded cluster: find by key
// for keys written by librdkafka (kcat) where the Java partitioner would not put them.
import type { Page } from '@playwright/test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { crc32Partition, keyPartitions, partitionForKey } from '../../electron/kafka/partitioners/index';
import { kcat } from '../broker/clients/helpers';
import { expect, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

const TOPIC = 'e2e-finding';
const PARTITIONS = 6;

test.describe.configure({ mode: 'serial' });

const rows = (page: Page) => page.getByTestId('records-scroll').locator('[role="row"]');

/** A key librdkafka's default partitioner (CRC32) puts in a partition murmur2 does not pick. */
function librdkafkaKey(): string {
  for (let n = 0; ; n++) {
    const key = Buffer.from(`rdkafka-${n}`);
    if (crc32Partition(key, PARTITIONS) !== partitionForKey(key, PARTITIONS)) return key.toString();
  }
}

let kafka: Kafka;
let producer: Producer;

test.beforeAll(async ({ webApp }) => {
  kafka = new Kafka({ clientId: 'e2e-finding', brokers: webApp.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }], waitForLeaders: true });
  await admin.disconnect();
  producer = kafka.producer();
  await producer.connect();
  // Orders from kafkajs (murmur2), keyed by customer, with headers.
  await producer.send({
    topic: TOPIC,
    messages: Array.from({ length: 60 }, (_, index) => ({
      key: `customer-${index % 12}`,
      value: JSON.stringify({ order: index, tier: index % 3 ? 'basic' : 'gold' }),
      headers: { source: 'e2e', trace: `t-${index}` },
      timestamp: String(Date.UTC(2024, 5, 1) + index * 1000),
    })),
  });
});

test.afterAll(async () => {
  await producer?.disconnect();
});

test('finds a key written by librdkafka (kcat) and says which partitioner put it there', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  const key = librdkafkaKey();
  const partition = crc32Partition(Buffer.from(key), PARTITIONS);
  // kcat with librdkafka's default partitioner (consistent_random: CRC32 of the key).
  await kcat(webApp.bootstrapServers, ['-P', '-t', TOPIC, '-K', '\t'], { input: `${key}\tfrom kcat 1\n${key}\tfrom kcat 2\n` });

  await page.goto(webApp.url);
  await openScreen(page, 'Messages');
  await page.getByLabel('Topic', { exact: true }).selectOption(TOPIC);
  const query = page.getByRole('form', { name: 'Query' });
  await query.getByLabel('Filter', { exact: true }).selectOption('findKey');
  await query.getByLabel('Filter text').fill(key);
  await query.getByRole('button', { name: 'Read' }).click();
  const note = page.getByRole('note', { name: 'Find by key' });
  await expect(note).toContainText(`Found in partition ${partition}, where CRC32 (librdkafka`);
  await expect(rows(page)).toHaveCount(2);
  const searched = keyPartitions(Buffer.from(key), PARTITIONS).map((candidate) => candidate.partition);
  await expect(note).toContainText(`Searched partitions ${searched[0]} (`);
  await expect(page.getByRole('status', { name: 'Page status' })).toContainText('2 records');
  await screenshots(page, testInfo, 'find-by-key');

  // A key no record has: every partition searched, said once, and no "the range holds no records".
  await query.getByLabel('Filter text').fill('nobody-has-this-key');
  await query.getByRole('button', { name: 'Read' }).click();
  await expect(note).toContainText('none held the key, so every other partition was searched too');
  await expect(page.getByText('No record has this key here.')).toBeVisible();
  await expect(page.getByText('The range holds no records')).toHaveCount(0);
  await expect(page.getByRole('status', { name: 'Page status' })).not.toContainText('key in partition');
  expect(errors).toEqual([]);
});
