// The produce form end to end, in web mode against the embedded cluster: its layout at both sizes,
// the topic search, templates with generated fields (read back by kcat), an explicit timestamp, values
// from a file, the per-send result list, and bad fields refused in words.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Admin } from '@platformatic/kafka';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

// A web app of this file's own (fixtures.ts: nothing another spec left behind is seen here).
test.use({ appFor: 'produce-form.spec.ts' });

const run = promisify(execFile);
const TOPIC = 'pf.orders';

async function chooseSource(page: Page, label: string) {
  await page.getByRole('radiogroup', { name: 'Source' }).locator('label').filter({ hasText: label }).click();
}

test.describe.configure({ mode: 'serial' });

test('every field stays inside the form card at 1024x700 and 1440x900', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Produce');
  // With an error under Repeat and its longest option in Acks, as a user meets them.
  await page.getByLabel('Repeat').fill('100000');
  await page.getByRole('button', { name: /^Send/ }).click();
  await expect(page.getByText('Send at most 10,000 records at once.')).toBeVisible();
  const card = page.locator('form.card');
  for (const [width, height] of [
    [1024, 700],
    [1440, 900],
  ] as const) {
    await page.setViewportSize({ width, height });
    const box = await card.boundingBox();
    for (const label of ['Compression', 'Acks', 'Repeat']) {
      const field = await page.getByLabel(label, { exact: true }).boundingBox();
      expect(field, label).not.toBeNull();
      expect(box).not.toBeNull();
      if (!field || !box) continue;
      expect(field.x, `${label} at ${width}`).toBeGreaterThanOrEqual(box.x);
      expect(field.x + field.width, `${label} at ${width}`).toBeLessThanOrEqual(box.x + box.width);
    }
    // The card itself fits the window, and the Acks choice is shown whole, not cut.
    if (box) expect(box.x + box.width, `card at ${width}`).toBeLessThanOrEqual(width);
    const acks = page.getByLabel('Acks', { exact: true });
    expect(
      await acks.evaluate(
        (select: { scrollWidth: number; clientWidth: number; getBoundingClientRect(): { width: number } }) =>
          select.scrollWidth <= select.clientWidth + 1 && select.getBoundingClientRect().width >= 190,
      ),
      `Acks at ${width}`,
    ).toBe(true);
  }
  await screenshots(page, testInfo, 'produce-form');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshots(page, testInfo, 'produce-form-dark');
  expect(errors).toEqual([]);
});

