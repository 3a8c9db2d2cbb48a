// KIP-848 consumer groups in the app, end to end in web mode against the embedded cluster: a group of
// two real @platformatic/kafka members with `groupProtocol: 'consumer'` shows its type, assignor, group
// and assignment epochs and, per member, its epoch, subscription, assigned and target partitions; a
// group migrated online from the classic protocol (a kafkajs member, then a consumer-protocol member)
// shows both kinds of members. The members table (7 columns) must fit a 1024 px window. Screenshots at
// 1024x700 and 1440x900 go to test-results/.
import { Consumer, stringDeserializers, type MessagesStream } from '@platformatic/kafka';
import { Kafka, logLevel, type Consumer as KafkajsConsumer } from 'kafkajs';
import { expect, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

// A web app of this file's own (fixtures.ts: nothing another spec left behind is seen here).
test.use({ appFor: 'consumer-groups-kip848.spec.ts' });

test.describe.configure({ mode: 'serial' });

const TOPIC = 'kip848.orders';
const MODERN = 'kip848.modern';
const MIGRATED = 'kip848.migrated';

/** A consumer-protocol member that reads and commits as it goes. */
async function modernMember(bootstrap: string[], groupId: string, clientId: string) {
  const consumer = new Consumer({
    groupId,
    groupProtocol: 'consumer',
    clientId,
    bootstrapBrokers: bootstrap,
    deserializers: stringDeserializers,
    rebalanceTimeout: 60_000,
    maxWaitTime: 200,
  });
  const stream: MessagesStream<string, string, string, string> = await consumer.consume({
    topics: [TOPIC],
    mode: 'committed',
    fallbackMode: 'earliest',
    autocommit: 200,
  });
  stream.on('data', () => {});
  return {
    partitions: () => consumer.assignments?.find((a) => a.topic === TOPIC)?.partitions.length ?? 0,
    close: async () => {
      await stream.close();
      await consumer.close(true);
    },
  };
}

/** The page of a group, opened from the groups list once the list shows it. */
async function openGroup(page: import('@playwright/test').Page, groupId: string) {
  await openScreen(page, 'Consumer groups');
  const table = page.getByRole('table', { name: 'Consumer groups' });
  await expect(table.locator(`[data-group="${groupId}"]`)).toBeVisible({ timeout: 30_000 });
  await table.getByRole('button', { name: groupId, exact: true }).click();
  await expect(page.locator('.topic-title')).toHaveText(groupId);
}

/** Nothing in the window scrolls sideways, and no members-table cell spills out of its column. */
async function expectFits(page: import('@playwright/test').Page) {
  for (const [width, height] of [
    [1024, 700],
    [1440, 900],
  ] as const) {
    await page.setViewportSize({ width, height });
    const overflow = await page.locator('html').evaluate((html) => html.scrollWidth - html.clientWidth);
    expect(overflow, `page overflow at ${width}px`).toBeLessThanOrEqual(0);
    const table = page.getByRole('table', { name: 'Members' });
    const spill = await table.evaluate((element) => {
      const box = element.getBoundingClientRect();
      const parent = element.parentElement!.getBoundingClientRect();
      return box.right - parent.right;
    });
    expect(spill, `members table wider than its container at ${width}px`).toBeLessThanOrEqual(1);
  }
  await page.setViewportSize({ width: 1360, height: 860 });
}

test('a KIP-848 group of two consumer-protocol members: type, assignor, epochs, each member assigned vs target', async ({ page, webApp }, testInfo) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  const bootstrap = webApp.bootstrapServers.split(',');
  const kafka = new Kafka({ clientId: 'e2e-kip848', brokers: bootstrap, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6, replicationFactor: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: Array.from({ length: 600 }, (_, index) => ({ value: `order-${index}`, partition: index % 6 })) });
  await producer.disconnect();
  const members = [await modernMember(bootstrap, MODERN, 'billing-1'), await modernMember(bootstrap, MODERN, 'billing-2')];
  try {
    await expect.poll(() => members.map((m) => m.partitions()), { timeout: 60_000 }).toEqual([3, 3]);
    await page.goto(webApp.url);
    await openScreen(page, 'Consumer groups');
    const row = page.getByRole('table', { name: 'Consumer groups' }).locator(`[data-group="${MODERN}"]`);
    await expect(row).toContainText('consumer · uniform', { timeout: 30_000 });
    await expect(row).toContainText('KIP-848');
    await openGroup(page, MODERN);
    const summary = page.locator('.group-summary');
    await expect(summary).toContainText('assignor uniform');
    await expect(page.getByTestId('group-epochs')).toContainText(/group epoch \d+ · assignment epoch \d+/);
    const table = page.getByRole('table', { name: 'Members' });
    await expect(table.locator('thead th')).toHaveCount(7);
    await expect(table.locator('tbody tr')).toHaveCount(2);
    for (const client of ['billing-1', 'billing-2']) {
      const member = table.locator(`tr[data-member="${client}"]`);
      await expect(member.locator('[data-column="assigned"]')).toContainText(`${TOPIC}:`);
      // Stable: what it owns is its target.
      await expect(member.locator('[data-column="target"]')).toHaveText('same as assigned', { timeout: 30_000 });
      await expect(member).toContainText(TOPIC);
      await expect(member.locator('[data-member-type="classic"]')).toHaveCount(0);
    }
    // The page's head: type, assignor and epochs.
    await screenshots(page, testInfo, 'kip848-group-head');
    const epochs = await page.getByTestId('group-epochs').innerText();
    const assignmentEpoch = Number(/assignment epoch (\d+)/.exec(epochs)![1]);
    await expect(table.locator('[data-column="member-epoch"]').first()).toContainText(String(assignmentEpoch));
    await expectFits(page);
    await table.scrollIntoViewIfNeeded();
    await screenshots(page, testInfo, 'kip848-group');
  } finally {
    for (const m of members) await m.close().catch(() => {});
  }
  expect(errors).toEqual([]);
});

