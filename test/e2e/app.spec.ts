// The app end to end, in web mode against the embedded cluster: create a topic from the dialog,
// produce from the form, watch watermarks rise, stop a broker and watch leadership move.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openScreen, watchConsole } from '../support/e2e-page';

// A web app of this file's own (fixtures.ts: nothing another spec left behind is seen here).
test.use({ appFor: 'app.spec.ts' });

const TOPIC = 'e2e-orders';

test.describe.configure({ mode: 'serial' });

async function highWatermarks(page: Page): Promise<number[]> {
  const cells = page.getByRole('table', { name: 'Partitions' }).locator('td[data-column="high-watermark"]');
  return (await cells.allInnerTexts()).map((text) => Number(text.replace(/,/g, '')));
}

test('web mode refuses a page without the token', async ({ page, webApp }) => {
  const response = await page.goto(webApp.origin + '/');
  expect(response?.status()).toBe(403);
  await expect(page.locator('body')).toContainText('token');
});

test('creates a topic from the dialog, refusing a bad name first', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await expect(page.getByText('Cluster overview')).toBeVisible();
  await expect(page.locator('.stat').filter({ hasText: 'Brokers' })).toContainText('3');
  await page.screenshot({ path: testInfo.outputPath('overview.png') });

  await openScreen(page, 'Topics');
  // The dialog frame: focus on the first field, Escape closes.
  await page.getByRole('button', { name: 'Create topic', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Create topic' });
  await expect(dialog.getByLabel('Topic name')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await page.getByRole('button', { name: 'Create topic', exact: true }).click();
  await page.keyboard.type('bad name!');
  await expect(dialog.getByRole('alert')).toHaveText('A topic name can only contain letters, digits, ".", "_" and "-".');
  await dialog.getByLabel('Replication factor').fill('4');
  await expect(dialog.getByText('The replication factor cannot be larger than the number of brokers (3).')).toBeVisible();
  await dialog.getByRole('button', { name: 'Create topic' }).click();
  await expect(dialog).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('create-topic-refused.png') });

  await dialog.getByLabel('Topic name').fill(TOPIC);
  await dialog.getByLabel('Partitions').fill('3');
  await dialog.getByLabel('Replication factor').fill('3');
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Create topic' }).click();
  await expect(dialog).toBeHidden();

  await expect(page.locator('.topic-title')).toHaveText(TOPIC);
  const rows = page.getByRole('table', { name: 'Partitions' }).locator('tbody tr');
  await expect(rows).toHaveCount(3);
  await expect.poll(() => highWatermarks(page)).toEqual([0, 0, 0]);
  await page.screenshot({ path: testInfo.outputPath('topic-created.png') });
  // Configs in units a person reads beside the raw value (retention.ms 604800000 is 7 days).
  await page.getByRole('tab', { name: 'Configs' }).click();
  const retention = page
    .getByRole('table', { name: 'Configs' })
    .locator('tr')
    .filter({ has: page.locator('code', { hasText: /^retention\.ms$/ }) });
  await expect(retention).toContainText('604800000 · 7 d');
  await page.screenshot({ path: testInfo.outputPath('topic-configs.png') });

  await openScreen(page, 'Topics');
  await expect(page.getByRole('row').filter({ hasText: TOPIC })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('topics.png') });
  expect(errors).toEqual([]);
});

