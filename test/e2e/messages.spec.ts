// The message browser end to end, in web mode against the embedded cluster: produce JSON messages
// with headers, browse them, filter, page back and forth, open a record, export, tail new messages.
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { expect, test } from './fixtures';
import { openScreen, watchConsole } from '../support/e2e-page';

// A web app of this file's own (fixtures.ts: nothing another spec left behind is seen here).
test.use({ appFor: 'messages.spec.ts' });

const TOPIC = 'e2e-browser';
const PARTITIONS = 3;
const RECORDS = 150;

test.describe.configure({ mode: 'serial' });

const rows = (page: Page) => page.getByTestId('records-scroll').locator('[role="row"]');
const offsetsInView = async (page: Page) =>
  rows(page).evaluateAll((elements) => elements.map((element) => `${element.getAttribute('data-partition')}:${element.getAttribute('data-offset')}`));

let kafka: Kafka;
let producer: Producer;

test.beforeAll(async ({ webApp }) => {
  kafka = new Kafka({ clientId: 'e2e-browser', brokers: webApp.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
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
  // JSON orders with headers, 50 per partition, every other one "gold".
  for (let partition = 0; partition < PARTITIONS; partition++) {
    await producer.send({
      topic: TOPIC,
      messages: Array.from({ length: RECORDS / PARTITIONS }, (_, index) => ({
        partition,
        key: `customer-${index % 9}`,
        value: JSON.stringify({ order: partition * 100 + index, tier: index % 2 ? 'gold' : 'basic', items: [{ sku: `SKU-${index}`, qty: 1 + (index % 3) }] }),
        headers: { source: 'e2e', trace: `t-${partition}-${index}` },
        timestamp: String(Date.UTC(2024, 5, 1) + index * 1000 + partition),
      })),
    });
  }
});

test.afterAll(async () => {
  await producer?.disconnect();
});

test('produces a JSON message with headers from the form and finds it in the browser', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Produce');
  await page.getByLabel('Topic', { exact: true }).selectOption(TOPIC);
  await page.getByLabel('Partition', { exact: true }).fill('1');
  await page.getByLabel('Key', { exact: true }).fill('vip-1');
  await page.getByLabel('Value', { exact: true }).fill('{"order": 9001, "tier": "platinum", "note": "from the form"}');
  await page.getByRole('button', { name: 'Add header' }).click();
  await page.getByLabel('Header 1 name').fill('source');
  await page.getByLabel('Header 1 value').fill('form');
  await page.getByRole('button', { name: 'Send record' }).click();
  await expect(page.getByRole('status', { name: 'Produce result' })).toContainText(`Sent 1 record to ${TOPIC}`);

  await openScreen(page, 'Messages');
  await page.getByLabel('Topic', { exact: true }).selectOption(TOPIC);
  // Latest 500 of every partition by default: all 151 records, newest first, so the form's one is the first row.
  await expect(rows(page)).not.toHaveCount(0);
  await expect(page.getByRole('status', { name: 'Page status' })).toContainText('151 records');
  await expect(rows(page).first()).toHaveAttribute('data-offset', '50');
  const last = page.locator('[role="row"][data-partition="1"][data-offset="50"]');
  await last.click();
  const detail = page.getByRole('complementary', { name: 'Record detail' });
  await expect(detail).toContainText('Partition 1 · Offset 50');
  await expect(detail.getByRole('tree', { name: 'JSON' })).toContainText('"platinum"');
  await expect(detail.getByRole('table', { name: 'Headers' })).toContainText('form');
  await page.screenshot({ path: testInfo.outputPath('browser-record.png') });

  // Produce again opens the form filled with the record.
  await detail.getByRole('button', { name: 'Produce again' }).click();
  await expect(page.getByLabel('Value', { exact: true })).toHaveValue('{"order": 9001, "tier": "platinum", "note": "from the form"}');
  await expect(page.getByLabel('Header 1 value')).toHaveValue('form');
  await expect(page.getByLabel('Key', { exact: true })).toHaveValue('vip-1');
  expect(errors).toEqual([]);
});

test('reads from the earliest offset, pages forward and back, and filters', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Messages');
  await page.getByLabel('Topic', { exact: true }).selectOption(TOPIC);
  const query = page.getByRole('form', { name: 'Query' });
  await query.getByLabel('Start').selectOption('earliest');
  await query.getByLabel('Records per page').fill('20');
  await query.getByRole('button', { name: 'Read' }).click();
  const status = page.getByRole('status', { name: 'Page status' });
  await expect(status).toContainText('20 records');
  const first = await offsetsInView(page);
  // Timestamps interleave the partitions: index 0 of 0, 1, 2, then index 1...
  expect(first.slice(0, 6)).toEqual(['0:0', '1:0', '2:0', '0:1', '1:1', '2:1']);

  await page.getByRole('button', { name: 'Next page →' }).click();
  await expect.poll(async () => (await offsetsInView(page))[0]).toBe('2:6');
  const second = await offsetsInView(page);
  await page.screenshot({ path: testInfo.outputPath('browser-page-2.png') });
  await page.getByRole('button', { name: 'Next page →' }).click();
  await expect.poll(async () => (await offsetsInView(page))[0]).not.toBe('2:6');
  await page.getByRole('button', { name: '← Previous page' }).click();
  await expect.poll(() => offsetsInView(page)).toEqual(second);
  await page.getByRole('button', { name: '← Previous page' }).click();
  await expect.poll(() => offsetsInView(page)).toEqual(first);
  await expect(page.getByRole('button', { name: '← Previous page' })).toBeDisabled();

  // Filter: value contains "gold", one partition.
  await query.getByLabel('Partition').selectOption('2');
  await query.getByLabel('Records per page').fill('100');
  await query.getByLabel('Filter', { exact: true }).selectOption('value');
  await query.getByLabel('Filter text').fill('"tier":"gold"');
  await query.getByRole('button', { name: 'Read' }).click();
  await expect(status).toContainText('25 records');
  await expect(status).toContainText('scanned 50');
  const values = await rows(page).locator('[data-column="value"]').allInnerTexts();
  expect(values.length).toBeGreaterThan(0);
  expect(values.every((value) => value.includes('"tier":"gold"'))).toBe(true);
  await page.screenshot({ path: testInfo.outputPath('browser-filtered.png') });

  // JSON path across all partitions.
  await query.getByLabel('Partition').selectOption('');
  await query.getByLabel('Filter', { exact: true }).selectOption('jsonPath');
  await query.getByLabel('Filter text').fill('$.items[0].sku');
  await query.getByLabel('Equals').fill('SKU-7');
  await query.getByRole('button', { name: 'Read' }).click();
  await expect(status).toContainText('3 records');
  expect(errors).toEqual([]);
});

