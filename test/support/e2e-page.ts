// What the Playwright specs do on every page: collect console errors, open a screen from the
// sidebar, take the two screenshots the guide asks for.
import type { Page, TestInfo } from '@playwright/test';

/** Console errors and uncaught page errors, collected from now on; a spec expects it empty at the end. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** Opens a screen by its sidebar button. */
export async function openScreen(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name, exact: true }).click();
}

/** Screenshots at 1024x700 and 1440x900 into the test's output, then the configured viewport again. */
export async function screenshots(page: Page, testInfo: TestInfo, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  for (const [width, height] of [
    [1024, 700],
    [1440, 900],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: testInfo.outputPath(`${name}-${width}x${height}.png`), fullPage: options.fullPage ?? false });
  }
  await page.setViewportSize({ width: 1360, height: 860 });
}
