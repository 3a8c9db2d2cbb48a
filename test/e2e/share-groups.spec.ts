// KIP-932 share groups in the app, end to end in web mode against the embedded cluster (Kafka 4.1's
// behaviour): share groups are off (share.version 0) until a user turns them on in the Overview's
// Features panel; then a share group of two members shows on the Groups list as type share, and its
// page shows each member sharing the partitions. No client here speaks KIP-932, so the members are
// driven over the wire with the codec (ShareGroupHeartbeat, as Kafka 4.1's share consumer sends it).
// Screenshots at 1024x700 and 1440x900 go to test-results/.
import { Kafka, logLevel } from 'kafkajs';
import { expect, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';
import { RawClient } from '../broker/handlers/raw-client';
import { ErrorCode } from '../../electron/kafka/protocol/error-codes';
import { FindCoordinator, ShareGroupHeartbeat, createShareGroupHeartbeatRequest } from '../../electron/kafka/protocol/generated/index';

// A web app of this file's own (fixtures.ts: nothing another spec left behind is seen here).
test.use({ appFor: 'share-groups.spec.ts' });

const TOPIC = 'share.jobs';
const GROUP = 'share.workers';

test('share groups: turned on in the Features panel, then listed as type share with their members sharing the partitions', async ({
  page,
  webApp,
}, testInfo) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  const bootstrap = webApp.bootstrapServers.split(',');
  const admin = new Kafka({ brokers: bootstrap, clientId: 'share-e2e', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }] });
  await admin.disconnect();

  await page.goto(webApp.url);
  await openScreen(page, 'Overview');
  const panel = page.getByRole('table', { name: 'Feature versions' });
  const row = (feature: string) => panel.locator(`tr[data-feature="${feature}"]`);
  await expect(row('share.version').locator('td[data-column="finalized"]')).toHaveText('0 (off)');
  await row('share.version').getByRole('button', { name: 'Change share.version' }).click();
  const dialog = page.getByRole('dialog', { name: 'Change share.version' });
  await dialog.getByLabel('New level').selectOption('1');
  await dialog.getByRole('button', { name: 'Upgrade' }).click();
  await expect(dialog).toBeHidden();
  await expect(row('share.version').locator('td[data-column="finalized"]')).toHaveText('1');

  // Two members join at the group's coordinator; one partition, so the simple assignor gives it to both.
  const any = await RawClient.open(bootstrap[0]!, 'share-e2e');
  const found = await any.call(FindCoordinator, 4, { key: '', keyType: 0, coordinatorKeys: [GROUP] });
  any.close();
  const coordinatorInfo = found.coordinators[0]!;
  expect(coordinatorInfo.errorCode).toBe(ErrorCode.NONE);
  const coordinator = await RawClient.open(`${coordinatorInfo.host}:${coordinatorInfo.port}`, 'share-e2e');
  try {
    const heartbeat = (memberId: string, memberEpoch: number) =>
      coordinator.call(ShareGroupHeartbeat, 1, { ...createShareGroupHeartbeatRequest(), groupId: GROUP, memberId, memberEpoch, subscribedTopicNames: [TOPIC] });
    for (const memberId of ['share-e2e-member-a', 'share-e2e-member-b']) expect((await heartbeat(memberId, 0)).errorCode).toBe(ErrorCode.NONE);

    await openScreen(page, 'Consumer groups');
    const table = page.getByRole('table', { name: 'Consumer groups' });
    const listed = table.locator(`[data-group="${GROUP}"]`);
    await expect(listed).toBeVisible({ timeout: 30_000 });
    await expect(listed).toContainText('share');
    await table.getByRole('button', { name: GROUP, exact: true }).click();
    await expect(page.locator('.topic-title')).toHaveText(GROUP);
    const members = page.getByRole('table', { name: 'Members' });
    await expect(members.getByText('share-e2e-member-a')).toBeVisible({ timeout: 30_000 });
    await expect(members.getByText('share-e2e-member-b')).toBeVisible();
    // Both members hold the one partition: a share group shares it (a consumer group could not).
    await expect(members.getByRole('row').filter({ hasText: 'share-e2e-member-a' })).toContainText('share.jobs: 0');
    await expect(members.getByRole('row').filter({ hasText: 'share-e2e-member-b' })).toContainText('share.jobs: 0');
    await expect(page.getByText('share · simple')).toBeVisible();
    await screenshots(page, testInfo, 'share-group');
    await expect(page.getByText('Something went wrong')).toHaveCount(0);
    expect(errors).toEqual([]);
  } finally {
    coordinator.close();
  }
});
