// Schemas end to end (#17), in web mode against the embedded cluster and its embedded registry:
// register a subject, evolve it compatibly and incompatibly (Confluent's reasons shown, nothing
// stored), compare versions side by side, change compatibility, soft-delete a version.
import { expect, test, type Page } from '@playwright/test';
import { Kafka, logLevel } from 'kafkajs';
import { startWebApp, type WebApp } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';
import { AVRO, JSON_SCHEMA, PROTOBUF } from '../support/schema-fixtures';

test.describe.configure({ mode: 'serial' });

let app: (WebApp & { stop(): Promise<void> }) | null = null;
let page: Page;
let errors: string[];

test.beforeAll(async ({ browser }) => {
  app = await startWebApp({ brokers: 1 });
  page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  errors = watchConsole(page);
  await page.goto(app.url);
});

test.afterAll(async () => {
  await page?.close();
  await app?.stop();
});

const schemaField = () => page.getByRole('dialog').getByLabel('Schema', { exact: true });

test('the Schemas screen shows the embedded registry, and the Cluster panel its URL', async () => {
  await openScreen(page, 'Cluster panel');
  await expect(page.getByTestId('embedded-schema-registry')).toContainText(/schema\.registry\.url=http:\/\/127\.0\.0\.1:\d+/);
  await openScreen(page, 'Schemas');
  await expect(page.getByTestId('registry-url')).toContainText(/Embedded registry http:\/\/127\.0\.0\.1:\d+ · global compatibility BACKWARD/);
  await expect(page.getByText('The registry has no subjects yet.')).toBeVisible();
});

