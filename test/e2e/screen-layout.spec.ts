// Every screen of the screen registry at 1024x700 and 1440x900 with long names (topic, consumer group,
// schema subject, transactional id): nothing is wider than the window (no horizontal scroll of the
// content), no screen header overflows, and long titles wrap whole. Screenshots of each screen at both
// sizes go to test-results/.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { Kafka, logLevel } from 'kafkajs';
import { expect, test } from './fixtures';
import { openScreen, watchConsole } from '../support/e2e-page';

// A web app of this file's own (fixtures.ts: nothing another spec left behind is seen here).
test.use({ appFor: 'screen-layout.spec.ts' });

// Names as long as teams make them, with few places to break.
const TOPIC = 'payments.eu-west-1.settlement-reconciliation.v2.dead-letter-queue.retry-after-upstream-failure.audit';
const GROUP = 'payments-settlement-reconciliation-service.eu-west-1.canary-deployment.consumer-group-v2';
const TXN_ID = 'payments-settlement-reconciliation-service.eu-west-1.transactional-producer-instance-0007';
const SUBJECT = `${TOPIC}-value`;

// The screen registry's ids, in sidebar order, read from its source (the tests are compiled without JSX).
const screenIds = [...readFileSync(new URL('../../renderer/src/app/screens.tsx', import.meta.url), 'utf8').matchAll(/^\s+\{ id: '([a-z-]+)'/gm)].map(
  (match) => match[1]!,
);

test.describe.configure({ mode: 'serial' });

/** The little of the DOM the check reads (the tests are compiled without the DOM's types). */
interface Box {
  tagName: string;
  className: unknown;
  scrollWidth: number;
  clientWidth: number;
  scrollHeight: number;
  clientHeight: number;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { right: number };
  querySelectorAll(selector: string): Iterable<Box>;
}

/** How a screen's content overflows horizontally at this size: what is wider than its box, and by how much. */
async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const document = (globalThis as unknown as { document: { documentElement: Box; querySelector(selector: string): Box | null } }).document;
    const found: string[] = [];
    const describe = (element: Box) => {
      const classes = typeof element.className === 'string' && element.className.trim() ? `.${element.className.trim().split(/\s+/).join('.')}` : '';
      const label = element.getAttribute('aria-label');
      return `${element.tagName.toLowerCase()}${classes}${label ? `[${label}]` : ''}`;
    };
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) found.push(`the page scrolls sideways by ${root.scrollWidth - root.clientWidth}px`);
    const content = document.querySelector('main.content');
    if (content && content.scrollWidth > content.clientWidth + 1) {
      // Name the widest element that sticks out of the content, for the report.
      const right = content.getBoundingClientRect().right;
      let widest: Box | null = null;
      let worst = 0;
      for (const element of content.querySelectorAll('*')) {
        const over = element.getBoundingClientRect().right - right;
        if (over > worst + 0.5) {
          worst = over;
          widest = element;
        }
      }
      found.push(
        `the content scrolls sideways by ${content.scrollWidth - content.clientWidth}px${widest ? ` (${describe(widest)} sticks out ${Math.round(worst)}px)` : ''}`,
      );
    }
    // Headers, and the boxes a screen is made of: nothing wider than its box, whether it would stick out
    // or scroll sideways inside (a table whose columns do not fit, a select wider than its card).
    const boxes = '.screen-header, .screen-header h1, .screen-actions, .card, .table-x, .table, .vtable, .vtable-body, form, fieldset, .tabs';
    for (const box of content?.querySelectorAll(boxes) ?? []) {
      if (box.scrollWidth > box.clientWidth + 1) found.push(`${describe(box)} overflows by ${box.scrollWidth - box.clientWidth}px`);
    }
    // A header whose actions wrap keeps their lines: none hidden under the content below it.
    for (const header of content?.querySelectorAll('.screen-header') ?? []) {
      if (header.scrollHeight > header.clientHeight + 1)
        found.push(`${describe(header)} is ${header.scrollHeight - header.clientHeight}px too short for its lines`);
    }
    return found;
  });
}

