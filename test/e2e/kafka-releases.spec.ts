// One pass per era of Kafka (issue #16): web mode with `--kafka-version X`, the embedded cluster playing
// one release of each major version: 0.11, 1.1, 2.4, 3.9 and 4.1. The Overview names the release, every codec is produced from the form and browsed
// back (zstd before 2.1 is refused in words), and a consumer group's deletes work or say which release
// they need. Screenshots of the old era at both sizes. Also: the Settings choice of release.
import { Consumer } from '@platformatic/kafka';
import type { Page } from '@playwright/test';
import { expect, startWebApp, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const TOPIC = 'codecs';
/** Whether `release` is `than` or newer. */
const atLeast = (release: string, than: string) => {
  const [major, minor] = release.split('.').map(Number) as [number, number];
  const [thanMajor, thanMinor] = than.split('.').map(Number) as [number, number];
  return major * 100 + minor >= thanMajor * 100 + thanMinor;
};

test.describe.configure({ mode: 'serial' });

async function consumeAndCommit(bootstrap: string, group: string, count: number): Promise<void> {
  const consumer = new Consumer({
    groupId: group,
    clientId: 'e2e-releases',
    bootstrapBrokers: bootstrap.split(','),
    autocommit: false,
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
  });
  try {
    const stream = await consumer.consume({ topics: [TOPIC], mode: 'earliest' });
    let seen = 0;
    for await (const message of stream) {
      await message.commit();
      if (++seen === count) break;
    }
    await stream.close();
  } finally {
    await consumer.close(true);
  }
}

async function createTopic(page: Page): Promise<void> {
  await openScreen(page, 'Topics');
  await page.getByRole('button', { name: 'Create topic', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Create topic' });
  await dialog.getByLabel('Topic name').fill(TOPIC);
  await dialog.getByLabel('Partitions').fill('1');
  await dialog.getByLabel('Replication factor').fill('1');
  await dialog.getByRole('button', { name: 'Create topic' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('.topic-title')).toHaveText(TOPIC);
}

for (const release of ['0.11', '1.1', '2.4', '3.9', '4.1'] as const) {
  test(`Kafka ${release}: the Overview names it, the form produces every codec it can, groups degrade in words`, async ({ page }, testInfo) => {
    test.setTimeout(120_000);
    const app = await startWebApp({ brokers: 1, extraArgs: ['--kafka-version', release] });
    try {
      const errors = watchConsole(page);
      await page.goto(app.url);
      // The embedded brokers implement every version 4.1 lists of the APIs they serve, so it is named exactly.
      await expect(page.getByTestId('kafka-release')).toHaveText(`Kafka ${release}`);
      if (release === '0.11') await screenshots(page, testInfo, 'overview-0.11');

      await createTopic(page);
      await openScreen(page, 'Produce');
      const zstdWorks = atLeast(release, '2.1');
      let written = 0;
      for (const codec of CODECS) {
        await page.getByLabel('Topic', { exact: true }).selectOption(TOPIC);
        await page.getByLabel('Partition', { exact: true }).fill('0');
        await page.getByLabel('Value', { exact: true }).fill(`value ${codec}`);
        await page.getByLabel('Compression').selectOption(codec);
        await page.getByRole('button', { name: 'Send record' }).click();
        if (codec === 'zstd' && !zstdWorks) {
          const alert = page.getByRole('alert').filter({ hasText: 'zstd' });
          await expect(alert).toContainText('zstd compression needs Kafka 2.1 or later');
          await expect(page.getByText('Something went wrong')).toHaveCount(0);
          if (release === '0.11') await screenshots(page, testInfo, 'produce-zstd-0.11');
        } else {
          // This send's own result (the previous one's says "Sent 1 record" too): the next offset of partition 0.
          const result = page.getByRole('status', { name: 'Produce result' });
          await expect(result.locator('td[data-column="offset"]')).toHaveText(String(written));
          await expect(result).toContainText(`Sent 1 record to ${TOPIC}`);
          written += 1;
        }
      }
      const sent = zstdWorks ? CODECS.length : CODECS.length - 1;

      await openScreen(page, 'Messages');
      await page.getByLabel('Topic', { exact: true }).selectOption(TOPIC);
      await expect(page.getByRole('status', { name: 'Page status' })).toContainText(`${sent} records`);
      const rows = page.getByTestId('records-scroll').locator('[role="row"]');
      await expect(rows).toHaveCount(sent);
      for (const codec of CODECS.slice(0, sent)) await expect(page.getByTestId('records-scroll')).toContainText(`value ${codec}`);
      // Latest lists newest first: the first row is the last codec sent.
      await rows.first().click();
      const detail = page.getByRole('complementary', { name: 'Record detail' });
      await expect(detail).toContainText(zstdWorks ? 'zstd' : 'lz4');
      if (release === '0.11') await screenshots(page, testInfo, 'messages-0.11');

      await consumeAndCommit(app.bootstrapServers, 'readers', 2);
      await openScreen(page, 'Consumer groups');
      await page.getByText('readers', { exact: true }).first().click();
      await page.getByRole('button', { name: 'Delete committed offsets' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete offsets' }).click();
      if (!atLeast(release, '2.4')) {
        await expect(page.getByRole('dialog')).toContainText("Deleting a group's offsets for one topic needs Kafka 2.4 or later");
        if (release === '0.11') await screenshots(page, testInfo, 'group-offsets-0.11');
        await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
        await page.getByRole('button', { name: 'Delete group' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Delete group' }).click();
        // DeleteGroups came with 1.1: before, the dialog says so; from 1.1 the group goes.
        if (atLeast(release, '1.1')) await expect(page.getByRole('dialog')).toHaveCount(0);
        else await expect(page.getByRole('dialog')).toContainText('Deleting a consumer group needs Kafka 1.1 or later');
      } else {
        await expect(page.getByRole('dialog')).toHaveCount(0);
        await expect(page.getByRole('button', { name: 'Delete committed offsets' })).toHaveCount(0);
      }
      await expect(page.getByText('Something went wrong')).toHaveCount(0);
      expect(errors).toEqual([]);
    } finally {
      await app.stop();
    }
  });
}

test('Settings choose the release the embedded cluster plays at the next launch', async ({ page }, testInfo) => {
  const app = await startWebApp({ brokers: 1, extraArgs: ['--kafka-version', '2.8'] });
  try {
    await page.goto(app.url);
    await openScreen(page, 'Settings');
    await expect(page.getByTestId('embedded-kafka-version')).toContainText('plays Kafka 2.8');
    await expect(page.getByTestId('embedded-kafka-version')).toContainText('from the command line');
    await page.getByLabel('Kafka release').selectOption('3.9');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toContainText('They apply at the next launch.');
    await expect(page.getByTestId('settings-differ')).toContainText('Kafka 2.8 (saved: Kafka 3.9)');
    await screenshots(page, testInfo, 'settings-release');
  } finally {
    await app.stop();
  }
});

test('3.3-3.9 run KRaft brokers when asked: the Overview names the release, Settings offer the mode only where it existed', async ({ page }, testInfo) => {
  const app = await startWebApp({ brokers: 1, extraArgs: ['--kafka-version', '3.9', '--metadata-mode', 'kraft'] });
  try {
    const errors = watchConsole(page);
    await page.goto(app.url);
    await expect(page.getByTestId('kafka-release')).toHaveText('Kafka 3.9');
    await openScreen(page, 'Settings');
    await expect(page.getByTestId('embedded-kafka-version')).toContainText('plays Kafka 3.9 with KRaft brokers');
    const mode = page.getByLabel("Brokers' metadata mode");
    await expect(mode).toHaveCount(0);
    await page.getByLabel('Kafka release').selectOption('3.6');
    await mode.selectOption('kraft');
    // 2.8 had no production KRaft mode: the choice goes, and comes back at its default for 3.x.
    await page.getByLabel('Kafka release').selectOption('2.8');
    await expect(mode).toHaveCount(0);
    await page.getByLabel('Kafka release').selectOption('3.6');
    await expect(mode).toHaveValue('');
    await mode.selectOption('kraft');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toContainText('They apply at the next launch.');
    await expect(page.getByTestId('settings-differ')).toContainText('Kafka 3.9 (saved: Kafka 3.6)');
    await screenshots(page, testInfo, 'settings-metadata-mode');
    expect(errors).toEqual([]);
  } finally {
    await app.stop();
  }
});
