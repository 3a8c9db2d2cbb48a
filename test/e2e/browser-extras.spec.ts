// The message browser's finding aids end to end, in web mode against the embedded cluster: find by key
// for keys written by librdkafka (kcat) where the Java partitioner would not put them.
import type { Page } from '@playwright/test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { crc32Partition, keyPartitions, partitionForKey } from '../../electron/kafka/partitioners/index';
import { kcat } from '../broker/clients/helpers';
import { expect, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

// A web app of this file's own (fixtures.ts: nothing another spec left behind is seen here).
test.use({ appFor: 'browser-extras.spec.ts' });

const TOPIC = 'e2e-finding';
const PARTITIONS = 6;

test.describe.configure({ mode: 'serial' });

const rows = (page: Page) => page.getByTestId('records-scroll').locator('[role="row"]');
const offsetsInView = async (page: Page) =>
  rows(page).evaluateAll((elements) => elements.map((element) => `${element.getAttribute('data-partition')}:${element.getAttribute('data-offset')}`));

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
  // Records dated June 2024 under the default retention.ms (7 days) go at the broker's next retention
  // check, every 5 minutes (a newer record rolls the segment first): kept for good here.
  await admin.createTopics({
    topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, configEntries: [{ name: 'retention.ms', value: '-1' }] }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  producer = kafka.producer();
  await producer.connect();
  // The oldest record, written first: a value of 1,016 KiB, the widest size text a record has ("1016 KiB").
  await producer.send({
    topic: TOPIC,
    messages: [{ key: 'big', value: 'x'.repeat(1_040_000), headers: { source: 'e2e', trace: 'big' }, timestamp: String(Date.UTC(2024, 5, 1) - 1000) }],
  });
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

test('"Latest" lists newest first with exact pages both ways; headers column; filter matches marked', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Messages');
  await page.getByLabel('Topic', { exact: true }).selectOption(TOPIC);
  const query = page.getByRole('form', { name: 'Query' });
  await expect(query.getByLabel('Order')).toHaveValue('newest');
  await query.getByLabel('Records per page').fill('10');
  await query.getByRole('button', { name: 'Read' }).click();
  const status = page.getByRole('status', { name: 'Page status' });
  await expect(status).toContainText('10 records');
  const timestamps = async () =>
    (await rows(page).locator('[data-column="timestamp"]').allInnerTexts()).map((text) => new Date(text.replace(' ', 'T')).getTime());
  const newest = await timestamps();
  expect(newest).toEqual([...newest].sort((a, b) => b - a));
  const firstPage = await offsetsInView(page);

  // Older records: the next ten, all older than the first page's oldest; back again gives the first page exactly.
  await page.getByRole('button', { name: 'Older records →' }).click();
  await expect.poll(async () => (await offsetsInView(page))[0]).not.toBe(firstPage[0]);
  const older = await timestamps();
  expect(older).toHaveLength(10);
  expect(Math.max(...older)).toBeLessThanOrEqual(Math.min(...newest));
  expect(older).toEqual([...older].sort((a, b) => b - a));
  await page.getByRole('button', { name: '← Newer records' }).click();
  await expect.poll(() => offsetsInView(page)).toEqual(firstPage);

  // Oldest first: the same page, the other way round, no new read.
  await query.getByLabel('Order').selectOption('oldest');
  await expect.poll(() => offsetsInView(page)).toEqual([...firstPage].reverse());
  await expect(page.getByRole('button', { name: 'Next page →' })).toBeVisible();
  await query.getByLabel('Order').selectOption('newest');

  // Headers column.
  await expect(rows(page).first().locator('[data-column="headers"]')).toContainText(/source=(e2e|kcat)|—/);
  await query.getByLabel('Start').selectOption('earliest');
  await expect(query.getByLabel('Order')).toHaveValue('oldest');
  await query.getByRole('button', { name: 'Read' }).click();
  await expect(rows(page).first().locator('[data-column="headers"]')).toHaveText('source=e2e, trace=big');
  await expect(rows(page).first().locator('[data-column="size"]')).toHaveText('1016 KiB');
  // Sizes are whole in their column ("1016 KiB", never "1016 …"), on both window sizes.
  for (const [width, height] of [
    [1024, 700],
    [1440, 900],
  ] as const) {
    await page.setViewportSize({ width, height });
    const cells = rows(page).locator('[data-column="size"]');
    expect(await cells.evaluateAll((elements) => elements.filter((element) => element.scrollWidth > element.clientWidth).length)).toBe(0);
  }

  // Value contains: the matches are marked in the value column.
  await query.getByLabel('Records per page').fill('100');
  await query.getByLabel('Filter', { exact: true }).selectOption('value');
  await query.getByLabel('Filter text').fill('gold');
  await query.getByRole('button', { name: 'Read' }).click();
  await expect(status).toContainText('20 records');
  const marks = rows(page).locator('[data-column="value"] mark');
  await expect(marks.first()).toHaveText('gold');
  expect(await marks.count()).toBeGreaterThanOrEqual(Math.min(20, await rows(page).count()));
  // A regular expression: what it matched is marked.
  await query.getByLabel('Filter', { exact: true }).selectOption('regex');
  await query.getByLabel('Filter text').fill('"order":\\d+');
  await query.getByRole('button', { name: 'Read' }).click();
  await expect(query.getByRole('button', { name: 'Read' })).toBeEnabled();
  await expect(rows(page).first().locator('[data-column="value"] mark')).toHaveText('"order":0');
  await screenshots(page, testInfo, 'browser-marked');

  // The record detail open on a small window: the value column stays, with room.
  await page.setViewportSize({ width: 1024, height: 700 });
  await rows(page).first().click();
  await expect(page.getByRole('complementary', { name: 'Record detail' })).toBeVisible();
  const value = rows(page).first().locator('[data-column="value"]');
  await expect(value).toBeVisible();
  expect((await value.boundingBox())!.width).toBeGreaterThan(100);
  const table = (await page.getByRole('table', { name: 'Records' }).boundingBox())!;
  const box = (await value.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(table.x + table.width + 1);
  await screenshots(page, testInfo, 'browser-detail');
  expect(errors).toEqual([]);
});

test('the topic page at 1024x700 and 1440x900: the whole title, the partitions table and the topics list headers uncut', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  const longName = 'svc.beta.events.orders-created.v2.eu-west-1.partitioned-by-customer';
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: longName, numPartitions: 12, replicationFactor: 3 }], waitForLeaders: true });
  await admin.disconnect();
  await page.goto(webApp.url);
  await openScreen(page, 'Topics');
  // The list loaded (with the long name) before its headers are measured: widths follow the rows.
  await expect(page.getByRole('button', { name: longName, exact: true })).toBeVisible();
  const header = page.getByRole('columnheader', { name: /Partitions/ });
  await header.getByRole('button').click();
  for (const [width, height] of [
    [1024, 700],
    [1440, 900],
  ] as const) {
    await page.setViewportSize({ width, height });
    // Every header, sort arrow included, is whole.
    const cut = await page
      .getByRole('columnheader')
      .evaluateAll((cells) => cells.filter((cell) => cell.scrollWidth - 1 > cell.clientWidth).map((cell) => cell.textContent));
    expect(cut).toEqual([]);
  }
  await screenshots(page, testInfo, 'topics-list');

  await page.getByRole('button', { name: longName, exact: true }).click();
  const title = page.locator('h1 .topic-title');
  await expect(title).toHaveAttribute('title', longName);
  const partitions = page.getByRole('table', { name: 'Partitions' });
  await expect(partitions.locator('tbody tr')).toHaveCount(12);
  for (const [width, height] of [
    [1024, 700],
    [1440, 900],
  ] as const) {
    await page.setViewportSize({ width, height });
    // The title wraps instead of being cut: all of it is in view.
    expect(await title.evaluate((element) => element.scrollWidth - 1 <= element.clientWidth)).toBe(true);
    await expect(title).toHaveText(longName);
    // The partitions table fits its card: nothing to scroll sideways to.
    expect(await partitions.evaluate((table) => table.scrollWidth - 1 <= (table.parentElement?.clientWidth ?? 0))).toBe(true);
  }
  await screenshots(page, testInfo, 'topic-page');
  expect(errors).toEqual([]);
});

