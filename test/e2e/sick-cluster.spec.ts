// A sick cluster end to end, in web mode against its own 3-broker embedded cluster: a topic with
// replication factor 1 loses partition 1 when broker 1 stops. Every screen keeps working and says
// so (Overview, Brokers, a broker's page, Topics, the topic page, Consumer groups, Messages); the
// stopped broker is listed as down; a restart from another window heals the open screen without a
// click; a preferred-leader election from the Brokers screen moves leadership back, and the cluster
// panel's partition grid shows it. Screenshots at 1024x700 and 1440x900 go to test-results/.
import type { Page } from '@playwright/test';
import { Admin, Producer, stringSerializers } from '@platformatic/kafka';
import { expect, startWebApp, test, type WebApp } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

const RF1 = 'e2e.rf1';
const RF3 = 'e2e.rf3';
const GROUP = 'e2e.sick.readers';
const DOWN = 1;

test.describe.configure({ mode: 'serial' });

let app: WebApp & { stop(): Promise<void> };

test.beforeAll(async () => {
  app = await startWebApp({ brokers: 3 });
  const bootstrapBrokers = app.bootstrapServers.split(',');
  const admin = new Admin({ clientId: 'e2e-sick', bootstrapBrokers });
  // Partition p's only replica is on broker p; the RF 3 topic's preferred leaders are spread out.
  await admin.createTopics({ topics: [RF1], partitions: -1, replicas: -1, assignments: [0, 1, 2].map((partition) => ({ partition, brokers: [partition] })) });
  await admin.createTopics({ topics: [RF3], partitions: 3, replicas: 3 });
  const producer = new Producer({ clientId: 'e2e-sick-producer', bootstrapBrokers, serializers: stringSerializers });
  await producer.send({
    messages: [0, 1, 2].flatMap((partition) => Array.from({ length: 5 }, (_, index) => ({ topic: RF1, partition, value: `p${partition}-${index}` }))),
  });
  await producer.close();
  await admin.alterConsumerGroupOffsets({
    groupId: GROUP,
    topics: [{ name: RF1, partitionOffsets: [0, 1, 2].map((partition) => ({ partition, offset: 2n })) }],
  });
  await admin.close();
});

test.afterAll(async () => {
  await app?.stop();
});

async function controlBroker(page: Page, action: 'Stop' | 'Start', broker: number): Promise<void> {
  await openScreen(page, 'Cluster panel');
  await page.getByRole('button', { name: `${action} broker ${broker}` }).click();
  await expect(page.getByTestId(`broker-card-${broker}`)).toContainText(action === 'Stop' ? 'stopped' : 'running');
}

