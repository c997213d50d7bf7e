/** What the end-to-end tests share: the browser, the stack's address, screenshots, prices. */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const BASE_URL = (process.env.DTS_E2E_URL ?? 'http://127.0.0.1:18180').replace(/\/$/, '');
export const PENDING_TTL_S = Number(process.env.DTS_PENDING_TTL_S ?? 6);
export const SCREENSHOT_DIR = process.env.DTS_E2E_SCREENSHOTS ?? path.join(HERE, '..', 'e2e-screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dts-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: DESKTOP,
    acceptDownloads: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const consoleErrors = [];
  page.on('console', (msg) => {
    // Chromium logs every 4xx/5xx response as "Failed to load resource": the API's refusals that
    // the tests provoke on purpose. Anything else logged as an error is the UI's fault.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      consoleErrors.push(msg.text());
    }
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  const close = async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, consoleErrors, close };
}

let shotNumber = 0;
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const { width } = page.viewportSize();
  const kind = width < 600 ? 'phone' : 'desktop';
  shotNumber += 1;
  const file = path.join(SCREENSHOT_DIR, `${kind}-${String(shotNumber).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** POSTs to the API directly (to set up a situation the UI then meets). */
export async function api(pathname, body, token) {
  const response = await fetch(`${BASE_URL}${pathname}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

export async function waitForStack() {
  const deadline = Date.now() + 30_000;
  let last;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${BASE_URL}/user_utils/health`);
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`DTS does not answer at ${BASE_URL} (${last}); start the stack first`);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** The quote server's price in QUOTE_MODE=fixed (dts.price_walk.fixed_price_cents). */
export function fixedPriceCents(sym) {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(sym.trim().toUpperCase(), 'utf8')) {
    crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  }
  crc = (crc ^ 0xffffffff) >>> 0;
  return 500 + (crc % (50_000 - 500 + 1));
}

export function dollars(cents) {
  const whole = Math.floor(cents / 100).toLocaleString('en-US');
  return `$${whole}.${String(cents % 100).padStart(2, '0')}`;
}

export function wire(cents) {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}