test('publishes 10 messages from the produce form and the high watermarks rise', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Produce');
  await page.getByLabel('Topic', { exact: true }).selectOption(TOPIC);
  await page.getByLabel('Value', { exact: true }).fill('{"order": 42}');
  await page.getByRole('button', { name: 'Add header' }).click();
  await page.getByLabel('Header 1 name').fill('source');
  await page.getByLabel('Header 1 value').fill('e2e');
  await page.getByLabel('Repeat').fill('10');
  await page.getByRole('button', { name: 'Send 10 records' }).click();
  const result = page.getByRole('status', { name: 'Produce result' });
  await expect(result).toContainText(`Sent 10 records to ${TOPIC}`);
  await page.screenshot({ path: testInfo.outputPath('produced.png') });

  await result.getByRole('button', { name: `Open ${TOPIC}` }).click();
  await expect.poll(async () => (await highWatermarks(page)).reduce((sum, value) => sum + value, 0)).toBe(10);
  // Keyless records are spread round-robin, so every partition rose.
  expect((await highWatermarks(page)).every((value) => value > 0)).toBe(true);
  await page.screenshot({ path: testInfo.outputPath('watermarks.png') });
  expect(errors).toEqual([]);
});

test('stopping a broker in the cluster panel moves its partitions’ leaders', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Cluster panel');
  await expect(page.getByTestId('bootstrap-servers')).toHaveText(webApp.bootstrapServers);
  await page.getByLabel('Topic for the grid').selectOption(TOPIC);
  const grid = page.getByRole('table', { name: `Replicas of ${TOPIC} by broker` });
  const leaders = () => grid.locator('td[data-column="leader"]').allInnerTexts();
  await expect.poll(async () => (await leaders()).length).toBe(3);
  const before = await leaders();
  const victim = before[0] ?? '0';
  const led = before.map((leader, partition) => (leader === victim ? partition : -1)).filter((partition) => partition >= 0);
  await page.screenshot({ path: testInfo.outputPath('cluster-before.png') });

  await page.getByRole('button', { name: `Stop broker ${victim}` }).click();
  await expect(page.getByTestId(`broker-card-${victim}`)).toContainText('stopped');
  await expect
    .poll(async () => {
      const now = await leaders();
      return led.every((partition) => now[partition] !== victim && now[partition] !== 'offline');
    })
    .toBe(true);
  // The stopped broker is out of every ISR, so its partitions show as under-replicated.
  await expect(grid.locator('tbody tr.row-warn')).toHaveCount(3);
  await page.screenshot({ path: testInfo.outputPath('cluster-broker-stopped.png') });
  await expect(page.getByRole('list', { name: 'Cluster events' })).toContainText(`Broker ${victim} is down`);

  await page.getByRole('button', { name: `Start broker ${victim}` }).click();
  await expect(page.getByTestId(`broker-card-${victim}`)).toContainText('running');
  await expect(grid.locator('tbody tr.row-warn')).toHaveCount(0, { timeout: 30_000 });
  await page.screenshot({ path: testInfo.outputPath('cluster-broker-restarted.png') });
  expect(errors).toEqual([]);
});

test('adds an external connection, tests it, and browses it; bad input is refused in words', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await page.getByRole('button', { name: 'Add a connection' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a connection' });
  await dialog.getByLabel('Name').fill('Same cluster, as external');
  await dialog.getByLabel('Bootstrap servers').fill('localhost');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByText('Bootstrap servers must be host:port pairs separated by commas')).toBeVisible();

  await dialog.getByLabel('Bootstrap servers').fill(webApp.bootstrapServers);
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByRole('status')).toContainText('3 brokers');
  await page.screenshot({ path: testInfo.outputPath('connection-tested.png') });
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();

  const connection = page.getByRole('button', { name: 'Same cluster, as external', exact: true });
  await expect(connection).toHaveAttribute('aria-current', 'true');
  await openScreen(page, 'Topics');
  // A text only this file's topic holds: other specs' topics (e2e-finding, e2e-browser…) share the cluster.
  await page.getByLabel('Search topics').fill('e2e-ord');
  await expect(page.getByRole('row').filter({ hasText: TOPIC })).toBeVisible();
  await expect(page.getByText('1 topic', { exact: true })).toBeVisible();
  // The cluster panel belongs to the embedded cluster only.
  await expect(page.getByRole('navigation').getByRole('button', { name: 'Cluster panel' })).toHaveCount(0);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: testInfo.outputPath('external-connection-dark.png') });
  expect(errors).toEqual([]);
});
