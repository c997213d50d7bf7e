/**
 * What the end-to-end tests share: the browser, a fresh context and a fresh user per test, the
 * stack's address, the API for setting up a situation, the accessibility check, screenshots and
 * the fixed prices of QUOTE_MODE=fixed.
 */

import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const BASE_URL = (process.env.DTS_E2E_URL ?? 'http://127.0.0.1:18180').replace(/\/$/, '');
export const PENDING_TTL_S = Number(process.env.DTS_PENDING_TTL_S ?? 6);
/** The screenshots the tests take are the project's own: they replace those in screenshots/. */
export const SCREENSHOT_DIR = process.env.DTS_E2E_SCREENSHOTS ?? path.join(HERE, '..', 'screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const PASSWORD = 'correct horse battery';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUN = Date.now().toString(36);

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** closes the context; fails the test if the page logged an error */
  close: () => Promise<void>;
}

/** A browser context of its own (its own storage: no test sees another's session). */
export async function openTab(browser: Browser, viewport = DESKTOP): Promise<Tab> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const consoleErrors: string[] = [];
  page.on('console', (msg) => {
    // Chromium logs every 4xx/5xx response as "Failed to load resource": the API's refusals that
    // the tests provoke on purpose. Anything else logged as an error is the UI's fault.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) consoleErrors.push(msg.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  return {
    context,
    page,
    close: async () => {
      await context.close();
      expect(consoleErrors, 'errors in the browser console').toEqual([]);
    },
  };
}

// ---- the API, for setting up what a test then meets in the UI -------------------------------------

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export async function post(pathname: string, body: object, token?: string): Promise<Reply> {
  const response = await fetch(`${BASE_URL}${pathname}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

let users = 0;

export function uniqueName(prefix: string): string {
  users += 1;
  return `${prefix}_${RUN}_${users}`;
}

export interface User {
  username: string;
  token: string;
  /** a command as this user; fails the test if it is refused */
  ok: (pathname: string, body?: object) => Promise<Record<string, unknown>>;
}

/** A new account of the test's own, registered through the API, with `fundsCents` added. */
export async function newUser(prefix: string, fundsCents = 0): Promise<User> {
  const username = uniqueName(prefix);
  const registered = await post('/auth/register', { username, password: PASSWORD });
  expect(registered.status, JSON.stringify(registered.body)).toBe(200);
  const token = String(registered.body.token);
  const ok = async (pathname: string, body: object = {}) => {
    const reply = await post(pathname, body, token);
    expect(reply.status, `${pathname}: ${JSON.stringify(reply.body)}`).toBe(200);
    return reply.body;
  };
  if (fundsCents > 0) await ok('/user_utils/add', { amount: wire(fundsCents) });
  return { username, token, ok };
}

/** BUY and COMMIT_BUY through the API: `shares` of `sym` at `priceCents` (the price it has now). */
export async function holdShares(user: User, sym: string, shares: number, priceCents = fixedPriceCents(sym)): Promise<void> {
  await user.ok('/buy/buy', { sym, amount: wire(shares * priceCents) });
  await user.ok('/buy/commit_buy');
}

/** The tab's pages open logged in as `user` (the session the UI keeps in localStorage). */
export async function signIn(tab: Tab, user: User): Promise<void> {
  await tab.context.addInitScript(
    ([key, value]) => {
      if (!window.sessionStorage.getItem('dts.e2e.signed-in')) {
        window.sessionStorage.setItem('dts.e2e.signed-in', '1');
        window.localStorage.setItem(key, value);
      }
    },
    ['dts.session', JSON.stringify({ username: user.username, token: user.token })] as const,
  );
}

/** The stack's Redis (scripts/stack.py: its port base + 79), for moving the market. */
const REDIS_PORT = Number(process.env.DTS_E2E_REDIS_PORT ?? 0);

/**
 * Moves the market the way DTS sees it: a newer quote of `sym` in the Redis cache, which the next
 * QUOTE, BUY or SELL reads for up to 120 s (the quote server's prices are fixed). The same as the
 * integration tests' move_market, in Redis's own protocol.
 */
export async function moveMarket(sym: string, priceCents: number): Promise<void> {
  expect(REDIS_PORT, 'DTS_E2E_REDIS_PORT names the stack\'s Redis').toBeGreaterThan(0);
  const quote = JSON.stringify({ sym, price_cents: priceCents, quote_server_time_ms: Date.now(), cryptokey: 'e2e' });
  const command = ['SET', `dts:quote:${sym}`, quote, 'EX', '120'];
  const wireCommand = `*${command.length}\r\n${command.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`;
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(REDIS_PORT, '127.0.0.1', () => socket.write(wireCommand));
    socket.once('data', (data) => {
      resolve(data.toString());
      socket.end();
    });
    socket.once('error', reject);
  });
  expect(answer).toBe('+OK\r\n');
}

export async function waitForStack(): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${BASE_URL}/user_utils/health`);
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`DTS does not answer at ${BASE_URL} (${last}); start the stack first`);
}

// ---- looking at the page -------------------------------------------------------------------------

/** Waits until the locator's text matches (the UI answers asynchronously), else fails with it. */
export async function expectText(locator: Locator, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  let problem = '';
  for (;;) {
    try {
      text = await locator.innerText({ timeout: 1_000 });
      problem = '';
      if (pattern.test(text)) return;
    } catch (error) {
      problem = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error); // not there yet
    }
    if (Date.now() > deadline) {
      expect(text, problem || `the text of ${String(locator)}`).toMatch(pattern);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function heading(page: Page, name: string): Locator {
  return page.getByRole('heading', { level: 1, name });
}

export function navLink(page: Page, name: string): Locator {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
}

export async function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === document.activeElement);
}

/** Presses Tab until `locator` has the focus (as a keyboard user would reach it), else fails. */
export async function tabTo(page: Page, locator: Locator, maxPresses = 60): Promise<void> {
  for (let i = 0; i < maxPresses; i += 1) {
    if (await isFocused(locator)) return;
    await page.keyboard.press('Tab');
  }
  expect(await isFocused(locator), `Tab never reached ${String(locator)}`).toBe(true);
}

/**
 * axe-core on the page as it is now: no serious or critical violation of WCAG 2.1 A and AA (and
 * axe's best practices). Each violation is listed with the elements it found.
 */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  expect(results.passes.length, `axe ran no check on ${where}`).toBeGreaterThan(0);
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `accessibility of ${where}`).toEqual([]);
}

/** Saves the page as `screenshots/<desktop|phone>-<name>.png`, replacing the one there. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const width = page.viewportSize()?.width ?? DESKTOP.width;
  const file = path.join(SCREENSHOT_DIR, `${width < 600 ? 'phone' : 'desktop'}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// ---- prices and money ----------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** The quote server's price in QUOTE_MODE=fixed (dts.price_walk.fixed_price_cents). */
export function fixedPriceCents(sym: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(sym.trim().toUpperCase(), 'utf8')) {
    crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  crc = (crc ^ 0xffffffff) >>> 0;
  return 500 + (crc % (50_000 - 500 + 1));
}

/** `$1,234.56` as the UI writes it. */
export function dollars(cents: number): string {
  const whole = Math.floor(cents / 100).toLocaleString('en-US');
  return `$${whole}.${String(cents % 100).padStart(2, '0')}`;
}

/** `1234.56` as the API takes it. */
export function wire(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** A pattern matching exactly this text (for the dollar signs and dots in amounts). */
export function literally(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}
