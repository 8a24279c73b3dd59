// Renders media/icon.png (the Marketplace/Extensions icon, 128×128) from media/nixboot.svg with
// Debian's Chromium: the activity-bar glyph in white on a NixOS-blue rounded square.
// Usage: node scripts/make-icon.mjs
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = new URL('..', import.meta.url).pathname;
const svg = readFileSync(join(ROOT, 'media/nixboot.svg'), 'utf8')
  .replace('stroke="currentColor"', 'stroke="#ffffff"')
  .replace('width="24" height="24"', 'width="92" height="92"');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
  await page.setContent(`<html><body style="margin:0;background:transparent">
<div id="i" style="width:128px;height:128px;border-radius:24px;background:linear-gradient(160deg,#7eb6e6,#41739f);display:flex;align-items:center;justify-content:center">${svg}</div></body></html>`);
  await page.locator('#i').screenshot({ path: join(ROOT, 'media/icon.png'), omitBackground: true });
} finally {
  await browser.close();
}
