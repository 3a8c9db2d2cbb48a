// A broker the cluster lists but the app cannot reach (issue #13): broker 1 of the web app's cluster
// advertises an address nothing listens on (advertised.listeners, per broker, as a misconfigured
// cluster would). The Brokers screen lists it as up, says it does not answer from here and why, and
// what fails until it does; fixed, the note goes away without a click.
import { ErrorCode } from '../../electron/kafka/protocol/error-codes';
import { IncrementalAlterConfigs } from '../../electron/kafka/protocol/generated/index';
import { RawClient } from '../broker/handlers/raw-client';
import { expect, startWebApp, test, type WebApp } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';
import { freePort } from '../support/ports';

test.describe.configure({ mode: 'serial' });

let app: WebApp & { stop(): Promise<void> };
let raw: RawClient;
let deadPort: number;

async function advertise(value: string | null): Promise<void> {
  const answer = await raw.call(IncrementalAlterConfigs, 1, {
    resources: [{ resourceType: 4, resourceName: '1', configs: [{ name: 'advertised.listeners', configOperation: value === null ? 1 : 0, value }] }],
    validateOnly: false,
  });
  expect(answer.responses[0]!.errorCode).toBe(ErrorCode.NONE);
}

test.beforeAll(async () => {
  app = await startWebApp({ brokers: 3 });
  // To broker 0, which takes a change of broker 1's configs (Kafka's tools would send it to broker 1).
  raw = await RawClient.open(app.bootstrapServers.split(',')[0]!);
  // Below the kernel's ephemeral range (support/ports): a port from listen(0) is one that any outgoing
  // connection may be given next, and the app's own connection to it can then connect to itself
  // (Linux's TCP self-connect) instead of being refused.
  deadPort = await freePort();
  await advertise(`PLAINTEXT://127.0.0.1:${deadPort}`);
});

test.afterAll(async () => {
  raw?.close();
  await app?.stop();
});

test('the Brokers screen lists the broker as up, says it does not answer from here and why, and heals once it is fixed', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  await page.goto(app.url);
  await expect(page.getByRole('button', { name: 'Embedded cluster', exact: true })).toHaveAttribute('data-state', 'degraded', { timeout: 30_000 });
  await openScreen(page, 'Brokers');
  const detail = page.locator('[data-broker-detail="1"]');
  await expect(detail).toContainText(`The cluster lists broker 1, but it does not answer from here: 127.0.0.1:${deadPort} refused the connection`, {
    timeout: 30_000,
  });
  await expect(detail).toContainText(
    "(ECONNREFUSED). Requests to it (its partitions' offsets, log dirs, configs, the groups it coordinates) fail until it does.",
  );
  const row = page.locator('tr[data-broker="1"]');
  await expect(row).toContainText(`127.0.0.1:${deadPort}`);
  await expect(row.locator('[data-column="state"]')).toContainText('up');
  await expect(row.locator('[data-column="answers"]')).toContainText('no answer');
  await screenshots(page, testInfo, 'listed-unreachable-brokers');

  await advertise(null);
  // The connection's next check finds it; the screen follows without a click.
  await expect(page.getByRole('button', { name: 'Embedded cluster', exact: true })).toHaveAttribute('data-state', 'up', { timeout: 60_000 });
  await expect(detail).toHaveCount(0, { timeout: 30_000 });
  expect(errors).toEqual([]);
});
