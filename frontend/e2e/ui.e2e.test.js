/**
 * The UI in headless Chromium against the real stack (NGINX serving frontend/dist, the services,
 * QUOTE_MODE=fixed, a short pending window). One person's session, step by step: each test
 * continues where the previous one left off, as a person would.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  api,
  BASE_URL,
  DESKTOP,
  dollars,
  fixedPriceCents,
  launch,
  PENDING_TTL_S,
  PHONE,
  screenshot,
  waitForStack,
} from './support.js';

const RUN = Date.now().toString(36);
const USER = `e2e_${RUN}`;
const PASSWORD = 'correct horse battery';
const SYM = 'ABC';
const PRICE = fixedPriceCents(SYM); // 263.46 in fixed mode
const TRIGGER_SYM = 'TRG';
const TRIGGER_PRICE = fixedPriceCents(TRIGGER_SYM);

let browser;
let page;

const heading = (name) => page.getByRole('heading', { level: 1, name });
const nav = (name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** Waits until the locator's text matches (the UI answers asynchronously), else fails with it. */
async function expectText(locator, pattern, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    try {
      text = await locator.innerText({ timeout: 1_000 });
      if (pattern.test(text)) return;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) assert.match(text, pattern);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('DTS in the browser', { concurrency: false }, () => {
  before(async () => {
    await waitForStack();
    browser = await launch();
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
  });

  test('register: mistakes are explained next to their field, then the account opens', async () => {
    const taken = `taken_${RUN}`;
    assert.equal((await api('/auth/register', { username: taken, password: PASSWORD })).status, 200);

    await page.goto(`${BASE_URL}/`);
    await heading('Log in to DTS').waitFor();
    await screenshot(page, 'login');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await heading('Create your DTS account').waitFor();
    await page.getByLabel('Username').fill('no spaces allowed');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expectText(page.locator('#username-error'), /letters, digits/);
    await expectText(page.locator('#password-error'), /at least 8 characters/);
    assert.equal(await page.getByLabel('Username').getAttribute('aria-invalid'), 'true');

    await page.getByLabel('Username').fill(taken);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expectText(page.locator('#username-error'), new RegExp(`The username ${taken} is taken`));
    assert.equal(await page.getByLabel('Username').evaluate((el) => el === document.activeElement), true);
    await screenshot(page, 'register-error');

    await page.getByLabel('Username').fill(USER);
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading('Dashboard').waitFor();
    await expectText(page.locator('.user-name'), new RegExp(USER));
    assert.equal(new URL(page.url()).pathname, '/');
  });

  test('add funds: a bad amount is refused in words, a good one shows in the cash', async () => {
    await page.getByLabel('Add funds ($)').fill('12.345');
    await page.getByRole('button', { name: 'Add funds' }).click();
    await expectText(page.locator('#add-amount-error'), /at most 2 decimals/);
    await page.getByLabel('Add funds ($)').fill('2000');
    await page.getByRole('button', { name: 'Add funds' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'Added' }), /Added \$2,000\.00/);
    await expectText(page.getByTestId('funds'), /^\$2,000\.00$/);
  });

  test('buy: quote, shares for the amount, BUY, the countdown, then commit', async () => {
    await nav('Buy').click();
    await heading('Buy stock').waitFor();
    await page.getByLabel('Stock symbol').fill(SYM.toLowerCase());
    await page.getByRole('button', { name: 'Get quote' }).click();
    await expectText(page.locator('.quote-price'), new RegExp(`\\${dollars(PRICE)}`));
    await expectText(page.locator('.quote-fresh'), /Quoted at .*(fresh from the quote server|cache)/);
    await page.getByLabel('Amount to spend ($)').fill('600');
    const shares = Math.floor(60000 / PRICE);
    await expectText(page.locator('.estimate'), new RegExp(`buys ${shares} shares for \\${dollars(shares * PRICE)}`));

    await page.getByRole('button', { name: `Buy ${SYM}` }).click();
    const commit = page.getByRole('button', { name: 'Commit buy' });
    await commit.waitFor();
    await expectText(page.locator('.pending-live [role=timer]'), /0:0\d left/);
    // Keyboard users land on Commit right after BUY.
    assert.equal(await commit.evaluate((el) => el === document.activeElement), true);
    await screenshot(page, 'buy-pending');
    await commit.click();
    await expectText(
      page.getByRole('status').filter({ hasText: 'Bought' }),
      new RegExp(`Bought ${shares} ${SYM} at \\${dollars(PRICE)}`),
    );
    await expectText(page.locator('.pending .empty'), /No pending buys/);
    await screenshot(page, 'buy-committed');
  });

  test('sell: pick the holding, SELL, then cancel: the shares come back', async () => {
    await nav('Sell').click();
    await heading('Sell stock').waitFor();
    await page.getByLabel('Holding').selectOption(SYM);
    await expectText(page.locator('.quote-price'), new RegExp(`\\${dollars(PRICE)}`));
    await page.getByLabel('Amount to sell ($)').fill('300');
    await expectText(page.locator('.estimate'), /sells 1 of your 2 shares/);
    await page.getByRole('button', { name: `Sell ${SYM}` }).click();
    await page.getByRole('button', { name: 'Cancel sell' }).waitFor();
    await screenshot(page, 'sell-pending');
    await page.getByRole('button', { name: 'Cancel sell' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'Cancelled' }), /Cancelled the sell of 1 ABC/);
    await expectText(page.getByLabel('Holding'), /ABC: 2 shares/);
    await expectText(page.locator('#trade-amount-hint'), /You have 2 shares of ABC to sell/);
  });

  test('a pending BUY left alone expires when its countdown ends, and its cash comes back', async () => {
    await nav('Buy').click();
    await page.getByLabel('Stock symbol').fill(SYM);
    await page.getByLabel('Amount to spend ($)').fill('300');
    await page.getByRole('button', { name: `Buy ${SYM}` }).click();
    await page.getByRole('button', { name: 'Commit buy' }).waitFor();
    await page.locator('.timer-done').waitFor({ timeout: (PENDING_TTL_S + 5) * 1000 });
    await expectText(page.getByRole('status').filter({ hasText: 'expired' }), /expired before it was committed/);
    assert.equal(await page.getByRole('button', { name: 'Commit buy' }).count(), 0);
    await screenshot(page, 'buy-expired');
    await page.locator('.pending .empty').waitFor({ timeout: 5_000 });
  });

  test('automatic trading: a buy trigger at or above the price fires at once; a sell order waits and is cancelled', async () => {
    await nav('Automatic').click();
    await heading('Automatic trading').waitFor();
    await page.getByLabel('Stock symbol').fill(TRIGGER_SYM);
    await page.getByRole('button', { name: 'Check price' }).click();
    await expectText(page.locator('.estimate').first(), new RegExp(`${TRIGGER_SYM} is \\${dollars(TRIGGER_PRICE)}`));
    await page.getByLabel('Amount to spend ($)').fill('500');
    await page.getByLabel('Buy when the price is at or below ($)').fill(((TRIGGER_PRICE + 100) / 100).toFixed(2));
    await page.getByRole('button', { name: 'Set buy order' }).click();
    const bought = Math.floor(50000 / TRIGGER_PRICE);
    await expectText(
      page.getByRole('status').filter({ hasText: 'fired' }),
      new RegExp(`fired at once: bought ${bought} ${TRIGGER_SYM}`),
    );
    await expectText(page.locator('#fired-title').locator('..').locator('..'), /Buy trigger fired/);

    await page.getByRole('radio', { name: 'Sell' }).check();
    await page.getByLabel('Stock symbol').fill(SYM);
    await page.getByLabel('Amount to sell ($)').fill(((PRICE * 2) / 100).toFixed(2));
    await page.getByLabel('Sell when the price is at or above ($)').fill(((PRICE * 2) / 100).toFixed(2));
    await page.getByRole('button', { name: 'Set sell order' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'Sell order' }), /1 share reserved, sells when/);
    const cancel = page.getByRole('button', { name: `Cancel the sell order for ${SYM}` });
    await cancel.waitFor();
    await screenshot(page, 'auto');
    await cancel.click();
    await expectText(page.getByRole('status').filter({ hasText: 'Cancelled the sell order' }), /ABC/);
    await page.locator('#orders-SELL ~ .empty').waitFor();
  });

  test('history: the fired trigger and the expiry are listed, filters and pages work, the log downloads', async () => {
    await nav('History').click();
    await heading('History').waitFor();
    const table = page.locator('table');
    await expectText(table, /Buy trigger fired/);
    await expectText(page.locator('.pager'), /Page 1 of 2/);
    await screenshot(page, 'history');
    await page.getByRole('button', { name: 'Next page' }).click();
    await expectText(page.locator('.pager'), /Page 2 of 2/);
    await expectText(table, /Funds added/);

    await page.getByLabel('What').selectOption({ label: 'Buy expired' });
    await expectText(table.locator('caption'), /Transactions 1–1 of 1 \(filtered/);
    await page.getByLabel('What').selectOption('');
    await page.getByLabel('Symbol').selectOption(TRIGGER_SYM);
    await expectText(table, /Buy trigger fired/);
    assert.equal(await table.locator('tbody tr').count(), 3); // amount set, trigger set, fired

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download my log' }).click();
    const download = await downloading;
    assert.match(download.suggestedFilename(), new RegExp(`dts-${USER}-.*\\.xml`));
    const xml = fs.readFileSync(await download.path(), 'utf8');
    assert.match(xml, /<log>/);
    assert.match(xml, new RegExp(`<username>${USER}</username>`));
    await expectText(page.getByRole('status').filter({ hasText: 'downloaded' }), /Your log was downloaded/);
  });

  test('dashboard: holdings with value and gain against what was paid, cash and reserved', async () => {
    await nav('Dashboard').click();
    await heading('Dashboard').waitFor();
    const row = page.getByRole('row', { name: new RegExp(`^${SYM}`) });
    const shares = Math.floor(60000 / PRICE);
    await expectText(row, new RegExp(`\\${dollars(shares * PRICE)}`));
    await expectText(row, /\$0\.00/); // fixed prices: no gain, no loss
    await expectText(page.getByRole('row', { name: new RegExp(`^${TRIGGER_SYM}`) }), /\$/);
    await screenshot(page, 'dashboard');
  });

  test('the session survives a reload; a refused token sends you back to log in', async () => {
    await page.reload();
    await heading('Dashboard').waitFor();
    await expectText(page.locator('.user-name'), new RegExp(USER));

    await page.evaluate(() => {
      const session = JSON.parse(localStorage.getItem('dts.session'));
      localStorage.setItem('dts.session', JSON.stringify({ ...session, token: 'not-a-valid-token' }));
    });
    await page.reload();
    await heading('Log in to DTS').waitFor();
    await expectText(page.getByRole('status').first(), /session has ended/i);
    await screenshot(page, 'session-ended');

    await page.getByLabel('Username').fill(USER);
    await page.getByLabel('Password', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expectText(page.getByRole('alert'), /Wrong username or password/);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await heading('Dashboard').waitFor();
  });

  test('phone width: every view fits the screen', async () => {
    await page.setViewportSize(PHONE);
    const views = [
      ['Dashboard', 'Dashboard', 'dashboard'],
      ['Buy', 'Buy stock', 'buy'],
      ['Sell', 'Sell stock', 'sell'],
      ['Automatic', 'Automatic trading', 'auto'],
      ['History', 'History', 'history'],
    ];
    for (const [link, title, name] of views) {
      await nav(link).click();
      await heading(title).waitFor();
      if (name === 'buy') {
        await page.getByLabel('Stock symbol').fill(SYM);
        await page.getByRole('button', { name: 'Get quote' }).click();
        await page.locator('.quote-price').waitFor();
        await page.getByLabel('Amount to spend ($)').fill('300');
        await page.getByRole('button', { name: `Buy ${SYM}` }).click();
        await page.getByRole('button', { name: 'Commit buy' }).waitFor();
      }
      if (name === 'sell') {
        await page.getByLabel('Holding').selectOption(SYM);
        await page.locator('.quote-price').waitFor();
      }
      await page.waitForTimeout(150);
      await screenshot(page, name);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name} is ${overflow}px wider than the phone screen`);
      if (name === 'buy') await page.getByRole('button', { name: 'Cancel buy' }).click();
    }
    await page.getByRole('button', { name: 'Log out' }).click();
    await heading('Log in to DTS').waitFor();
    await screenshot(page, 'login');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Username').fill('has space');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#password-error').waitFor();
    await screenshot(page, 'register-errors');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the register view is ${overflow}px wider than the phone screen`);
    await page.getByRole('link', { name: 'Log in' }).click();
    await page.setViewportSize(DESKTOP);
  });

  test('log out: back at the login view, and a reload stays logged out', async () => {
    await page.getByLabel('Username').fill(USER);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await heading('Dashboard').waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await heading('Log in to DTS').waitFor();
    await expectText(page.getByRole('status').first(), /You are logged out/);
    await page.reload();
    await heading('Log in to DTS').waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('dts.session')), null);
  });

  test('nothing was logged as an error in the browser console', () => {
    assert.deepEqual(browser.consoleErrors, []);
  });
});
