// ACLs and SCRAM users end to end (#15): the app connects to an ACL-enabled embedded cluster over
// SASL_SSL (SCRAM-SHA-512, the cluster's CA) as the super user and manages ACLs (create with the
// preview of what it grants, filter, delete, a topic's "who can access it") and users (create,
// change password, delete). Degraded: connected as a user without rights, the screens name the
// missing right; on the app's own embedded cluster (no authorizer) they say so.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { Kafka, logLevel } from 'kafkajs';
import { expect, startWebApp, test, type WebApp } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';
import { startSecuredCluster, type SecuredCluster } from '../broker/security/helpers';

let secured: SecuredCluster;
let webApp: WebApp & { stop(): Promise<void> };

test.beforeAll(async () => {
  secured = await startSecuredCluster({ protocol: 'SASL_SSL', acl: true });
  const admin = new Kafka({
    clientId: 'kd-e2e-acls',
    brokers: [secured.bootstrap],
    ssl: { ca: [readFileSync(secured.caLocation)] },
    sasl: { mechanism: 'scram-sha-512', username: 'admin', password: 'admin-secret' },
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  await admin.createTopics({ topics: ['orders', 'team.orders', 'team.payments', 'audit'].map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })) });
  // A group with committed offsets (and no members), for its page's "Who can access it".
  await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 0, offset: '0' }] });
  await admin.disconnect();
  webApp = await startWebApp({ brokers: 1 });
});

test.afterAll(async () => {
  await webApp?.stop();
  await secured?.close();
});