test('with broker 1 stopped, every screen works and says which partition is offline and why', async ({ page }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(app.url);
  await controlBroker(page, 'Stop', DOWN);

  // Overview: counts highlighted, the down broker and the offline partition explained.
  await openScreen(page, 'Overview');
  await expect(page.locator('.stat').filter({ hasText: 'Brokers up' })).toContainText('2 of 3');
  await expect(page.locator('.stat-bad').filter({ hasText: 'Offline partitions' })).toContainText('1');
  await expect(page.locator('.stat-warn').filter({ hasText: 'Under-replicated partitions' })).toContainText('3');
  const problems = page.getByLabel('Problems');
  await expect(problems).toContainText(/Broker 1 \(127\.0\.0\.1:\d+\) is down since \d\d:\d\d/);
  await expect(problems).toContainText(/Partition 1 of e2e\.rf1 is offline: its only replica is on broker 1, which is down since \d\d:\d\d\./);
  await expect(problems).toContainText(/Partition 0 of e2e\.rf3 is under-replicated: the replica on broker 1 is out of sync \(broker 1 is down since/);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await screenshots(page, testInfo, 'sick-overview', { fullPage: true });

  // Brokers: the stopped broker is listed as down, with what it takes with it.
  await openScreen(page, 'Brokers');
  const brokers = page.getByRole('table', { name: 'Brokers' });
  await expect(brokers.locator(`tr[data-broker="${DOWN}"] [data-column="state"]`)).toContainText(/down\s*since \d\d:\d\d/);
  await expect(brokers.locator('tr[data-broker="0"] [data-column="state"]')).toHaveText('up');
  await expect(brokers.locator(`tr[data-broker-detail="${DOWN}"]`)).toContainText('offline with it: e2e.rf1-1');
  await expect(brokers.locator(`tr[data-broker-detail="${DOWN}"]`)).toContainText('3 partitions it followed run without it');
  await screenshots(page, testInfo, 'sick-brokers', { fullPage: true });

  // The down broker's page: its replicas from the assignments; log dirs and configs cannot be asked.
  await brokers.locator(`tr[data-broker="${DOWN}"]`).click();
  await expect(page.getByRole('status', { name: 'Broker state' })).toContainText(/Broker 1 is down since \d\d:\d\d/);
  const hosted = page.getByRole('table', { name: 'Hosted partitions' });
  await expect(hosted.locator(`tr[data-replica="${RF1}-1"]`)).toContainText('offline');
  await expect(hosted.locator(`tr[data-replica^="${RF3}-"]`)).toHaveCount(3);
  await screenshots(page, testInfo, 'sick-broker-down', { fullPage: true });
  await page.getByRole('tab', { name: 'Log dirs' }).click();
  await expect(page.getByRole('alert')).toContainText('Broker 1 is down, so it cannot be asked for its log dirs.');

  // A live broker's page: log dirs with sizes, configs.
  await page.getByRole('button', { name: 'Brokers', exact: true }).first().click();
  await brokers.locator('tr[data-broker="2"]').click();
  await page.getByRole('tab', { name: 'Log dirs' }).click();
  await expect(page.getByRole('table', { name: 'Log dirs' })).toContainText('broker-2');
  await screenshots(page, testInfo, 'sick-broker-logdirs', { fullPage: true });
  await page.getByRole('tab', { name: 'Configs' }).click();
  await page.getByLabel('Filter configs').fill('broker.id');
  await expect(
    page
      .getByRole('table', { name: 'Broker configs' })
      .locator('tr')
      .filter({ hasText: /^broker\.id/ }),
  ).toContainText('2');

  // Topics: the counts in the health line and on the row, one screen, no error banner.
  await openScreen(page, 'Topics');
  await expect(page.getByLabel('Topics health')).toContainText('1 offline partition in 1 topic');
  await expect(page.getByLabel('Topics health')).toContainText('3 under-replicated in 1 topic');
  const row = page.getByRole('row').filter({ hasText: RF1 });
  await expect(row.locator('[data-column="health"]')).toHaveText('1 offline');
  // Partitions 0 and 2 hold 10 records; partition 1's 5 are on the stopped broker.
  await expect(row).toContainText('≥ 10');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await screenshots(page, testInfo, 'sick-topics', { fullPage: true });

  // The topic page: the offline partition in its row and explained, the others read.
  await row.click();
  const partitions = page.getByRole('table', { name: 'Partitions' });
  await expect(partitions.locator('tr[data-partition="1"] [data-column="leader"]')).toHaveText('offline');
  await expect(partitions.locator('tr[data-partition="0"] [data-column="high-watermark"]')).toHaveText('5');
  await expect(partitions.locator('tr[data-partition="2"] [data-column="high-watermark"]')).toHaveText('5');
  await expect(page.getByLabel('Partition problems')).toContainText(/Partition 1 is offline: its only replica is on broker 1, which is down since \d\d:\d\d\./);
  await expect(page.getByLabel('Topic health')).toContainText('1 offline');
  await screenshots(page, testInfo, 'sick-topic', { fullPage: true });

  // Consumer groups: the list, and the group's lag where the end offsets could be read.
  await openScreen(page, 'Consumer groups');
  await page.getByLabel('Search groups').fill(GROUP);
  await page.locator(`[data-group="${GROUP}"]`).click();
  const lag = page.locator('table').filter({ hasText: 'Log end' });
  await expect(lag.locator('tbody tr')).toHaveCount(3);
  await expect(lag.locator('tbody tr').nth(0).locator('[data-column="end"]')).toHaveText('5');
  await expect(lag.locator('tbody tr').nth(1).locator('[data-column="end"]')).toHaveText('—');
  await screenshots(page, testInfo, 'sick-group', { fullPage: true });

  // Messages: the partitions that can be read are, and the page says which one cannot.
  await openScreen(page, 'Messages');
  await page.getByLabel('Topic', { exact: true }).selectOption(RF1);
  const query = page.getByRole('form', { name: 'Query' });
  await query.getByLabel('Start').selectOption('earliest');
  await query.getByRole('button', { name: 'Read' }).click();
  await expect(page.getByRole('status', { name: 'Page status' })).toContainText('10 records');
  await expect(page.getByText(/partition 1 is offline \(no leader\)/)).toBeVisible();
  await screenshots(page, testInfo, 'sick-messages', { fullPage: true });
  expect(errors).toEqual([]);
});

test('a broker restart heals the open screens without a click', async ({ page, context }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(app.url);
  await openScreen(page, 'Topics');
  await page.getByRole('row').filter({ hasText: RF1 }).click();
  const partitions = page.getByRole('table', { name: 'Partitions' });
  await expect(partitions.locator('tr[data-partition="1"] [data-column="leader"]')).toHaveText('offline');

  // Another window starts the broker: this one is not touched.
  const other = await context.newPage();
  await other.goto(app.url);
  await controlBroker(other, 'Start', DOWN);
  await other.close();

  await expect(partitions.locator('tr[data-partition="1"] [data-column="leader"]')).toHaveText(String(DOWN), { timeout: 30_000 });
  await expect(partitions.locator('tr[data-partition="1"] [data-column="high-watermark"]')).toHaveText('5');
  await expect(page.getByLabel('Partition problems')).toHaveCount(0);
  await screenshots(page, testInfo, 'healed-topic', { fullPage: true });
  expect(errors).toEqual([]);
});

test('a preferred-leader election from the Brokers screen moves leadership back, and the grid shows it', async ({ page }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(app.url);
  // Broker 1 was stopped and started: the RF 3 partitions it preferred are led elsewhere.
  await openScreen(page, 'Cluster panel');
  await page.getByLabel('Topic for the grid').selectOption(RF3);
  const grid = page.getByRole('table', { name: `Replicas of ${RF3} by broker` });
  // Its rows first: an empty grid (still loading) has no warned row and no leader either.
  await expect(grid.locator('tbody tr')).toHaveCount(3);
  await expect(grid.locator('tbody tr.row-warn')).toHaveCount(0, { timeout: 30_000 });
  const leaders = () => grid.locator('td[data-column="leader"]').allInnerTexts();
  expect(await leaders()).toHaveLength(3);
  expect(await leaders()).not.toContain(String(DOWN));

  await openScreen(page, 'Brokers');
  await page.getByRole('button', { name: /^Elect preferred leaders \(\d+\)$/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Elect preferred leaders' });
  await expect(dialog.getByRole('status', { name: 'Election preview' })).toContainText(/\d+ of \d+ partitions would move to their preferred leader/);
  const moves = dialog.getByRole('table', { name: 'Leaders that move' });
  await expect(moves.locator('tbody tr').filter({ hasText: RF3 }).first()).toContainText(`broker ${DOWN}`);
  await screenshots(page, testInfo, 'election-preview', { fullPage: true });
  await dialog.getByRole('button', { name: /^Elect \d+ leaders?$/ }).click();
  await expect(dialog.getByRole('status', { name: 'Election result' })).toContainText(/\d+ leaders? moved to the preferred replica/);
  await screenshots(page, testInfo, 'election-done', { fullPage: true });
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  await expect(page.getByRole('button', { name: 'Elect preferred leaders', exact: true })).toBeVisible();

  // The partition grid follows the leader events: broker 1 leads the partitions it prefers again.
  await openScreen(page, 'Cluster panel');
  await page.getByLabel('Topic for the grid').selectOption(RF3);
  await expect.poll(leaders).toContain(String(DOWN));
  await openScreen(page, 'Topics');
  await page.getByRole('row').filter({ hasText: RF3 }).click();
  const partitions = page.getByRole('table', { name: 'Partitions' });
  await expect(partitions.locator('[data-column="preferred"] button')).toHaveCount(0);
  await screenshots(page, testInfo, 'election-topic', { fullPage: true });
  expect(errors).toEqual([]);
});
