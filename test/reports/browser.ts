// Loads a report page into headless Chromium (Debian's, through playwright-core) as a VS Code
// webview would: the page's own CSP applies, `acquireVsCodeApi` is a stub that records what the
// page posts and keeps its state. Used by test/reports/webview.test.ts and bench/reports.ts.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const STUB = `
window.__posted = [];
window.__violations = [];
window.__state = undefined;
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => window.__state, setState: (s) => { window.__state = s; } });
`;

/**
 * Opens `html` as the document of http://report.test/ and waits for the page's ready flag. `ms`:
 * from the navigation's start (the page's time origin) to two frames after ready, i.e. parsed,
 * scripted, laid out and painted, as the page itself measures it (no driver overhead).
 */
export async function openPage(
  browser: Browser,
  html: string,
  opts: { state?: unknown; width?: number; height?: number } = {},
): Promise<{ page: Page; ms: number }> {
  const page = await browser.newPage({ viewport: { width: opts.width ?? 1200, height: opts.height ?? 800 } });
  await page.addInitScript(
    STUB + (opts.state !== undefined ? `window.__state = ${JSON.stringify(opts.state)};` : ''),
  );
  await page.route('http://report.test/', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
  );
  await page.goto('http://report.test/');
  await page.waitForSelector('body[data-ready="1"]', { timeout: 10_000 });
  // Ready is set by the last script; a frame later everything is laid out and painted.
  const ms = Number(
    await page.evaluate(
      'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))',
    ),
  );
  return { page, ms };
}

export async function posted(page: Page): Promise<unknown[]> {
  return page.evaluate('window.__posted') as Promise<unknown[]>;
}

export async function violations(page: Page): Promise<string[]> {
  return page.evaluate('window.__violations') as Promise<string[]>;
}
