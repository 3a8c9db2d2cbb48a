// The produce form end to end, in web mode against the embedded cluster.
import { expect, test } from './fixtures';
import { openScreen, screenshots, watchConsole } from '../support/e2e-page';

test.describe.configure({ mode: 'serial' });

test('every field stays inside the form card at 1024x700 and 1440x900', async ({ page, webApp }, testInfo) => {
  const errors = watchConsole(page);
  await page.goto(webApp.url);
  await openScreen(page, 'Produce');
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
  }
  await screenshots(page, testInfo, 'produce-form');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshots(page, testInfo, 'produce-form-dark');
  expect(errors).toEqual([]);
});