test("starts from a consumer group's offsets picked from a list, those reading the topic first", async ({ page, webApp }) => {
  const errors = watchConsole(page);
  // A group that committed offset 3 on every partition of the topic, and one that reads another topic.
  const admin = kafka.admin();
  await admin.connect();
  await admin.setOffsets({
    groupId: 'e2e.finding.readers',
    topic: TOPIC,
    partitions: [...Array(PARTITIONS).keys()].map((partition) => ({ partition, offset: '3' })),
  });
  await admin.disconnect();
  await page.goto(webApp.url);
  await openScreen(page, 'Messages');
  await page.getByLabel('Topic', { exact: true }).selectOption(TOPIC);
  const query = page.getByRole('form', { name: 'Query' });
  await query.getByLabel('Start').selectOption('group');
  const picker = query.getByLabel('Pick a consumer group');
  await expect(picker.locator(`optgroup[label="Reading ${TOPIC}"] option`)).toContainText(['e2e.finding.readers']);
  await picker.selectOption('e2e.finding.readers');
  await expect(query.getByLabel('Consumer group', { exact: true })).toHaveValue('e2e.finding.readers');
  await query.getByRole('button', { name: 'Read' }).click();
  // Every record shown is at or after the group's offset 3: the page read from the group's offsets, not
  // the one the topic's choice read first (from the latest), which also has records.
  const offsets = () => rows(page).evaluateAll((elements) => elements.map((element) => Number(element.getAttribute('data-offset'))));
  await expect.poll(async () => (await offsets()).length).toBeGreaterThan(0);
  await expect.poll(async () => (await offsets()).every((offset) => offset >= 3)).toBe(true);
  await expect(query.getByRole('button', { name: 'Read' })).toBeEnabled();
  expect((await offsets()).every((offset) => offset >= 3)).toBe(true);
  expect(errors).toEqual([]);
});