test('a group migrated online from the classic protocol shows its classic and consumer-protocol members', async ({ page, webApp }, testInfo) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  const bootstrap = webApp.bootstrapServers.split(',');
  const kafka = new Kafka({ clientId: 'e2e-kip848-migration', brokers: bootstrap, logLevel: logLevel.NOTHING });
  // A classic group (kafkajs) first; a consumer-protocol member joining it turns it into a consumer group.
  const classic: KafkajsConsumer = kafka.consumer({ groupId: MIGRATED, sessionTimeout: 10_000, heartbeatInterval: 500 });
  let modern: Awaited<ReturnType<typeof modernMember>> | null = null;
  try {
    await classic.connect();
    await classic.subscribe({ topic: TOPIC, fromBeginning: true });
    let classicPartitions = 0;
    classic.on(classic.events.GROUP_JOIN, (event) => {
      classicPartitions = (event.payload.memberAssignment[TOPIC] ?? []).length;
    });
    await classic.run({ eachMessage: async () => {} });
    await expect.poll(() => classicPartitions, { timeout: 60_000 }).toBe(6);
    modern = await modernMember(bootstrap, MIGRATED, 'modern-1');
    // The broker's assignor splits the topic between the two kinds of members.
    await expect.poll(() => [modern!.partitions(), classicPartitions], { timeout: 60_000 }).toEqual([3, 3]);

    await page.goto(webApp.url);
    await openScreen(page, 'Consumer groups');
    await expect(page.getByRole('table', { name: 'Consumer groups' }).locator(`[data-group="${MIGRATED}"]`)).toContainText('consumer · uniform', {
      timeout: 30_000,
    });
    await openGroup(page, MIGRATED);
    const table = page.getByRole('table', { name: 'Members' });
    await expect(table.locator('tbody tr')).toHaveCount(2);
    await expect(table.locator('tr[data-member="modern-1"] [data-member-type="classic"]')).toHaveCount(0);
    await expect(table.locator('tr[data-member="e2e-kip848-migration"] [data-member-type="classic"]')).toHaveText('classic protocol');
    for (const client of ['modern-1', 'e2e-kip848-migration']) {
      await expect(table.locator(`tr[data-member="${client}"] [data-column="target"]`)).toHaveText('same as assigned', { timeout: 30_000 });
    }
    await expectFits(page);
    await table.scrollIntoViewIfNeeded();
    await screenshots(page, testInfo, 'kip848-migrated');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: testInfo.outputPath('kip848-migrated-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  } finally {
    await modern?.close().catch(() => {});
    await classic.disconnect().catch(() => {});
  }
  expect(errors).toEqual([]);
});
