// The topics screen's admin journeys and the theme, in web mode against the embedded cluster:
// internal topics shown on request, a name colliding in metric names refused in the create dialog,
// deletion only after typing the name, and the light/dark/system switch (saved across reloads).
import { Admin, Producer, stringSerializers } from '@platformatic/kafka';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

// A web app of this file's own (fixtures.ts: nothing another spec left behind is seen here).
test.use({ appFor: 'topics-admin.spec.ts' });

test.describe.configure({ mode: 'serial' });

// The radios are drawn as a segmented control: users click the label.
const chooseTheme = (page: Page, label: 'System' | 'Light' | 'Dark') =>
  page.getByRole('radiogroup', { name: 'Theme' }).locator('label').filter({ hasText: label }).click();
const background = (page: Page) => page.locator('body').evaluate((body) => body.ownerDocument.defaultView?.getComputedStyle(body).backgroundColor);
const LIGHT_BG = 'rgb(246, 247, 249)';
const DARK_BG = 'rgb(17, 20, 25)';

async function createTopic(page: Page, name: string) {
  await openScreen(page, 'Topics');
  await page.getByRole('button', { name: 'Create topic', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Create topic' });
  await dialog.getByLabel('Topic name').fill(name);
  await dialog.getByLabel('Partitions').fill('2');
  await dialog.getByRole('button', { name: 'Create topic' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('.topic-title')).toHaveText(name);
}

test('the theme follows the system until a choice, which is saved and applies at once', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(webApp.url);
  await expect(page.getByText('Cluster overview')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background(page)).toBe(DARK_BG);

  await openScreen(page, 'Settings');
  const theme = page.getByRole('radiogroup', { name: 'Theme' });
  await expect(theme.getByLabel('System')).toBeChecked();
  await expect(page.getByTestId('appearance')).toContainText('Follows the system: dark now.');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect(page.getByTestId('appearance')).toContainText('Follows the system: light now.');

  await chooseTheme(page, 'Dark');
  await expect(theme.getByLabel('Dark')).toBeChecked();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background(page)).toBe(DARK_BG);
  await screenshots(page, testInfo, 'settings-dark');
  // Saved in Settings: a reload (with the OS still light) comes back dark.
  await page.reload();
  await expect(page.getByText('Cluster overview')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await screenshots(page, testInfo, 'overview-dark');

  await openScreen(page, 'Settings');
  await page.emulateMedia({ colorScheme: 'dark' });
  await chooseTheme(page, 'Light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await background(page)).toBe(LIGHT_BG);
  await expect(page.getByTestId('appearance')).toContainText("Always light, whatever the system's theme.");
  await screenshots(page, testInfo, 'settings-light');
  // Back to the system's theme, as the other specs expect.
  await chooseTheme(page, 'System');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(errors).toEqual([]);
});

test('internal topics are hidden until asked for, and marked', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await createTopic(page, 'adm.visible');
  // A consumer group makes the cluster create __consumer_offsets.
  await openScreen(page, 'Consumer groups');
  await openScreen(page, 'Topics');
  const toggle = page.getByLabel('Internal topics');
  await expect(toggle).not.toBeChecked();
  await expect(page.getByRole('row').filter({ hasText: 'adm.visible' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: '__consumer_offsets' })).toHaveCount(0);

  // '_schemas' may exist already: the embedded schema registry keeps its schemas there and makes it when
  // first used, so the dialog could refuse it.
  const admin = new Admin({ clientId: 'e2e-internal', bootstrapBrokers: webApp.bootstrapServers.split(',') });
  try {
    if (!(await admin.listTopics()).includes('_schemas')) await admin.createTopics({ topics: ['_schemas'], partitions: 1, replicas: 1 });
  } finally {
    await admin.close();
  }
  await openScreen(page, 'Overview');
  await openScreen(page, 'Topics');
  // Loaded (a row is there) before the absence of one means anything.
  await expect(page.getByRole('row').filter({ hasText: 'adm.visible' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: '_schemas' })).toHaveCount(0);
  await toggle.check();
  const schemasRow = page.getByRole('row').filter({ hasText: '_schemas' });
  await expect(schemasRow).toBeVisible();
  await expect(schemasRow).toContainText('internal');
  await screenshots(page, testInfo, 'topics-internal');
  await toggle.uncheck();
  await expect(schemasRow).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a name colliding in metric names is refused before sending; a mix of . and _ is warned about', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await createTopic(page, 'adm.my.topic');
  await openScreen(page, 'Topics');
  await page.getByRole('button', { name: 'Create topic', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Create topic' });
  await dialog.getByLabel('Topic name').fill('adm_my_topic');
  await expect(dialog.getByRole('alert')).toHaveText(
    `"adm_my_topic" collides with the existing topic "adm.my.topic": Kafka's metric names treat '.' and '_' alike, so the cluster refuses it.`,
  );
  await dialog.getByRole('button', { name: 'Create topic' }).click();
  await expect(dialog).toBeVisible();
  await screenshots(page, testInfo, 'create-topic-collision');
  await dialog.getByLabel('Topic name').fill('adm.other_topic');
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await expect(dialog.locator('.field-warning')).toContainText("both '.' and '_'");
  await page.keyboard.press('Escape');
  expect(errors).toEqual([]);
});

test('deleting a topic needs its name typed', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await createTopic(page, 'adm.doomed');
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete topic' });
  const confirm = dialog.getByRole('button', { name: 'Delete topic' });
  await expect(dialog.getByLabel('Type adm.doomed to confirm')).toBeFocused();
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Type adm.doomed to confirm').fill('adm.doome');
  await expect(confirm).toBeDisabled();
  await screenshots(page, testInfo, 'delete-topic-typed');
  await dialog.getByLabel('Type adm.doomed to confirm').fill('adm.doomed');
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: 'adm.doomed' })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a topic's configs say what each does and Kafka's default, and can be searched", async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await createTopic(page, 'adm.configs');
  await page.getByRole('tab', { name: 'Configs' }).click();
  const table = page.getByRole('table', { name: 'Configs' });
  const row = (name: string) => table.locator('tr').filter({ has: page.locator('code', { hasText: new RegExp(`^${name.replaceAll('.', '\\.')}$`) }) });
  await expect(row('min.insync.replicas')).toContainText('In-sync replicas that must have a write for acks=all to succeed');
  await expect(row('cleanup.policy').locator('td').nth(3)).toHaveText('delete');
  await page.getByLabel('Search configs').fill('tombstone');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(row('delete.retention.ms')).toBeVisible();
  await expect(page.getByText(/^1 of \d+ configs match/)).toBeVisible();
  await page.getByLabel('Search configs').fill('segment');
  await expect(row('segment.ms')).toBeVisible();
  await screenshots(page, testInfo, 'topic-configs-search');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByLabel('Search configs').fill('');
  await screenshots(page, testInfo, 'topic-configs-dark');
  expect(errors).toEqual([]);
});

test('selected topics are purged, then deleted, after typing the count', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  const admin = new Admin({ clientId: 'e2e-bulk', bootstrapBrokers: webApp.bootstrapServers.split(',') });
  await admin.createTopics({ topics: ['bulk.a', 'bulk.b'], partitions: 1, replicas: 1 });
  await admin.close();
  const producer = new Producer({ clientId: 'e2e-bulk-producer', bootstrapBrokers: webApp.bootstrapServers.split(','), serializers: stringSerializers });
  await producer.send({
    messages: [
      { topic: 'bulk.a', value: 'x' },
      { topic: 'bulk.a', value: 'y' },
      { topic: 'bulk.b', value: 'z' },
    ],
  });
  await producer.close();
  await page.goto(webApp.url);
  await openScreen(page, 'Topics');
  await page.getByLabel('Search topics').fill('bulk.');
  await expect(page.getByRole('row').filter({ hasText: 'bulk.a' })).toContainText('2');
  await page.getByLabel('Select every topic shown').check();
  const bar = page.getByRole('toolbar', { name: 'Selected topics' });
  await expect(bar).toContainText('2 selected');
  await bar.getByRole('button', { name: 'Purge 2' }).click();
  const purge = page.getByRole('dialog', { name: 'Purge topics' });
  await expect(purge.getByRole('button', { name: 'Purge 2 topics' })).toBeDisabled();
  await purge.getByLabel('Type purge 2 to confirm').fill('purge 2');
  await screenshots(page, testInfo, 'bulk-purge');
  await purge.getByRole('button', { name: 'Purge 2 topics' }).click();
  await expect(purge.getByRole('list', { name: 'Topics' })).toContainText('bulk.a — purged');
  await expect(purge.getByRole('list', { name: 'Topics' })).toContainText('bulk.b — purged');
  await purge.locator('.dialog-actions').getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'bulk.a' }).locator('[role="cell"]').nth(4)).toHaveText('0');

  await bar.getByRole('button', { name: 'Delete 2' }).click();
  const remove = page.getByRole('dialog', { name: 'Delete topics' });
  await remove.getByLabel('Type delete 2 to confirm').fill('delete 2');
  await remove.getByRole('button', { name: 'Delete 2 topics' }).click();
  await expect(remove.getByRole('list', { name: 'Topics' })).toContainText('bulk.b — deleted');
  await remove.locator('.dialog-actions').getByRole('button', { name: 'Close' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'bulk.' })).toHaveCount(0);
  expect(errors).toEqual([]);
});
