// Storage failures end to end, in web mode against its own 3-broker embedded cluster: broker 1 cannot
// create its logs of a new topic (a file stands where their directories go, as a full or broken disk
// would leave them). Overview, Brokers and the topic page say which replicas have storage failures, on a
// broker that is up; once the files are gone the broker's retry opens the logs and the screens heal.
// Screenshots at 1024x700 and 1440x900 go to test-results/.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Admin } from '@platformatic/kafka';
import { expect, startWebApp, test, type WebApp } from './fixtures';
import { openScreen, screenshots } from '../support/e2e-page';

const TOPIC = 'e2e.storage';
const FAILING = 1;

let app: WebApp & { stop(): Promise<void> };
let blockers: string[] = [];

test.beforeAll(async () => {
  app = await startWebApp({ brokers: 3 });
  blockers = [0, 1, 2].map((partition) => path.join(app.dataDir, 'kafka-data', `broker-${FAILING}`, `${TOPIC}-${partition}`));
  for (const blocker of blockers) writeFileSync(blocker, 'not a directory');
  const admin = new Admin({ clientId: 'e2e-storage', bootstrapBrokers: app.bootstrapServers.split(',') });
  await admin.createTopics({ topics: [TOPIC], partitions: 3, replicas: 3 });
  await admin.close();
});

test.afterAll(async () => {
  await app?.stop();
});

test('replicas with storage failures are shown on a live broker, and the screens heal once the disk allows', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(app.url);

  await openScreen(page, 'Overview');
  const problems = page.getByLabel('Problems');
  await expect(problems).toContainText(`Broker ${FAILING} is up, but 3 of its replicas cannot be opened or written`);
  await screenshots(page, testInfo, 'storage-overview', { fullPage: true });

  await openScreen(page, 'Brokers');
  const brokers = page.getByRole('table', { name: 'Brokers' });
  await expect(brokers.locator(`tr[data-broker="${FAILING}"] [data-column="state"]`)).toContainText('up3 storage failures');
  await expect(brokers.locator('tr[data-broker="0"] [data-column="state"]')).toHaveText('up');
  await screenshots(page, testInfo, 'storage-brokers', { fullPage: true });
  await brokers.locator(`tr[data-broker="${FAILING}"]`).click();
  const hosted = page.getByRole('table', { name: 'Hosted partitions' });
  await expect(hosted.locator(`tr[data-replica^="${TOPIC}-"]`).filter({ hasText: 'storage failure' })).toHaveCount(3);
  await screenshots(page, testInfo, 'storage-broker', { fullPage: true });

  await openScreen(page, 'Topics');
  await page.getByRole('row').filter({ hasText: TOPIC }).click();
  const partitionProblems = page.getByLabel('Partition problems');
  // The replicas on broker 1 left the ISR (leadership moved off it): each partition is under-replicated, and says why.
  await expect(partitionProblems).toContainText(
    `Partition 0 is under-replicated: the replica on broker ${FAILING} is out of sync (broker ${FAILING} has a storage failure there`,
  );
  const badge = page
    .getByRole('table', { name: 'Partitions' })
    .locator('tr[data-partition="0"]')
    .getByTitle(/^Broker 1: offline: a storage failure/);
  await expect(badge).toBeVisible();
  await screenshots(page, testInfo, 'storage-topic', { fullPage: true });

  // The disk allows it again: the broker's retry creates the logs; the open page heals on refresh.
  for (const blocker of blockers) rmSync(blocker);
  await expect(async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect(page.getByLabel('Partition problems')).toHaveCount(0, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await screenshots(page, testInfo, 'storage-healed', { fullPage: true });
  expect(errors).toEqual([]);
});