test('finds the topic, sends templated records with a timestamp, and lists each record', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  const admin = new Admin({ clientId: 'e2e-produce-form', bootstrapBrokers: webApp.bootstrapServers.split(',') });
  // The records are sent dated 2024: without retention.ms=-1 the broker's retention check (every 5
  // minutes) could delete them before kcat reads them.
  await admin.createTopics({ topics: [TOPIC], partitions: 3, replicas: 1, configs: [{ name: 'retention.ms', value: '-1' }] });
  await admin.createTopics({ topics: ['pf.payments', 'pf.audit'], partitions: 1, replicas: 1 });
  await admin.close();
  await page.goto(webApp.url);
  await openScreen(page, 'Produce');
  // Searching narrows the list; one match is chosen (a text only one topic of this file's app holds).
  await page.getByLabel('Find a topic').fill('PF.ORDERS');
  await expect(page.getByLabel('Topic', { exact: true })).toHaveValue(TOPIC);
  await page.getByLabel('Find a topic').fill('pf.');
  await expect(page.getByLabel('Topic', { exact: true }).locator('option')).toHaveText(['Choose a topic', 'pf.audit', 'pf.orders', 'pf.payments']);
  await expect(page.getByLabel('Topic', { exact: true })).toHaveValue(TOPIC);

  await page.getByLabel('Templates: expand').check();
  await page.getByLabel('Key', { exact: true }).fill('order-{{seq}}');
  await page.getByLabel('Value', { exact: true }).fill('{"id":"{{uuid}}","color":"{{oneOf red,green}}"}{{nope}}');
  await expect(page.getByText('{{nope}} is not a placeholder.', { exact: false })).toBeVisible();
  await page.getByLabel('Value', { exact: true }).fill('{"id":"{{uuid}}","color":"{{oneOf red,green}}"}');
  await page.getByLabel('Timestamp').fill('yesterday');
  await page.getByLabel('Repeat').fill('6');
  await page.getByRole('button', { name: 'Send 6 records' }).click();
  await expect(page.getByText('Enter a date and time such as 2026-12-06T09:40:00Z, or milliseconds since 1970.')).toBeVisible();
  await page.getByLabel('Timestamp').fill('2024-01-02T03:04:05Z');
  await expect(page.getByText('2024-01-02T03:04:05.000Z (UTC)')).toBeVisible();
  await page.getByRole('button', { name: 'Send 6 records' }).click();
  const result = page.getByRole('status', { name: 'Produce result' });
  await expect(result).toContainText(`Sent 6 records to ${TOPIC}`);
  const rows = result.getByRole('table', { name: 'Sent records' }).locator('tbody tr');
  await expect(rows).toHaveCount(6);
  await expect(rows.first().locator('td').first()).toHaveText('1');
  await screenshots(page, testInfo, 'produce-templated');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshots(page, testInfo, 'produce-templated-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // What the result list says is where kcat finds each record, with its key and the timestamp given.
  const listed = await Promise.all((await rows.all()).map((row) => row.locator('td').allInnerTexts()));
  const { stdout } = await run('kcat', ['-C', '-b', webApp.bootstrapServers, '-t', TOPIC, '-o', 'beginning', '-c', '6', '-e', '-f', '%p|%o|%k|%T|%s\\n'], {
    timeout: 20_000,
  });
  const read = stdout
    .trim()
    .split('\n')
    .map((line) => line.split('|'));
  for (const [number, partition, offset] of listed) {
    const record = read.find(([p, o]) => p === partition && o === offset);
    expect(record?.[2]).toBe(`order-${number}`);
    expect(record?.[3]).toBe(String(Date.UTC(2024, 0, 2, 3, 4, 5)));
    expect(record?.[4]).toMatch(/^\{"id":"[0-9a-f-]{36}","color":"(red|green)"\}$/);
  }
  expect(errors).toEqual([]);
});

test('sends a file the browser uploads, line by line; no file and a binary file are refused in words', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-e2e-file-'));
  try {
    const file = path.join(dir, 'orders.jsonl');
    await writeFile(file, '{"id":1}\n{"id":2}\n\n{"id":3}\n');
    const binary = path.join(dir, 'image.bin');
    await writeFile(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0xc3]));
    await page.goto(webApp.url);
    await openScreen(page, 'Produce');
    await page.getByLabel('Topic', { exact: true }).selectOption('pf.audit');
    await chooseSource(page, 'File, one record per line');
    await page.getByRole('button', { name: 'Send the file' }).click();
    await expect(page.getByText('Choose a file.')).toBeVisible();
    // Web mode: the browser reads the file and uploads its text; the main process never gets a path.
    const input = page.getByLabel('File', { exact: true });
    await input.setInputFiles(binary);
    await expect(page.getByText('"image.bin" is not UTF-8 text.')).toBeVisible();
    await input.setInputFiles(file);
    await expect(page.getByText('Chosen: orders.jsonl · 28 bytes.')).toBeVisible();
    await screenshots(page, testInfo, 'produce-file-chosen');
    await page.getByRole('button', { name: 'Send the file' }).click();
    const result = page.getByRole('status', { name: 'Produce result' });
    await expect(result).toContainText('Sent 3 records to pf.audit');
    await expect(result.locator('td[data-column="offset"]')).toHaveText(['0', '1', '2']);
    // The earlier sends stay listed under the latest.
    await chooseSource(page, 'Typed here');
    await page.getByLabel('Value', { exact: true }).fill('one more');
    await page.getByRole('button', { name: 'Send record' }).click();
    await expect(result).toContainText('Sent 1 record to pf.audit');
    await expect(page.getByRole('list', { name: 'Sends' }).getByRole('listitem')).toHaveCount(1);
    await screenshots(page, testInfo, 'produce-file');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  expect(errors).toEqual([]);
});
