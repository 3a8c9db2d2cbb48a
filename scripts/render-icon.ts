// Renders the app icon for the installers (build/icon.png, 1024x1024, from which electron-builder
// derives the .icns and .ico) from the renderer's favicon, so one drawing stays the source of both.
// Run with `npx tsx scripts/render-icon.ts`; it uses Debian's Chromium like the tests.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from '@playwright/test';

const size = 1024;
const svg = await readFile(path.resolve('renderer/public/icon.svg'), 'utf8');
const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  const sized = svg.replace('<svg ', `<svg width="${size}" height="${size}" `);
  await page.setContent(`<html><body style="margin:0;background:transparent">${sized}</body></html>`);
  await page.screenshot({ path: path.resolve('build/icon.png'), omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  console.log(`build/icon.png: ${size}x${size}`);
} finally {
  await browser.close();
}