test.beforeAll(async ({ webApp }) => {
  const kafka = new Kafka({ clientId: 'e2e-layout', brokers: webApp.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
  await admin.disconnect();
  // A transactional producer with a long id: its committed transaction is listed on the Transactions screen.
  const producer = kafka.producer({ transactionalId: TXN_ID, maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  const transaction = await producer.transaction();
  await transaction.send({ topic: TOPIC, messages: Array.from({ length: 6 }, (_, index) => ({ key: `order-${index}`, value: JSON.stringify({ index }) })) });
  await transaction.commit();
  await producer.disconnect();
  // A group with a long id that has committed offsets on the topic.
  const consumer = kafka.consumer({ groupId: GROUP });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the consumer read nothing in 30 s')), 30_000);
    void consumer.run({
      eachMessage: async () => {
        if (++seen >= 6) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.commitOffsets([0, 1, 2].map((partition) => ({ topic: TOPIC, partition, offset: '1' })));
  await consumer.disconnect();
  // A subject with a long name in the embedded registry.
  const registry = /Embedded schema registry: (http:\/\/\S+)/.exec(webApp.output())?.[1];
  if (!registry) throw new Error(`no embedded registry in the output:\n${webApp.output()}`);
  const response = await fetch(`${registry}/subjects/${encodeURIComponent(SUBJECT)}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify({ type: 'record', name: 'Settlement', fields: [{ name: 'index', type: 'int' }] }) }),
  });
  expect(response.ok).toBe(true);
});

/** How to reach each screen of the registry, with a long name where the screen shows one. */
const visits: Record<string, (page: Page) => Promise<void>> = {
  overview: (page) => openScreen(page, 'Overview'),
  brokers: (page) => openScreen(page, 'Brokers'),
  broker: async (page) => {
    await openScreen(page, 'Brokers');
    await page.getByRole('button', { name: 'Open broker 1', exact: true }).click();
  },
  // Searches, so that the screen shows the long name (the app also has its internal topics).
  topics: async (page) => {
    await openScreen(page, 'Topics');
    await page.getByLabel('Search topics').fill(TOPIC);
    await expect(page.getByRole('row').filter({ hasText: TOPIC })).toHaveCount(1);
  },
  reassign: (page) => openScreen(page, 'Reassign partitions'),
  topic: async (page) => {
    await openScreen(page, 'Topics');
    await page.getByLabel('Search topics').fill(TOPIC);
    await page.getByRole('row').filter({ hasText: TOPIC }).first().click();
    await expect(page.locator('.topic-title')).toHaveText(TOPIC);
  },
  messages: async (page) => {
    await openScreen(page, 'Messages');
    await page.getByLabel('Topic', { exact: true }).selectOption(TOPIC);
    await expect(page.getByRole('status', { name: 'Page status' })).toContainText('6 records');
  },
  produce: async (page) => {
    await openScreen(page, 'Produce');
    const topicSelect = page.getByLabel('Topic', { exact: true });
    await expect(topicSelect.locator('option', { hasText: TOPIC })).toHaveCount(1);
    await topicSelect.selectOption(TOPIC);
  },
  groups: async (page) => {
    await openScreen(page, 'Consumer groups');
    await page.getByLabel('Search groups').fill(GROUP);
    await expect(page.getByRole('table', { name: 'Consumer groups' }).locator(`[data-group="${GROUP}"]`)).toBeVisible();
  },
  group: async (page) => {
    await openScreen(page, 'Consumer groups');
    await page.getByLabel('Search groups').fill(GROUP);
    await page.getByRole('table', { name: 'Consumer groups' }).getByRole('button', { name: GROUP, exact: true }).click();
    await expect(page.locator('.topic-title')).toHaveText(GROUP);
  },
  transactions: async (page) => {
    await openScreen(page, 'Transactions');
    await expect(page.getByText(TXN_ID).first()).toBeVisible();
  },
  schemas: async (page) => {
    await openScreen(page, 'Schemas');
    await page.getByLabel('Search subjects').fill(SUBJECT);
    await expect(page.getByText(SUBJECT).first()).toBeVisible();
  },
  subject: async (page) => {
    await openScreen(page, 'Schemas');
    await page.getByLabel('Search subjects').fill(SUBJECT);
    await page.getByRole('button', { name: SUBJECT, exact: true }).click();
    await expect(page.locator('.topic-title')).toHaveText(SUBJECT);
  },
  acls: (page) => openScreen(page, 'ACLs'),
  users: (page) => openScreen(page, 'Users'),
  'client-metrics': (page) => openScreen(page, 'Client metrics'),
  cluster: (page) => openScreen(page, 'Cluster panel'),
  settings: (page) => openScreen(page, 'Settings'),
};

/**
 * The title each screen's header shows once that screen is the one rendered. A screen shows its spinner
 * from its first render until its data arrives, so "no spinner left" means loaded only once the visited
 * screen is there: checked on the screen still shown before the click, it would pass at once.
 */
const headings: Record<string, string> = {
  overview: 'Cluster overview',
  brokers: 'Brokers',
  broker: 'Broker 1',
  topics: 'Topics',
  reassign: 'Reassign partitions',
  topic: TOPIC,
  messages: 'Messages',
  produce: 'Produce',
  groups: 'Consumer groups',
  group: GROUP,
  transactions: 'Transactions',
  schemas: 'Schemas',
  subject: SUBJECT,
  acls: 'ACLs',
  users: 'Users',
  'client-metrics': 'Client metrics',
  cluster: 'Embedded cluster',
  settings: 'Settings',
};

test('every screen fits 1024x700 and 1440x900 with long names', async ({ page, webApp }, testInfo) => {
  test.setTimeout(240_000);
  const errors = watchConsole(page);
  // Every screen of the registry has a visit: a new screen needs one here.
  expect(screenIds.length).toBeGreaterThan(10);
  expect(Object.keys(visits).sort()).toEqual([...screenIds].sort());
  expect(Object.keys(headings).sort()).toEqual([...screenIds].sort());
  await page.goto(webApp.url);
  const problems: string[] = [];
  for (const id of screenIds) {
    await visits[id]!(page);
    // The visited screen is rendered (its spinner, if its data is not there yet, with it), then its
    // data has arrived: no spinner left.
    await expect(page.locator('main.content .screen-header h1')).toContainText(headings[id]!);
    await expect(page.locator('main.content .state-loading')).toHaveCount(0, { timeout: 30_000 });
    for (const [width, height] of [
      [1024, 700],
      [1440, 900],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: testInfo.outputPath(`${id}-${width}x${height}.png`) });
      for (const problem of await horizontalOverflow(page)) problems.push(`${id} at ${width}x${height}: ${problem}`);
    }
    await page.setViewportSize({ width: 1360, height: 860 });
  }
  expect(problems).toEqual([]);
  expect(errors).toEqual([]);
});
