// Client metrics in the app (#16, KIP-714), in web mode: a subscription created with the form (its
// validation first), a client (@platformatic/kafka's telemetry encoders) pushing OTLP metrics that then
// show with their values, the subscription edited and deleted; a cluster playing Kafka 3.6 says it needs
// 3.7. Screenshots at 1024x700 and 1440x900 go to test-results/.
import { Connection, getTelemetrySubscriptionsV0, pushTelemetryV0 } from '@platformatic/kafka';
import { expect, startWebApp, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';
import { otlpMetricsDataType } from '../../electron/services/client-metrics/otlp';

// A web app of this file's own (fixtures.ts: nothing another spec left behind is seen here).
test.use({ appFor: 'client-metrics.spec.ts' });
test.describe.configure({ mode: 'serial' });

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

function payload(): Buffer {
  const type = otlpMetricsDataType();
  const now = (BigInt(Date.now()) * 1_000_000n).toString();
  const message = type.fromObject({
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'org.apache.kafka.producer.record.send.total',
                sum: {
                  dataPoints: [{ asDouble: 1234, timeUnixNano: now, attributes: [{ key: 'topic', value: { stringValue: 'orders' } }] }],
                  aggregationTemporality: 2,
                  isMonotonic: true,
                },
              },
              { name: 'org.apache.kafka.producer.request.latency.avg', unit: 'ms', gauge: { dataPoints: [{ asDouble: 2.75, timeUnixNano: now }] } },
            ],
          },
        ],
      },
    ],
  });
  return Buffer.from(type.encode(message).finish());
}

test('subscriptions are created with a validated form, clients push metrics that show, and subscriptions are edited and deleted', async ({
  page,
  webApp,
}, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Client metrics');
  await expect(page.getByText('No subscriptions: clients push no metrics.')).toBeVisible();

  await page.getByRole('button', { name: 'New subscription' }).click();
  const dialog = page.getByRole('dialog', { name: 'New client metrics subscription' });
  await dialog.getByLabel('Name', { exact: true }).fill('e2e-producers');
  await dialog.getByLabel('Metrics').fill('org.apache.kafka.producer.');
  await dialog.getByLabel('Push interval (ms)').fill('50');
  await dialog.getByLabel('client_id', { exact: true }).fill('e2e-client-.*');
  await dialog.getByRole('button', { name: 'Create subscription' }).click();
  await expect(dialog.getByText('The push interval must be at least 100 ms.')).toBeVisible();
  await dialog.getByLabel('Push interval (ms)').fill('1000');
  await dialog.getByRole('button', { name: 'Create subscription' }).click();
  await expect(dialog).toBeHidden();
  const row = page.locator('tr[data-subscription="e2e-producers"]');
  await expect(row).toContainText('org.apache.kafka.producer.');
  await expect(row).toContainText('1 s');
  await expect(row).toContainText('client_id=e2e-client-.*');

  // A client that matches asks for its subscription and pushes.
  const [host, port] = webApp.bootstrapServers.split(',')[0]!.split(':');
  const client = new Connection('e2e-client-1');
  try {
    await client.connect(host!, Number(port));
    const given = await getTelemetrySubscriptionsV0.api.async(client, ZERO_UUID);
    expect(given.requestedMetrics).toEqual(['org.apache.kafka.producer.']);
    await pushTelemetryV0.api.async(client, given.clientInstanceId, given.subscriptionId, false, 0, payload());
  } finally {
    await client.close();
  }
  await page.getByRole('button', { name: 'Refresh' }).click();
  const card = page.getByRole('article', { name: 'Client e2e-client-1' });
  await expect(card).toBeVisible();
  const metrics = card.getByRole('table', { name: 'Metrics' });
  await expect(metrics.getByRole('row').filter({ hasText: 'org.apache.kafka.producer.record.send.total' })).toContainText('1234');
  await expect(metrics.getByRole('row').filter({ hasText: 'org.apache.kafka.producer.record.send.total' })).toContainText('topic=orders');
  await expect(metrics.getByRole('row').filter({ hasText: 'request.latency.avg' })).toContainText('2.75 ms');
  await screenshots(page, testInfo, 'client-metrics', { fullPage: true });

  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit subscription e2e-producers' });
  await edit.getByLabel('Push interval (ms)').fill('120000');
  await edit.getByRole('button', { name: 'Save subscription' }).click();
  await expect(edit).toBeHidden();
  await expect(row).toContainText('2 min');

  await row.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete subscription' }).getByRole('button', { name: 'Delete subscription' }).click();
  await expect(row).toBeHidden();
  await expect(page.getByText('No subscriptions: clients push no metrics.')).toBeVisible();
  expect(errors).toEqual([]);
});

test('a cluster before Kafka 3.7 says client metrics need 3.7 or later', async ({ page }, testInfo) => {
  const old = await startWebApp({ brokers: 1, extraArgs: ['--kafka-version', '3.6'] });
  try {
    const errors = watchConsole(page);
    await page.goto(old.url);
    await openScreen(page, 'Client metrics');
    await expect(page.getByRole('note', { name: 'Not supported' })).toContainText('Client metrics need Kafka 3.7 or later');
    await expect(page.getByRole('button', { name: 'New subscription' })).toHaveCount(0);
    await screenshots(page, testInfo, 'client-metrics-unsupported');
    expect(errors).toEqual([]);
  } finally {
    await old.stop();
  }
});