test('exports the whole result, not only the page', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Messages');
  await page.getByLabel('Topic', { exact: true }).selectOption(TOPIC);
  const query = page.getByRole('form', { name: 'Query' });
  await query.getByLabel('Start').selectOption('earliest');
  await query.getByLabel('Records per page').fill('10');
  await query.getByRole('button', { name: 'Read' }).click();
  await expect(page.getByRole('status', { name: 'Page status' })).toContainText('10 records');

  for (const format of ['jsonl', 'csv'] as const) {
    await page.getByLabel('Export format').selectOption(format);
    const downloadPromise = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const download = await downloadPromise;
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${TOPIC}-.*\\.${format}$`));
    const file = testInfo.outputPath(`export.${format}`);
    await download.saveAs(file);
    const text = await readFile(file, 'utf8');
    if (format === 'jsonl') {
      const lines = text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { value: unknown; headers: { key: string }[] });
      expect(lines).toHaveLength(RECORDS + 1);
      expect(lines[0]).toMatchObject({ topic: TOPIC, partition: 0, offset: 0, headers: [{ key: 'source' }, { key: 'trace' }] });
    } else {
      expect(text.trimEnd().split('\r\n')).toHaveLength(RECORDS + 2);
    }
  }
  await expect(page.getByRole('status', { name: 'Export' })).toContainText(`Exported ${RECORDS + 1} records`);
  await page.screenshot({ path: testInfo.outputPath('browser-exported.png') });

  // A query that cannot run leaves neither the previous records nor an Export of them; a new query drops the notice.
  await query.getByLabel('Filter', { exact: true }).selectOption('regex');
  await query.getByLabel('Filter text').fill('(');
  await query.getByRole('button', { name: 'Read' }).click();
  await expect(page.getByRole('alert')).toContainText('regular expression');
  await expect(rows(page)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Export', exact: true })).toBeDisabled();
  await query.getByLabel('Filter', { exact: true }).selectOption('none');
  await query.getByRole('button', { name: 'Read' }).click();
  await expect(page.getByRole('status', { name: 'Page status' })).toContainText('10 records');
  await expect(page.getByRole('status', { name: 'Export' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Export', exact: true })).toBeEnabled();
  expect(errors).toEqual([]);
});

test('tails new messages live, with pause and resume', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Messages');
  await page.getByLabel('Topic', { exact: true }).selectOption(TOPIC);
  await page.getByRole('button', { name: 'Live tail' }).click();
  const tailStatus = page.getByRole('status', { name: 'Live tail' });
  await expect(tailStatus).toContainText('Live');
  await expect(page.getByText('Waiting for new records…')).toBeVisible();

  const send = (from: number, count: number) =>
    producer.send({
      topic: TOPIC,
      messages: Array.from({ length: count }, (_, index) => ({
        key: `live-${from + index}`,
        value: JSON.stringify({ live: from + index }),
        headers: { source: 'tail' },
      })),
    });
  await send(0, 5);
  await expect(rows(page)).toHaveCount(5);
  await expect(tailStatus).toContainText('5 received');
  await page.screenshot({ path: testInfo.outputPath('browser-tail.png') });

  await page.getByRole('button', { name: 'Pause' }).click();
  // 'Paused' once the tail has paused ('Pausing…' before): records sent from now on must wait.
  await expect(tailStatus).toContainText('Paused');
  await send(5, 3);
  // Nothing to wait for when nothing must come: a bounded look that they do not (a running tail shows them in ~0.5 s).
  await page.waitForTimeout(1500);
  await expect(rows(page)).toHaveCount(5);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(rows(page)).toHaveCount(8);
  await expect(tailStatus).toContainText('8 received');
  const keys = await rows(page).locator('[data-column="key"]').allInnerTexts();
  expect(keys).toEqual(Array.from({ length: 8 }, (_, index) => `live-${index}`).sort((a, b) => keys.indexOf(a) - keys.indexOf(b)));
  expect(new Set(keys).size).toBe(8);
  await page.screenshot({ path: testInfo.outputPath('browser-tail-resumed.png') });
  await page.getByRole('button', { name: 'Stop live tail' }).click();
  await expect(tailStatus).toBeHidden();
  expect(errors).toEqual([]);
});
