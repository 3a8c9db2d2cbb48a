// Replicas you can move (#19), end to end in web mode on its own 2-broker embedded cluster: add a
// broker from the Cluster panel, spread a topic onto it with the planner (throttled, so the grid shows
// the new replicas catching up, then the throttle lifted), drain broker 0 and remove it. The grid shows
// each step. Screenshots at 1024x700 and 1440x900 go to test-results/.
import { Admin, Producer, stringSerializers } from '@platformatic/kafka';
import { expect, startWebApp, test, type WebApp } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

const TOPIC = 'e2e.moves';

let app: WebApp & { stop(): Promise<void> };

test.beforeAll(async () => {
  app = await startWebApp({ brokers: 2 });
  const brokers = app.bootstrapServers.split(',');
  const admin = new Admin({ clientId: 'e2e-reassign', bootstrapBrokers: brokers });
  await admin.createTopics({ topics: [TOPIC], partitions: 4, replicas: 2 });
  await admin.close();
  const producer = new Producer({ clientId: 'e2e-reassign', bootstrapBrokers: brokers, serializers: stringSerializers });
  // One record per send, so each is a batch of its own: a 1 KiB/s throttle then lets a new replica copy about
  // one record a second (a fetch takes at least one batch: one batch of all 20 would arrive at once).
  for (let partition = 0; partition < 4; partition++) {
    for (let i = 0; i < 20; i++) await producer.send({ messages: [{ topic: TOPIC, partition, value: `${i}`.padEnd(1000, '.') }] });
  }
  await producer.close();
});

test.afterAll(async () => {
  await app?.stop();
});

test('add a broker, spread a topic onto it, drain another and remove it, the grid showing each step', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  await page.goto(app.url);

  // 1. A third broker, from the Cluster panel.
  await openScreen(page, 'Cluster panel');
  await page.getByRole('button', { name: 'Add broker' }).click();
  await expect(page.getByTestId('broker-card-2')).toContainText('running');
  await page.getByLabel('Topic for the grid').selectOption(TOPIC);
  const grid = page.getByRole('table', { name: `Replicas of ${TOPIC} by broker` });
  await expect(grid.locator('th', { hasText: 'Broker 2' })).toBeVisible();
  await expect(grid.locator('td[data-broker="2"] .cell')).toHaveCount(0);
  await screenshots(page, testInfo, 'reassign-1-added', { fullPage: true });

  // 2. Spread the topic over the three brokers, throttled.
  await openScreen(page, 'Reassign partitions');
  await page.getByRole('checkbox', { name: new RegExp(`^${TOPIC.replace('.', '\\.')}`) }).check();
  const loads = page.getByRole('table', { name: 'Brokers after the moves' });
  await expect(loads.locator('tr[data-broker-load="2"]')).toContainText(/0 → [1-9]/);
  const moves = page.getByRole('table', { name: 'Planned moves' });
  await expect(moves.locator('tr[data-move]').first()).toContainText('KiB');
  await page.getByLabel('Throttle in KiB/s').fill('1');
  await screenshots(page, testInfo, 'reassign-2-plan', { fullPage: true });
  await page.getByRole('button', { name: /^Move \d+ partitions?$/ }).click();
  const ongoing = page.getByTestId('ongoing-moves');
  await expect(ongoing).toContainText('throttled to 1.0 KiB/s');
  await expect(ongoing).toContainText('not in sync yet');
  await screenshots(page, testInfo, 'reassign-3-ongoing', { fullPage: true });

  await openScreen(page, 'Cluster panel');
  await page.getByLabel('Topic for the grid').selectOption(TOPIC);
  await expect(grid.locator('td[data-broker="2"] .cell-adding').first()).toBeVisible();
  await screenshots(page, testInfo, 'reassign-4-grid-moving', { fullPage: true });

  await openScreen(page, 'Reassign partitions');
  await page.getByRole('button', { name: 'Remove throttle' }).click();
  await expect(ongoing).toBeHidden({ timeout: 60_000 });
  await openScreen(page, 'Cluster panel');
  await page.getByLabel('Topic for the grid').selectOption(TOPIC);
  await expect(grid.locator('td[data-broker="2"] .cell').first()).toBeVisible();
  await expect(grid.locator('.cell-adding')).toHaveCount(0);
  await screenshots(page, testInfo, 'reassign-5-spread', { fullPage: true });

  // 3. Removing broker 0 is refused while it holds replicas; drain it (every topic), then remove it.
  await page.getByTestId('broker-card-0').getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Broker 0 was not removed: broker 0 still holds' })).toBeVisible();
  await openScreen(page, 'Reassign partitions');
  await page.getByLabel('Drain a broker').check();
  await page.getByLabel('Broker to drain').selectOption('0');
  await expect(loads.locator('tr[data-broker-load="0"]')).toContainText(/→ 0/);
  await screenshots(page, testInfo, 'reassign-6-drain-plan', { fullPage: true });
  await page.getByRole('button', { name: /^Move \d+ partitions?$/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'started' })).toBeVisible();
  await expect(ongoing).toBeHidden({ timeout: 60_000 });
  await openScreen(page, 'Cluster panel');
  await page.getByLabel('Topic for the grid').selectOption(TOPIC);
  await expect(grid.locator('td[data-broker="0"] .cell')).toHaveCount(0, { timeout: 20_000 });
  await page.getByTestId('broker-card-0').getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('broker-card-0')).toHaveCount(0);
  await expect(grid.locator('th', { hasText: 'Broker 0' })).toHaveCount(0);
  await expect(page.getByText('Broker 0 removed')).toBeVisible();
  await screenshots(page, testInfo, 'reassign-7-removed', { fullPage: true });
  expect(errors).toEqual([]);
});