test('registers a subject; invalid schema text is refused with the reason and nothing is stored', async () => {
  const testInfo = test.info();
  await page.getByRole('button', { name: 'New subject' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Subject').fill('payments-value');
  await schemaField().fill('{"type": "record", "name": "Payment", "fields": [{"name": "id", "type": "strin"}]}');
  await dialog.getByRole('button', { name: 'Register' }).click();
  await expect(dialog.getByRole('alert')).toContainText('The schema is not valid');
  await expect(dialog.getByRole('alert')).toContainText('strin');
  await schemaField().fill(AVRO.v1);
  await dialog.getByRole('button', { name: 'Check compatibility' }).click();
  await expect(dialog.getByTestId('compatibility-verdict')).toHaveText('Valid. The subject has no version yet, so it can be its first.');
  await dialog.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('heading', { name: /payments-value/ })).toBeVisible();
  await expect(page.getByRole('tab', { name: /Version 1/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByLabel('Version 1', { exact: true })).toContainText('"amount"');
  await page.getByRole('button', { name: 'Schemas', exact: true }).first().click();
  const row = page.getByRole('table', { name: 'Subjects' }).getByRole('row', { name: /payments-value/ });
  await expect(row).toContainText('Avro');
  await expect(row).toContainText('BACKWARD (registry)');
  await screenshots(page, testInfo, 'schemas-list');
});

test('evolves it: an incompatible version shows why and is not stored; a compatible one is, and the diff shows the change', async () => {
  const testInfo = test.info();
  await page.getByRole('table', { name: 'Subjects' }).getByRole('button', { name: 'payments-value' }).click();
  await page.getByRole('button', { name: 'Register new version' }).click();
  const dialog = page.getByRole('dialog');
  await schemaField().fill(AVRO.incompatible);
  await dialog.getByRole('button', { name: 'Register' }).click();
  const verdict = dialog.getByTestId('compatibility-verdict');
  await expect(verdict).toContainText('Not compatible (BACKWARD): the registry would refuse it.');
  await expect(verdict).toContainText('customer');
  await expect(verdict).toContainText('Checked against version 1.');
  await screenshots(page, testInfo, 'schemas-incompatible');
  await schemaField().fill(AVRO.v2);
  await dialog.getByRole('button', { name: 'Check compatibility' }).click();
  await expect(verdict).toHaveText('Compatible (BACKWARD): it can be registered.');
  await dialog.getByRole('button', { name: 'Register' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('tab', { name: /Version 2/ })).toHaveAttribute('aria-selected', 'true');
  // Only versions 1 and 2: the incompatible one was not stored.
  await expect(page.getByRole('tablist', { name: 'Versions' }).getByRole('tab')).toHaveCount(2);
  const diff = page.getByRole('table', { name: 'Version 1 and version 2' });
  await expect(diff.locator('.diff-added, .diff-changed')).toContainText(['"currency"']);
  await screenshots(page, testInfo, 'schemas-diff');
});

test('changes the compatibility level and soft-deletes a version with confirmation', async () => {
  await page.getByLabel('Compatibility').selectOption('FULL');
  await expect(page.getByLabel('Compatibility')).toHaveValue('FULL');
  await page.getByRole('tab', { name: /Version 1/ }).click();
  await page.getByRole('button', { name: 'Delete version 1' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByRole('tablist', { name: 'Versions' }).getByRole('tab')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Delete version 1 permanently' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete version 1 permanently' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete permanently' }).click();
  await expect(page.getByRole('button', { name: 'Delete version 1 permanently' })).toBeHidden();
});

test('produces with the schema from the form (a field that does not match is named), and the browser decodes and links it', async () => {
  const testInfo = test.info();
  const kafka = new Kafka({ clientId: 'e2e-schemas', brokers: app!.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();

  await openScreen(page, 'Produce');
  await page.getByLabel('Topic', { exact: true }).selectOption('payments');
  // The topic's own subject (TopicNameStrategy) is listed first.
  await expect(page.getByLabel('Value schema', { exact: true }).locator('option').nth(1)).toHaveText('payments-value');
  await page.getByLabel('Value schema', { exact: true }).selectOption('payments-value');
  await expect(page.getByText('Avro, id 2: type JSON, checked against the schema')).toBeVisible();
  await page.getByLabel('Value', { exact: true }).fill('{"id": "p-1", "amount": "ten"}');
  await page.getByRole('button', { name: 'Send record' }).click();
  const valueError = page.locator('.field-error', { hasText: 'The value does not match payments-value version 2' });
  await expect(valueError).toContainText('$.amount must be a number (double), not "ten"');
  await screenshots(page, testInfo, 'schemas-produce-refused');
  await page.getByLabel('Value', { exact: true }).fill('{"id": "p-1", "amount": 10.5}');
  await page.getByRole('button', { name: 'Send record' }).click();
  await expect(page.getByRole('status', { name: 'Produce result' })).toContainText('Sent 1 record to payments');

  await openScreen(page, 'Messages');
  await page.getByLabel('Topic', { exact: true }).selectOption('payments');
  await page.locator('[role="row"][data-partition="0"][data-offset="0"]').click();
  const detail = page.getByRole('complementary', { name: 'Record detail' });
  // Decoded with the default (auto) decoders, through the connection's registry; currency came from its default.
  await expect(detail.getByRole('tree', { name: 'JSON' })).toContainText('"EUR"');
  await expect(detail.getByRole('tree', { name: 'JSON' })).toContainText('10.5');
  await screenshots(page, testInfo, 'schemas-browse-decoded');
  await detail.getByRole('button', { name: 'payments-value v2' }).click();
  await expect(page.getByRole('heading', { name: /payments-value/ })).toBeVisible();
  await expect(page.getByRole('tab', { name: /Version 2/ })).toHaveAttribute('aria-selected', 'true');
  expect(errors).toEqual([]);
});

/** Protobuf and JSON Schema, each through the whole path: register, evolve, produce from the form, browse decoded. */
const FORMATS = [
  {
    type: 'Protobuf',
    topic: 'lines',
    fixture: PROTOBUF,
    message: 'shop.Line',
    bad: '{"sku": "B-1", "qty": "two"}',
    badField: '$.qty must be an integer (int32), not "two"',
    good: '{"sku": "B-1", "qty": 2, "kind": "GAME", "note": "gift"}',
    decoded: ['"GAME"', '"gift"'],
  },
  {
    type: 'JSON Schema',
    topic: 'tickets',
    fixture: JSON_SCHEMA,
    message: null,
    bad: '{"id": "t-1", "total": -1}',
    badField: '$.total must be >= 0',
    good: '{"id": "t-1", "total": 3, "note": "front row"}',
    decoded: ['"t-1"', '"front row"'],
  },
] as const;

for (const format of FORMATS) {
  test(`${format.type}: registers, refuses an incompatible version in Confluent's words, evolves, produces from the form and browses decoded`, async () => {
    const testInfo = test.info();
    const subject = `${format.topic}-value`;
    const slug = format.type === 'Protobuf' ? 'protobuf' : 'json';
    const kafka = new Kafka({ clientId: `e2e-schemas-${slug}`, brokers: app!.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: format.topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();

    await openScreen(page, 'Schemas');
    await page.getByRole('button', { name: 'New subject' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Subject').fill(subject);
    await dialog.getByLabel('Type').selectOption({ label: format.type });
    await schemaField().fill(format.fixture.v1);
    await dialog.getByRole('button', { name: 'Register' }).click();
    await expect(page.getByRole('heading', { name: new RegExp(subject) })).toBeVisible();
    await expect(page.getByRole('tab', { name: /Version 1/ })).toHaveAttribute('aria-selected', 'true');

    await page.getByRole('button', { name: 'Register new version' }).click();
    await expect(dialog.getByLabel('Type')).toHaveValue(format.type === 'Protobuf' ? 'PROTOBUF' : 'JSON');
    await schemaField().fill(format.fixture.incompatible);
    await dialog.getByRole('button', { name: 'Register' }).click();
    const verdict = dialog.getByTestId('compatibility-verdict');
    await expect(verdict).toContainText('Not compatible (BACKWARD): the registry would refuse it.');
    // Confluent's error type, with its description in words.
    await expect(verdict).toContainText(format.fixture.incompatibleReason);
    await expect(verdict).toContainText('Checked against version 1.');
    await screenshots(page, testInfo, `schemas-${slug}-incompatible`);
    await schemaField().fill(format.fixture.v2);
    await dialog.getByRole('button', { name: 'Check compatibility' }).click();
    await expect(verdict).toHaveText('Compatible (BACKWARD): it can be registered.');
    await dialog.getByRole('button', { name: 'Register' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('tab', { name: /Version 2/ })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('tablist', { name: 'Versions' }).getByRole('tab')).toHaveCount(2);

    await openScreen(page, 'Produce');
    await page.getByLabel('Topic', { exact: true }).selectOption(format.topic);
    await page.getByLabel('Value schema', { exact: true }).selectOption(subject);
    if (format.message) await page.getByLabel('Value schema message', { exact: true }).selectOption(format.message);
    await expect(page.getByText(new RegExp(`^${format.type}, id \\d+: type JSON, checked against the schema$`))).toBeVisible();
    await page.getByLabel('Value', { exact: true }).fill(format.bad);
    await page.getByRole('button', { name: 'Send record' }).click();
    const valueError = page.locator('.field-error', { hasText: `The value does not match ${subject} version 2` });
    await expect(valueError).toContainText(format.badField);
    await screenshots(page, testInfo, `schemas-${slug}-produce-refused`);
    await page.getByLabel('Value', { exact: true }).fill(format.good);
    await page.getByRole('button', { name: 'Send record' }).click();
    await expect(page.getByRole('status', { name: 'Produce result' })).toContainText(`Sent 1 record to ${format.topic}`);

    await openScreen(page, 'Messages');
    await page.getByLabel('Topic', { exact: true }).selectOption(format.topic);
    await page.locator('[role="row"][data-partition="0"][data-offset="0"]').click();
    const detail = page.getByRole('complementary', { name: 'Record detail' });
    const tree = detail.getByRole('tree', { name: 'JSON' });
    for (const text of format.decoded) await expect(tree).toContainText(text);
    await screenshots(page, testInfo, `schemas-${slug}-browse-decoded`);
    await detail.getByRole('button', { name: `${subject} v2` }).click();
    await expect(page.getByRole('heading', { name: new RegExp(subject) })).toBeVisible();
    await expect(page.getByRole('tab', { name: /Version 2/ })).toHaveAttribute('aria-selected', 'true');
    expect(errors).toEqual([]);
  });
}
