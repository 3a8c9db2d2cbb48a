// Consumer groups and lag charts end to end, in web mode against the embedded cluster: start the demo
// from the cluster panel, watch the lag chart grow, see a reset refused while consumers run, stop the
// consumers, reset the group to earliest and see its lag equal the partitions' sizes. Light and dark
// screenshots of every screen go to test-results/.
import { Admin } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { expect, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

// A web app of this file's own (fixtures.ts: nothing another spec left behind is seen here).
test.use({ appFor: 'groups.spec.ts' });

const GROUP = 'demo.billing';
const SECOND = 'demo.analytics';
const TOPIC = 'demo.orders';

test.describe.configure({ mode: 'serial' });

const numberIn = (text: string) => Number(text.replace(/[^\d]/g, ''));

test('the demo: a queue and publish/subscribe, lag over time, a reset to earliest', async ({ page, webApp }, testInfo) => {
  test.setTimeout(240_000);
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Cluster panel');
  const demo = page.getByTestId('demo-card');
  await expect(demo).toBeVisible();
  await demo.getByLabel('Produce (records/s)').fill('60');
  await demo.getByLabel('Consume, per consumer (records/s)').fill('10');
  await demo.getByLabel(`Consumers in ${GROUP}`).selectOption('2');
  await demo.getByLabel(`Also run a second group, ${SECOND}`).check();
  await demo.getByRole('button', { name: 'Start demo' }).click();

  // The two consumers of one group split the 4 partitions; the second group's consumer has all 4.
  const consumers = demo.getByRole('table', { name: 'Demo consumers' });
  const partitionsOf = (name: string) => consumers.locator(`tr[data-consumer="${name}"] td[data-column="partitions"]`);
  await expect(partitionsOf(`${GROUP}-1`)).toHaveText(/^\d+, \d+$/, { timeout: 60_000 });
  await expect(partitionsOf(`${GROUP}-2`)).toHaveText(/^\d+, \d+$/, { timeout: 60_000 });
  await expect(partitionsOf(`${SECOND}-1`)).toHaveText('0, 1, 2, 3', { timeout: 60_000 });
  const shared = [...(await partitionsOf(`${GROUP}-1`).innerText()).split(', '), ...(await partitionsOf(`${GROUP}-2`).innerText()).split(', ')];
  expect(shared.map(Number).sort()).toEqual([0, 1, 2, 3]);
  await expect(demo.getByRole('button', { name: 'Apply changes' })).toBeVisible();
  await expect(demo.getByRole('figure', { name: 'Lag on demo.orders' })).toBeVisible({ timeout: 30_000 });
  await demo.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('demo-running.png'), fullPage: true });

  // The groups list: both demo groups with their lag and coordinator.
  await openScreen(page, 'Consumer groups');
  const table = page.getByRole('table', { name: 'Consumer groups' });
  await expect(table.locator(`[data-group="${GROUP}"]`)).toBeVisible();
  await expect(table.locator(`[data-group="${SECOND}"]`)).toContainText('stable');
  await expect(table.locator(`[data-group="${GROUP}"]`)).toContainText('broker');
  await page.getByLabel('Search groups').fill('billing');
  await expect(table.locator('[role="row"][data-group]')).toHaveCount(1);
  await page.getByLabel('Search groups').fill('');
  await expect(table.locator(`[data-group="${GROUP}"] svg.sparkline`)).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: testInfo.outputPath('groups-list.png') });

  // The group's page: the lag chart grows sample after sample while the producer outpaces the consumers.
  await table.getByRole('button', { name: GROUP, exact: true }).click();
  await expect(page.locator('.topic-title')).toHaveText(GROUP);
  const charts = page.getByTestId('lag-charts');
  await expect(charts).toBeVisible({ timeout: 30_000 });
  await expect.poll(async () => Number(await charts.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  const before = Number(await charts.getAttribute('data-points'));
  await expect.poll(async () => Number(await charts.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(before);
  await expect.poll(async () => Number(await charts.getAttribute('data-last-total')), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(page.getByRole('table', { name: 'Members' }).locator('tbody tr')).toHaveCount(2);
  await charts
    .locator('.recharts-surface')
    .first()
    .hover({ position: { x: 400, y: 100 } });
  await expect(page.locator('.recharts-tooltip-wrapper').first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('group-lag.png'), fullPage: true });
  // No smoothing: rates are steps (a consumer that stops drops at once), lag lines straight between
  // samples; no curve segment (C) in any series path. The time ticks are evenly spaced.
  const rates = page.getByRole('figure', { name: 'Produce and consume rates' });
  await expect(rates.locator('path.recharts-line-curve')).toHaveCount(2);
  for (const d of await page
    .locator('path.recharts-line-curve, path.recharts-area-curve')
    .evaluateAll((paths) => paths.map((path) => path.getAttribute('d') ?? ''))) {
    expect(d).not.toMatch(/C/);
  }
  for (const d of await rates.locator('path.recharts-line-curve').evaluateAll((paths) => paths.map((path) => path.getAttribute('d') ?? ''))) {
    // Each step segment is horizontal or vertical.
    const points = [...d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((match) => [Number(match[1]), Number(match[2])] as const);
    for (let index = 1; index < points.length; index++) {
      const [x0, y0] = points[index - 1]!;
      const [x1, y1] = points[index]!;
      expect(Math.abs(x1 - x0) < 0.01 || Math.abs(y1 - y0) < 0.01).toBe(true);
    }
  }
  // Tick labels' centres along the x axis (SVG text of the axis' ticks).
  const tickXs = await rates.locator('svg text').evaluateAll((texts) =>
    [
      ...new Set(
        texts
          .filter((text) => /^\d\d:\d\d(:\d\d)?$/.test(text.textContent?.trim() ?? ''))
          .map((text) => {
            const box = text.getBoundingClientRect() as { x: number; width: number };
            return Math.round((box.x + box.width / 2) * 10) / 10;
          }),
      ),
    ].sort((a, b) => a - b),
  );
  expect(tickXs.length).toBeGreaterThanOrEqual(2);
  const gaps = tickXs.slice(1).map((x, index) => x - tickXs[index]!);
  for (const gap of gaps) expect(Math.abs(gap - gaps[0]!)).toBeLessThan(1);
  await page.getByRole('group', { name: 'Stack the lag by' }).getByRole('button', { name: 'By partition' }).click();
  await expect(page.getByRole('figure', { name: 'Lag over time' }).locator('.recharts-legend-item')).toHaveCount(4);
  await page.screenshot({ path: testInfo.outputPath('group-lag-by-partition.png') });

  // Consumers are running: the preview says the reset must wait, and it cannot be applied.
  await page.getByRole('button', { name: 'Reset offsets', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Reset offsets' });
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(dialog.locator('.reset-preview [role="alert"]')).toContainText('has 2 active members');
  await expect(dialog.getByRole('button', { name: 'Reset offsets' })).toBeDisabled();
  await page.screenshot({ path: testInfo.outputPath('reset-refused.png') });
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // Stop the consumers (the producer keeps writing), then the whole demo.
  await openScreen(page, 'Cluster panel');
  await demo.getByRole('button', { name: 'Stop consumers' }).click();
  await expect(consumers).toBeHidden();
  await demo.getByRole('button', { name: 'Stop demo' }).click();
  await expect(demo.getByRole('button', { name: 'Start demo' })).toBeVisible();

  // Reset to earliest, previewed first: the group's lag becomes each partition's size.
  await openScreen(page, 'Consumer groups');
  await table.getByRole('button', { name: GROUP, exact: true }).click();
  await expect(page.locator('.group-summary')).toContainText('empty', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Reset offsets', exact: true }).click();
  await dialog.getByLabel('Reset to').selectOption('earliest');
  await dialog.getByRole('button', { name: 'Preview' }).click();
  const preview = dialog.getByRole('table', { name: 'Preview of the new offsets' });
  await expect(preview.locator('tbody tr')).toHaveCount(4);
  await expect(dialog.getByRole('button', { name: 'Reset offsets' })).toBeEnabled();
  await page.screenshot({ path: testInfo.outputPath('reset-preview.png') });
  await dialog.getByRole('button', { name: 'Reset offsets' }).click();
  await expect(dialog.getByRole('status')).toContainText('Offsets of 4 partitions reset');
  await dialog.locator('.dialog-actions').getByRole('button', { name: 'Close' }).click();

  const offsets = page.getByRole('table', { name: `Offsets of ${TOPIC}` });
  await expect(offsets.locator('td[data-column="committed"]')).toHaveText(['0', '0', '0', '0'], { timeout: 15_000 });
  // Lag and end are two reads of the table: polled until one refresh shows both.
  let lags: number[] = [];
  await expect
    .poll(async () => {
      lags = (await offsets.locator('td[data-column="lag"]').allInnerTexts()).map(numberIn);
      const ends = (await offsets.locator('td[data-column="end"]').allInnerTexts()).map(numberIn);
      return lags.length === 4 && lags.every((lag, index) => lag === ends[index]);
    })
    .toBe(true);
  expect(lags.reduce((sum, lag) => sum + lag, 0)).toBeGreaterThan(0);
  await page.screenshot({ path: testInfo.outputPath('group-after-reset.png'), fullPage: true });
  await offsets.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('group-after-reset-offsets.png') });

  // The same sizes on the topic's page (records = high - low watermark per partition).
  await openScreen(page, 'Topics');
  await page.getByRole('button', { name: TOPIC, exact: true }).click();
  const recordCells = page.getByRole('table', { name: 'Partitions' }).locator('tbody tr td:nth-child(7)');
  await expect(recordCells).toHaveCount(4);
  await expect.poll(async () => (await recordCells.allInnerTexts()).map(numberIn)).toEqual(lags);

  // The topic's tab with the lag of every group reading it.
  await page.getByRole('tab', { name: 'Consumer groups' }).click();
  const readers = page.getByRole('table', { name: `Groups reading ${TOPIC}` });
  await expect(readers.locator(`tr[data-group="${GROUP}"] td[data-column="lag"]`)).toHaveText(
    new Intl.NumberFormat('en-US').format(lags.reduce((sum, lag) => sum + lag, 0)),
    { timeout: 30_000 },
  );
  await expect(readers.locator(`tr[data-group="${SECOND}"]`)).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('topic-groups.png'), fullPage: true });

  // Dark theme.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: testInfo.outputPath('topic-groups-dark.png'), fullPage: true });
  await readers.getByRole('button', { name: GROUP }).click();
  await expect(page.getByTestId('lag-charts')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('group-after-reset-dark.png'), fullPage: true });
  await openScreen(page, 'Consumer groups');
  await page.screenshot({ path: testInfo.outputPath('groups-list-dark.png') });
  await openScreen(page, 'Cluster panel');
  await demo.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('demo-dark.png'), fullPage: true });
  expect(errors).toEqual([]);
});

