// The produce form end to end, in web mode against the embedded cluster.
import { expect, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

test.describe.configure({ mode: 'serial' });

test('every field stays inside the form card at 1024x700 and 1440x900', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Produce');
  // With an error under Repeat and its longest option in Acks, as a user meets them.
  await page.getByLabel('Repeat').fill('100000');
  await page.getByRole('button', { name: /^Send/ }).click();
  await expect(page.getByText('Send at most 10,000 records at once.')).toBeVisible();
  const card = page.locator('form.card');
  for (const [width, height] of [
    [1024, 700],
    [1440, 900],
  ] as const) {
    await page.setViewportSize({ width, height });
    const box = await card.boundingBox();
    for (const label of ['Compression', 'Acks', 'Repeat']) {
      const field = await page.getByLabel(label, { exact: true }).boundingBox();
      expect(field, label).not.toBeNull();
      expect(box).not.toBeNull();
      if (!field || !box) continue;
      expect(field.x, `${label} at ${width}`).toBeGreaterThanOrEqual(box.x);
      expect(field.x + field.width, `${label} at ${width}`).toBeLessThanOrEqual(box.x + box.width);
    }
    // The card itself fits the window, and the Acks choice is shown whole, not cut.
    if (box) expect(box.x + box.width, `card at ${width}`).toBeLessThanOrEqual(width);
    const acks = page.getByLabel('Acks', { exact: true });
    expect(
      await acks.evaluate(
        (select: { scrollWidth: number; clientWidth: number; getBoundingClientRect(): { width: number } }) =>
          select.scrollWidth <= select.clientWidth + 1 && select.getBoundingClientRect().width >= 190,
      ),
      `Acks at ${width}`,
    ).toBe(true);
  }
  await screenshots(page, testInfo, 'produce-form');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshots(page, testInfo, 'produce-form-dark');
  expect(errors).toEqual([]);
});
