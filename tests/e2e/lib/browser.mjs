// Real Chromium for the browser suite: the system's chromium, never a
// downloaded one, with a fresh profile per launch.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { repoRoot } from './server.mjs';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-quic',
  '--disable-component-update',
  '--disable-sync',
];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export const SCREENSHOT_DIR = path.join(repoRoot, 'target', 'e2e-screenshots');

/** Launches Chromium; playwright gives it a fresh temporary profile. */
export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** One person: their own context (cookies, storage) and a page. */
export async function newPerson(browser, options = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  const page = await context.newPage();
  return { context, page };
}

/** Runs axe (WCAG 2 A and AA) and fails with a readable list of violations. */
export async function checkA11y(page, label) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  if (results.violations.length > 0) {
    const lines = results.violations.map((v) => {
      const nodes = v.nodes
        .map((n) => `      at ${n.target.join(' ')}\n        ${n.failureSummary?.replace(/\n/g, '\n        ')}`)
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    });
    const report = `Accessibility problems on "${label}" (${page.url()}):\n${lines.join('\n')}`;
    console.error(report);
    assert.fail(report);
  }
}

/** Full-page PNGs at phone and desktop sizes, into target/e2e-screenshots/. */
export async function screenshots(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const original = page.viewportSize() ?? DESKTOP;
  try {
    for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
      await page.setViewportSize(viewport);
      await page.screenshot({
        path: path.join(SCREENSHOT_DIR, `${name}-${size}-${viewport.width}x${viewport.height}.png`),
        fullPage: true,
      });
    }
  } finally {
    await page.setViewportSize(original);
  }
}

/** Moves the server's clock (only builds with the test-clock feature have this). */
export const testClock = {
  async advance(baseUrl, seconds) {
    const res = await fetch(baseUrl + '/_test/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'advance_seconds=' + seconds,
    });
    assert.ok(res.ok, `moving the test clock failed: ${res.status} ${await res.text()}`);
    return res;
  },
};
