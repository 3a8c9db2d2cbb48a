// Replicas you can move (#19), end to end in web mode on its own 2-broker embedded cluster: add a
// broker from the Cluster panel, spread a topic onto it with the planner (throttled, so the grid shows
// the new replicas catching up, then the throttle lifted), drain broker 0 and remove it; then a target
// typed by hand (refused while wrong), a preferred leader election from the hint it leaves, and a throttle
// another tool left removed. The grid shows each step. Screenshots at 1024x700 and 1440x900 go to test-results/.
import { Admin, ConfigResourceTypes, Producer, stringSerializers } from '@platformatic/kafka';
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
  // The whole cluster before → after, with the data each broker holds and receives.
  await expect(loads.locator('tr[data-broker-load="2"] td').nth(3)).toContainText(/^0 B → \d/);
  await expect(loads.locator('tr[data-broker-load="2"] td').nth(4)).toContainText('KiB');
  await page.getByRole('button', { name: /^Move \d+ partitions?$/ }).click();
  const ongoing = page.getByTestId('ongoing-moves');
  await expect(ongoing).toContainText('throttled to 1.0 KiB/s');
  await expect(ongoing).toContainText('not in sync yet');
  // Both moves copy onto broker 2 at 1 KiB/s (about 40 s): cancel one; the other goes on.
  const ongoingRows = ongoing.locator('tr[data-ongoing]');
  await expect(ongoingRows).toHaveCount(2);
  const cancelled = await ongoingRows.first().getAttribute('data-ongoing');
  await ongoingRows.first().getByRole('button', { name: 'Cancel' }).click();
  await expect(ongoing.locator(`tr[data-ongoing="${cancelled}"]`)).toHaveCount(0);
  await expect(ongoingRows).toHaveCount(1);
  await screenshots(page, testInfo, 'reassign-3-ongoing', { fullPage: true });

  await openScreen(page, 'Cluster panel');
  await page.getByLabel('Topic for the grid').selectOption(TOPIC);
  await expect(grid.locator('td[data-broker="2"] .cell-adding').first()).toBeVisible();
  // Animated while it catches up (the pulse), not only marked.
  expect(
    await grid
      .locator('td[data-broker="2"] .cell-adding')
      .first()
      .evaluate((cell) => cell.ownerDocument.defaultView?.getComputedStyle(cell).animationName),
  ).toBe('cell-adding');
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
  // Removed is gone, not missing: the connection is not left degraded by it.
  await expect(page.getByText('Embedded cluster is degraded')).toBeHidden();
  await screenshots(page, testInfo, 'reassign-7-removed', { fullPage: true });

  // 4. By hand: partition 0's replicas in the other order, the broker that does not lead first. Nothing is
  // copied; its leader stays, so it is no longer led by its preferred replica until an election.
  const admin = new Admin({ clientId: 'e2e-reassign', bootstrapBrokers: app.bootstrapServers.split(',').slice(1) });
  const partition0 = async () => (await admin.metadata({ topics: [TOPIC], forceUpdate: true })).topics.get(TOPIC)!.partitions[0]!;
  const dialog = page.getByRole('dialog', { name: 'Elect preferred leaders' });
  /** Elects the preferred leaders from an open dialog once its preview is in, if any is to move. */
  const electFromDialog = async () => {
    const preview = dialog.getByRole('status', { name: 'Election preview' });
    await expect(preview).toContainText(/would move to their preferred leader|nothing to move/);
    if (/would move/.test((await preview.textContent()) ?? '')) {
      await dialog.getByRole('button', { name: /^Elect \d+ leaders?$/ }).click();
      // The election answered before the dialog closes (its corner × is a 'Close' button too, there all along).
      await expect(dialog.getByRole('status', { name: 'Election result' })).toContainText(/\d+ leaders? moved to the preferred replica/);
    }
    await dialog
      .getByRole('button', { name: /^(Close|Cancel)$/ })
      .last()
      .click();
    await expect(dialog).toBeHidden();
  };
  try {
    // First every partition led by its preferred replica (the moves may have left some otherwise), so the
    // swap below is a change and leaves partition 0 led by its second replica.
    await openScreen(page, 'Reassign partitions');
    await page.getByRole('button', { name: 'Elect preferred leaders', exact: true }).click();
    await electFromDialog();
    await expect.poll(async () => ((p) => p.leader === p.replicas[0])(await partition0())).toBe(true);
    const { leader, replicas } = await partition0();
    const other = replicas.find((id) => id !== leader)!;
    await page.getByLabel('Choose replicas by hand').check();
    await page.getByRole('checkbox', { name: new RegExp(`^${TOPIC.replace('.', '\\.')}`) }).check();
    const target = page.getByLabel(`Target replicas of ${TOPIC}-0`);
    const move = page.getByRole('button', { name: /^Move \d+ partitions?$|^Nothing to move$/ });
    await target.fill(`${other}, ${other}`);
    await expect(moves.locator(`tr[data-partition-row="${TOPIC}-0"]`)).toContainText(`Broker ${other} appears twice.`);
    await expect(move).toBeDisabled();
    await target.fill('0, 1');
    await expect(moves.locator(`tr[data-partition-row="${TOPIC}-0"]`)).toContainText('There is no broker 0.');
    await target.fill(String(other));
    await expect(moves.locator(`tr[data-partition-row="${TOPIC}-0"]`)).toContainText('tick "Change replication factors"');
    await target.fill(`${other}, ${leader}`);
    await expect(moves.locator(`tr[data-partition-row="${TOPIC}-0"] .field-error`)).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Move 1 partition' })).toBeEnabled();
    await screenshots(page, testInfo, 'reassign-8-by-hand', { fullPage: true });
    await page.getByRole('button', { name: 'Move 1 partition' }).click();
    await expect(page.getByRole('status').filter({ hasText: '1 move started' })).toBeVisible();
    await expect.poll(async () => (await partition0()).replicas).toEqual([other, leader]);
    expect((await partition0()).leader).toBe(leader);

    // 5. Preferred leader election afterwards, from the hint.
    const hint = page.getByTestId('not-preferred-leaders');
    await expect(hint).toContainText('1 partition is not led by its preferred replica');
    await screenshots(page, testInfo, 'reassign-9-not-preferred', { fullPage: true });
    await hint.getByRole('button', { name: 'Elect preferred leaders…' }).click();
    await expect(dialog.getByRole('status', { name: 'Election preview' })).toContainText(/^1 of \d+ partitions would move to their preferred leader/);
    await electFromDialog();
    await expect.poll(async () => (await partition0()).leader).toBe(other);
    await expect(hint).toBeHidden();

    // 6. A throttle another tool left with nothing moving: shown, and removed on request.
    await admin.alterConfigs({
      resources: [
        { resourceType: ConfigResourceTypes.BROKER, resourceName: String(other), configs: [{ name: 'follower.replication.throttled.rate', value: '4096' }] },
      ],
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    const leftover = page.getByTestId('leftover-throttle');
    await expect(leftover).toContainText(`broker ${other}: follower 4.0 KiB/s`);
    await screenshots(page, testInfo, 'reassign-10-leftover-throttle', { fullPage: true });
    await leftover.getByRole('button', { name: 'Remove throttles' }).click();
    await expect(leftover).toBeHidden();
  } finally {
    await admin.close();
  }
  expect(errors).toEqual([]);
});