/** Adds a connection to the secured cluster as `user` (SCRAM-SHA-512 over TLS with its CA) and makes it the active one. */
async function connectAs(page: Page, name: string, user: string, password: string) {
  await page.getByRole('button', { name: 'Add a connection' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a connection' });
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Bootstrap servers').fill(secured.bootstrap);
  await dialog.getByLabel('SASL mechanism').selectOption('SCRAM-SHA-512');
  await dialog.getByLabel('User name').fill(user);
  await dialog.getByLabel('Password', { exact: true }).fill(password);
  await dialog.getByLabel('Use TLS').check();
  await dialog.getByLabel('Trusted CAs').selectOption('file');
  await dialog.getByLabel('CA certificate file').fill(secured.caLocation);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  const button = page.getByRole('button', { name, exact: true });
  await button.click();
  await expect(button).toHaveAttribute('data-state', 'up', { timeout: 30_000 });
}

test('manages ACLs and SCRAM users on a secured cluster', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await connectAs(page, 'Secured as admin', 'admin', 'admin-secret');

  await openScreen(page, 'ACLs');
  await expect(page.getByText('This cluster has no ACLs.')).toBeVisible();

  // A literal WRITE: the preview says it also allows DESCRIBE and names the topic it covers.
  await page.getByRole('button', { name: 'Create ACL' }).click();
  let dialog = page.getByRole('dialog', { name: 'Create ACL' });
  await dialog.getByLabel('Principal').fill('User:alice');
  await dialog.getByLabel('Operation').selectOption('WRITE');
  await dialog.getByLabel('Resource name').fill('orders');
  const preview = dialog.getByRole('region', { name: 'What it grants' });
  await expect(preview).toContainText('Allows User:alice to WRITE (and so DESCRIBE) on the topic "orders" from any host.');
  await expect(preview.getByRole('list', { name: 'Operations it decides' })).toContainText('DESCRIBE implied by WRITE');
  await expect(preview).toContainText('Covers 1 existing topic: orders');
  await dialog.getByRole('button', { name: 'Create ACL' }).click();
  await expect(dialog).toBeHidden();

  // A PREFIXED ALL for bob: every topic starting with "team." now and later.
  await page.getByRole('button', { name: 'Create ACL' }).click();
  dialog = page.getByRole('dialog', { name: 'Create ACL' });
  await dialog.getByLabel('Principal').fill('User:bob');
  await dialog.getByLabel('Operation').selectOption('ALL');
  await dialog.getByLabel('Pattern').selectOption('PREFIXED');
  await dialog.getByLabel('Name prefix').fill('team.');
  await expect(dialog.getByRole('region', { name: 'What it grants' })).toContainText('Covers 2 existing topics: team.orders, team.payments');
  await expect(dialog.getByRole('region', { name: 'What it grants' })).toContainText('resources created later');
  // A name Kafka would refuse is refused in place, before anything is sent.
  await dialog.getByLabel('Principal').fill('bob');
  await expect(dialog.getByText('A principal is Type:name')).toBeVisible();
  await dialog.getByLabel('Principal').fill('User:bob');
  await screenshots(page, testInfo, 'acl-create-preview');
  await dialog.getByRole('button', { name: 'Create ACL' }).click();
  await expect(dialog).toBeHidden();

  const table = page.getByRole('table', { name: 'ACLs' });
  await expect(table.getByRole('row')).toHaveCount(3);
  await expect(page.getByText('2 ACLs · connected as User:admin')).toBeVisible();
  await screenshots(page, testInfo, 'acls-list');
  await page.getByRole('search', { name: 'Filter ACLs' }).getByLabel('Principal').fill('User:bob');
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table).toContainText('team.');
  await page.getByRole('search', { name: 'Filter ACLs' }).getByLabel('Principal').fill('');
  await expect(table.getByRole('row')).toHaveCount(3);

  // A topic's page: what applies to team.orders (bob's prefix), and to orders (alice's literal).
  await openScreen(page, 'Topics');
  await page.getByRole('button', { name: 'team.orders', exact: true }).click();
  await page.getByRole('tab', { name: 'Who can access it' }).click();
  const access = page.getByRole('table', { name: 'ACLs of team.orders' });
  await expect(access).toContainText('User:bob');
  await expect(access).toContainText('prefix "team."');
  await expect(access).not.toContainText('User:alice');
  await screenshots(page, testInfo, 'topic-access');

  // Delete alice's ACL from the ACLs screen, after a confirmation that says what it allowed.
  await openScreen(page, 'ACLs');
  await page.getByRole('button', { name: 'Delete ALLOW WRITE for User:alice on orders' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete ACL' });
  await expect(confirm).toContainText('Allows User:alice to WRITE (and so DESCRIBE) on the topic "orders" from any host.');
  await confirm.getByRole('button', { name: 'Delete ACL' }).click();
  await expect(confirm).toBeHidden();
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table).not.toContainText('User:alice');

  // Users: the cluster's SCRAM users; create carol, change her password, delete her.
  await openScreen(page, 'Users');
  const users = page.getByRole('table', { name: 'SCRAM users' });
  await expect(users).toContainText('alice');
  await expect(users).toContainText('(this connection)');
  await page.getByRole('button', { name: 'Create user' }).click();
  let userDialog = page.getByRole('dialog', { name: 'Create user' });
  await userDialog.getByLabel('User name').fill('carol');
  await userDialog.getByLabel('Password', { exact: true }).fill('carol-secret');
  await userDialog.getByLabel('Repeat the password').fill('carol-secrte');
  await userDialog.getByRole('button', { name: 'Create user' }).click();
  await expect(userDialog.getByText('The two passwords differ.')).toBeVisible();
  await userDialog.getByLabel('Repeat the password').fill('carol-secret');
  await screenshots(page, testInfo, 'user-create');
  await userDialog.getByRole('button', { name: 'Create user' }).click();
  await expect(userDialog).toBeHidden();
  const carol = users.getByRole('row').filter({ hasText: 'carol' });
  await expect(carol).toContainText('SCRAM-SHA-256 (8192 iterations), SCRAM-SHA-512 (8192 iterations)');
  await screenshots(page, testInfo, 'users-list');

  await page.getByRole('button', { name: 'Change the password of carol' }).click();
  userDialog = page.getByRole('dialog', { name: 'Change the password of carol' });
  await userDialog.getByLabel('SCRAM-SHA-256').uncheck();
  await expect(userDialog).toContainText('SCRAM-SHA-256 will be removed, so the old password stops working everywhere.');
  await userDialog.getByLabel('Password', { exact: true }).fill('new-secret');
  await userDialog.getByLabel('Repeat the password').fill('new-secret');
  await userDialog.getByRole('button', { name: 'Change password' }).click();
  await expect(userDialog).toBeHidden();
  await expect(carol).toHaveText(/SCRAM-SHA-512 \(8192 iterations\)/);
  await expect(carol).not.toContainText('SCRAM-SHA-256');

  await page.getByRole('button', { name: 'Delete carol' }).click();
  const deleteUser = page.getByRole('dialog', { name: 'Delete user' });
  await deleteUser.getByLabel('Type carol to confirm').fill('carol');
  await deleteUser.getByRole('button', { name: 'Delete user' }).click();
  await expect(deleteUser).toBeHidden();
  await expect(users).not.toContainText('carol');

  // A group's page: no ACL applies to it yet; one added from there, prefilled for the group.
  await openScreen(page, 'Consumer groups');
  await page.getByRole('table', { name: 'Consumer groups' }).getByRole('button', { name: 'billing', exact: true }).click();
  const groupAccess = page.getByRole('region', { name: 'Who can access it' });
  await expect(groupAccess).toContainText('No ACL applies to this group.');
  await groupAccess.getByRole('button', { name: 'Add ACL' }).click();
  dialog = page.getByRole('dialog', { name: 'Create ACL' });
  await expect(dialog.getByLabel('Resource type')).toHaveValue('GROUP');
  await expect(dialog.getByLabel('Resource name')).toHaveValue('billing');
  await dialog.getByLabel('Principal').fill('User:alice');
  await expect(dialog.getByRole('region', { name: 'What it grants' })).toContainText(
    'Allows User:alice to READ (and so DESCRIBE) on the consumer group "billing"',
  );
  await dialog.getByRole('button', { name: 'Create ACL' }).click();
  await expect(dialog).toBeHidden();
  await expect(groupAccess.getByRole('table', { name: 'ACLs of billing' })).toContainText('User:alice');
  await groupAccess.scrollIntoViewIfNeeded();
  await screenshots(page, testInfo, 'group-access');
  expect(errors).toEqual([]);
});

test('says which right is missing, and that a cluster without an authorizer has no ACLs', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await connectAs(page, 'Secured as alice', 'alice', 'alice-secret');
  await openScreen(page, 'ACLs');
  const refusal = page.getByRole('alert').filter({ hasText: 'Missing right: DESCRIBE on the cluster' });
  await expect(refusal).toContainText('User:alice may not list ACLs: that needs DESCRIBE on the cluster resource');
  await screenshots(page, testInfo, 'acls-missing-right');
  await openScreen(page, 'Users');
  await expect(page.getByRole('alert').filter({ hasText: 'Missing right: DESCRIBE on the cluster' })).toContainText(
    'User:alice may not list SCRAM users: that needs DESCRIBE',
  );
  // Client quotas need DESCRIBE_CONFIGS on the cluster (#16): said as such.
  await expect(
    page.getByRole('region', { name: 'Client quotas' }).getByRole('alert').filter({ hasText: 'Missing right: DESCRIBE_CONFIGS on the cluster' }),
  ).toContainText('User:alice may not read client quotas: that needs DESCRIBE_CONFIGS on the cluster resource');
  await expect(page.getByRole('region', { name: 'Client quotas' }).getByRole('button', { name: 'Set a quota' })).toBeDisabled();

  await page.getByRole('button', { name: 'Embedded cluster', exact: true }).click();
  await openScreen(page, 'ACLs');
  await expect(page.getByRole('alert').filter({ hasText: 'No authorizer on this cluster' })).toContainText('enforces no ACLs');
  await expect(page.getByRole('button', { name: 'Create ACL' })).toBeDisabled();
  await screenshots(page, testInfo, 'acls-no-authorizer');
  expect(errors).toEqual([]);
});