test('many groups: search, sort by lag, a member without commits shows "no committed offset"', async ({ page, webApp }, testInfo) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  const kafka = new Kafka({ clientId: 'e2e-groups', brokers: webApp.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'e2e.lag', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'e2e.lag', messages: Array.from({ length: 300 }, (_, index) => ({ value: `v${index}`, partition: index % 3 })) });
  await producer.disconnect();
  // 150 groups; group i is i % 100 records behind the end on each partition (lag 3 x (i % 100)).
  // Committed with @platformatic/kafka's admin as "simple" groups (kafkajs would join each group).
  const offsets = new Admin({ clientId: 'e2e-groups-offsets', bootstrapBrokers: webApp.bootstrapServers.split(',') });
  await Promise.all(
    Array.from({ length: 150 }, (_, index) =>
      offsets.alterConsumerGroupOffsets({
        groupId: `e2e.group.${String(index).padStart(3, '0')}`,
        topics: [{ name: 'e2e.lag', partitionOffsets: [0, 1, 2].map((partition) => ({ partition, offset: BigInt(100 - (index % 100)) })) }],
      }),
    ),
  );
  await offsets.close();
  await admin.disconnect();
  // A member that reads but never commits: its partitions have no committed offset.
  const idle = kafka.consumer({ groupId: 'e2e.idle', sessionTimeout: 10_000, heartbeatInterval: 500 });
  await idle.connect();
  await idle.subscribe({ topic: 'e2e.lag', fromBeginning: true });
  await idle.run({ autoCommit: false, eachMessage: async () => undefined });
  try {
    await page.goto(webApp.url);
    await openScreen(page, 'Consumer groups');
    const table = page.getByRole('table', { name: 'Consumer groups' });
    await expect(page.locator('.subtitle')).toContainText('groups', { timeout: 30_000 });
    // Other tests' groups (the demo's) share this cluster: search narrows the list to these.
    await page.getByLabel('Search groups').fill('e2e.group.');
    await expect(page.locator('.subtitle')).toContainText('150 of');
    await page.getByRole('columnheader', { name: 'Total lag' }).getByRole('button').click();
    const first = table.locator('[role="row"][data-group]').first();
    await expect(first).toHaveAttribute('data-group', 'e2e.group.099');
    await expect(first.locator('[data-column="total-lag"]')).toHaveText('297');
    await expect(table.locator('svg.sparkline').first()).toBeVisible({ timeout: 30_000 });
    await page.screenshot({ path: testInfo.outputPath('groups-many-by-lag.png') });
    await page.getByLabel('Search groups').fill('idle');
    await expect(table.locator('[role="row"][data-group]')).toHaveCount(1);
    await expect(table.locator('[data-group="e2e.idle"] [data-column="total-lag"]')).toHaveText('no commits');
    // The full text, not cut ("no commit…"), at both window sizes.
    await page.getByLabel('Search groups').fill('');
    for (const [width, height] of [
      [1024, 700],
      [1440, 900],
    ] as const) {
      await page.setViewportSize({ width, height });
      const cut = await table
        .locator('[data-column="total-lag"]')
        .evaluateAll((cells) => cells.filter((cell) => cell.scrollWidth > cell.clientWidth).map((cell) => cell.textContent));
      expect(cut).toEqual([]);
    }
    await screenshots(page, testInfo, 'groups-list');
    await page.getByLabel('Search groups').fill('idle');
    await table.getByRole('button', { name: 'e2e.idle', exact: true }).click();
    const offsets = page.getByRole('table', { name: 'Offsets of e2e.lag' });
    await expect(offsets.locator('td[data-column="committed"]')).toHaveText(['no committed offset', 'no committed offset', 'no committed offset'], {
      timeout: 30_000,
    });
    await expect(page.getByRole('table', { name: 'Members' }).locator('tbody tr')).toHaveCount(1);
    await offsets.scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath('group-without-commits.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: testInfo.outputPath('group-without-commits-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });

    // The topic's Consumer groups tab lists the active group that has committed nothing, among those that have.
    await openScreen(page, 'Topics');
    await page.getByRole('button', { name: 'e2e.lag', exact: true }).click();
    await page.getByRole('tab', { name: 'Consumer groups' }).click();
    const readers = page.getByRole('table', { name: 'Groups reading e2e.lag' });
    await expect(readers.locator('tr[data-group="e2e.idle"] [data-column="lag"]')).toHaveText('no commit yet', { timeout: 30_000 });
    await expect(readers.locator('tr[data-group="e2e.group.000"]')).toBeVisible();
    await screenshots(page, testInfo, 'topic-groups');
  } finally {
    await idle.disconnect();
  }
  expect(errors).toEqual([]);
});
