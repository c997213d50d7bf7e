/**
 * The UI in headless Chromium against the real stack (NGINX serving frontend/dist, the services,
 * QUOTE_MODE=fixed, a short pending window). Every test has a browser context and a user of its
 * own, set up through the API where the UI is not what it tests, so any one of them can run alone
 * (`npm run e2e -- -t 'deep links'`) and their order does not matter.
 */

import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  BASE_URL,
  dollars,
  expectAccessible,
  expectText,
  fixedPriceCents,
  heading,
  holdShares,
  isFocused,
  launchBrowser,
  literally,
  moveMarket,
  navLink,
  newUser,
  openTab,
  PASSWORD,
  PENDING_TTL_S,
  PHONE,
  post,
  screenshot,
  signIn,
  tabTo,
  uniqueName,
  waitForStack,
  wire,
  type Tab,
  type User,
} from './support';

const SYM = 'ABC';
const PRICE = fixedPriceCents(SYM); // 263.46
const TRIGGER_SYM = 'TRG';
const TRIGGER_PRICE = fixedPriceCents(TRIGGER_SYM); // 299.33
// Symbols whose market a test moves (moveMarket), each its own: no other test quotes them.
const GAIN_SYM = 'GAIN';
const HALF_SYM = 'HALF';
const FIRE_SYM = 'FIRE';
const PHONE_SYM = 'PHONE';

let browser: Browser;

/** A tab logged in as a new user with `fundsCents`, at `path`. */
async function userAt(path: string, fundsCents = 0, viewport?: { width: number; height: number }) {
  const user = await newUser('e2e', fundsCents);
  const tab = await openTab(browser, viewport);
  await signIn(tab, user);
  await tab.page.goto(`${BASE_URL}${path}`);
  return { user, tab, page: tab.page };
}

/** The server's own summary, to compare with what the UI shows. */
async function serverSummary(user: User) {
  return (await user.ok('/user_utils/display_summary')) as {
    realized_gain: string;
    holdings: { sym: string; shares: number; reserved_shares: number; cost_basis: string }[];
  };
}

/** A holding's row (by markup: on a phone the table is a stack of cards, no longer a grid of rows). */
function holdingRow(page: Page, sym: string) {
  return page.locator('.holdings tbody tr').filter({ has: page.locator('th', { hasText: new RegExp(`^${sym}$`) }) });
}

describe('DTS in the browser', () => {
  let tab: Tab | undefined;

  beforeAll(async () => {
    await waitForStack();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  // A test that failed half-way leaves its tab open: closed here, unchecked.
  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
  });

  /** Each test closes its tab (which checks the console) at its end. */
  async function done() {
    await tab?.close();
    tab = undefined;
  }

  test('register: mistakes are explained next to their field, then the account opens', async () => {
    const taken = uniqueName('taken');
    expect((await post('/auth/register', { username: taken, password: PASSWORD })).status).toBe(200);
    tab = await openTab(browser);
    const { page } = tab;

    await page.goto(`${BASE_URL}/`);
    await heading(page, 'Log in to DTS').waitFor();
    await expectAccessible(page, 'the login view');
    await screenshot(page, 'login');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await heading(page, 'Create your DTS account').waitFor();
    await page.getByLabel('Username').fill('no spaces allowed');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expectText(page.locator('#username-error'), /letters, digits/);
    await expectText(page.locator('#password-error'), /at least 8 characters/);
    expect(await page.getByLabel('Username').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'the register view with its mistakes');

    await page.getByLabel('Username').fill(taken);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expectText(page.locator('#username-error'), new RegExp(`The username ${taken} is taken`));
    expect(await isFocused(page.getByLabel('Username'))).toBe(true);
    await screenshot(page, 'register-error');

    const username = uniqueName('newcomer');
    await page.getByLabel('Username').fill(username);
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading(page, 'Dashboard').waitFor();
    await expectText(page.locator('.user-name'), new RegExp(username));
    expect(new URL(page.url()).pathname).toBe('/');
    await done();
  });

  test('add funds: a bad amount is refused in words, a good one shows in the cash', async () => {
    const opened = await userAt('/');
    tab = opened.tab;
    const { page } = opened;
    await heading(page, 'Dashboard').waitFor();
    await expectText(page.getByTestId('funds'), /^\$0\.00$/);
    await page.getByLabel('Add funds ($)').fill('12.345');
    await page.getByRole('button', { name: 'Add funds' }).click();
    await expectText(page.locator('#add-amount-error'), /at most 2 decimals/);
    await page.getByLabel('Add funds ($)').fill('2000');
    await page.getByRole('button', { name: 'Add funds' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'Added' }), /Added \$2,000\.00/);
    await expectText(page.getByTestId('funds'), /^\$2,000\.00$/);
    await done();
  });

  test('buy: quote, shares for the amount, BUY, the countdown, commit; then its cost basis and unrealized gain', async () => {
    const price = 250_00;
    await moveMarket(GAIN_SYM, price);
    const opened = await userAt('/', 200_000);
    tab = opened.tab;
    const { page } = opened;
    await navLink(page, 'Buy').click();
    await heading(page, 'Buy stock').waitFor();
    await page.getByLabel('Stock symbol').fill(GAIN_SYM.toLowerCase());
    await page.getByRole('button', { name: 'Get quote' }).click();
    await expectText(page.locator('.quote-price'), literally(dollars(price)));
    await expectText(page.locator('.quote-fresh'), /Quoted at .*(fresh from the quote server|cache)/);
    expect(new URL(page.url()).search).toBe(`?sym=${GAIN_SYM}`);
    await page.getByLabel('Amount to spend ($)').fill('600');
    await expectText(page.locator('.estimate'), literally(`buys 2 shares for ${dollars(2 * price)}; $100.00 stays available`));

    await page.getByRole('button', { name: `Buy ${GAIN_SYM}` }).click();
    const commit = page.getByRole('button', { name: 'Commit buy' });
    await commit.waitFor();
    await expectText(page.locator('.pending-live [role=timer]'), /0:0\d left/);
    // Keyboard users land on Commit right after BUY.
    expect(await isFocused(commit)).toBe(true);
    await expectAccessible(page, 'the buy view with a pending BUY');
    await screenshot(page, 'buy-pending');
    await commit.click();
    await expectText(page.getByRole('status').filter({ hasText: 'Bought' }), literally(`Bought 2 ${GAIN_SYM} at ${dollars(price)}`));
    await expectText(page.locator('.pending .empty'), /No pending buys/);

    // The market moves up 12.50: 2 shares gain 25.00 on the 500.00 paid.
    await moveMarket(GAIN_SYM, price + 12_50);
    await navLink(page, 'Dashboard').click();
    await page.getByRole('button', { name: 'Refresh prices' }).click();
    const row = holdingRow(page, GAIN_SYM);
    await expectText(row.locator('[data-label="Price"]'), literally(dollars(price + 12_50)));
    await expectText(row.locator('[data-label="Value"]'), literally(dollars(2 * (price + 12_50))));
    await expectText(row.locator('[data-label="Cost basis"]'), literally(dollars(2 * price)));
    await expectText(row.locator('[data-label="Unrealized gain"]'), /^gain\s+\+\$25\.00 \(\+5\.00%\)$/);
    await expectText(page.getByTestId('realized-gain'), /^gain\s+\$0\.00$/);
    expect((await serverSummary(opened.user)).holdings[0]?.cost_basis).toBe(wire(2 * price));
    await expectAccessible(page, 'the dashboard with a holding and its gain');
    await screenshot(page, 'gains-after-buy');
    await done();
  });

  test('sell: a cancelled SELL gives the shares back; a partial sell realizes its gain and keeps the cost of the rest', async () => {
    const price = 100_00;
    const salePrice = 103_37;
    await moveMarket(HALF_SYM, price);
    const user = await newUser('e2e', 300_000);
    await holdShares(user, HALF_SYM, 10, price);
    tab = await openTab(browser);
    await signIn(tab, user);
    const { page } = tab;
    await page.goto(`${BASE_URL}/sell`);
    await heading(page, 'Sell stock').waitFor();
    await page.getByLabel('Holding').selectOption(HALF_SYM);
    await expectText(page.locator('.quote-price'), literally(dollars(price)));
    await page.getByLabel('Amount to sell ($)').fill(wire(price));
    await expectText(page.locator('.estimate'), /sells 1 of your 10 shares/);
    await page.getByRole('button', { name: `Sell ${HALF_SYM}` }).click();
    await page.getByRole('button', { name: 'Cancel sell' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'Cancelled' }), new RegExp(`Cancelled the sell of 1 ${HALF_SYM}`));
    await expectText(page.locator('#trade-amount-hint'), new RegExp(`You have 10 shares of ${HALF_SYM} to sell`));

    // The price rises; four shares are sold at it.
    await moveMarket(HALF_SYM, salePrice);
    await page.getByRole('button', { name: 'Refresh quote' }).click();
    await expectText(page.locator('.quote-price'), literally(dollars(salePrice)));
    await page.getByLabel('Amount to sell ($)').fill(wire(4 * salePrice));
    await expectText(page.locator('.estimate'), /sells 4 of your 10 shares/);
    await page.getByRole('button', { name: `Sell ${HALF_SYM}` }).click();
    await page.getByRole('button', { name: 'Commit sell' }).waitFor();
    await screenshot(page, 'sell-pending');
    await page.getByRole('button', { name: 'Commit sell' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'Sold' }), literally(`Sold 4 ${HALF_SYM} at ${dollars(salePrice)}`));
    await expectText(page.locator('#trade-amount-hint'), new RegExp(`You have 6 shares of ${HALF_SYM} to sell`));

    // Average cost: 6 of 10 shares bought for 1,000.00 cost 600.00; 4 sold 3.37 above cost.
    const summary = await serverSummary(user);
    expect(summary.holdings[0]?.cost_basis).toBe(wire(6 * price));
    expect(summary.realized_gain).toBe(wire(4 * (salePrice - price)));
    await navLink(page, 'Dashboard').click();
    const row = holdingRow(page, HALF_SYM);
    await expectText(row.locator('[data-label="Shares"]'), /^6$/);
    await expectText(row.locator('[data-label="Cost basis"]'), literally(dollars(6 * price)));
    await expectText(row.locator('[data-label="Unrealized gain"]'), literally(`+${dollars(6 * (salePrice - price))}`));
    await expectText(page.getByTestId('cost-basis'), literally(dollars(6 * price)));
    await expectText(page.getByTestId('realized-gain'), literally(`+${dollars(4 * (salePrice - price))}`));
    await screenshot(page, 'gains-after-partial-sell');
    await done();
  });

  test('a pending BUY left alone expires when its countdown ends, and its cash comes back', async () => {
    const opened = await userAt(`/buy?sym=${SYM}`, 100_000);
    tab = opened.tab;
    const { page } = opened;
    await expectText(page.locator('.quote-price'), literally(dollars(PRICE)));
    await page.getByLabel('Amount to spend ($)').fill('300');
    await page.getByRole('button', { name: `Buy ${SYM}` }).click();
    await page.getByRole('button', { name: 'Commit buy' }).waitFor();
    await page.locator('.timer-done').waitFor({ timeout: (PENDING_TTL_S + 5) * 1000 });
    await expectText(page.getByRole('status').filter({ hasText: 'expired' }), /expired before it was committed/);
    expect(await page.getByRole('button', { name: 'Commit buy' }).count()).toBe(0);
    await screenshot(page, 'buy-expired');
    await page.locator('.pending .empty').waitFor({ timeout: 5_000 });
    await expectText(page.locator('#trade-amount-hint'), /Available cash: \$1,000\.00/);
    await done();
  });

  test('automatic trading: fired buy and sell triggers count in the cost basis and the realized gain', async () => {
    const price = 200_00;
    const risen = 230_00;
    await moveMarket(FIRE_SYM, price);
    const opened = await userAt('/auto', 200_000);
    tab = opened.tab;
    const { page } = opened;
    await heading(page, 'Automatic trading').waitFor();
    await page.getByLabel('Stock symbol').fill(FIRE_SYM);
    await page.getByRole('button', { name: 'Check price' }).click();
    await expectText(page.locator('.estimate').first(), literally(`${FIRE_SYM} is ${dollars(price)}`));
    await page.getByLabel('Amount to spend ($)').fill('1000');
    await page.getByLabel('Buy when the price is at or below ($)').fill(wire(price + 100));
    await page.getByRole('button', { name: 'Set buy order' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'fired' }), new RegExp(`fired at once: bought 5 ${FIRE_SYM}`));
    await expectText(page.locator('#fired-title').locator('..').locator('..'), /Buy trigger fired/);

    // The price rises to 230.00; a sell order at or above 220.00 fires at once, selling 1 share.
    await moveMarket(FIRE_SYM, risen);
    await page.getByRole('radio', { name: 'Sell' }).check();
    await page.getByLabel('Amount to sell ($)').fill('230.00');
    await page.getByLabel('Sell when the price is at or above ($)').fill('220.00');
    await page.getByRole('button', { name: 'Set sell order' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'fired' }), new RegExp(`fired at once: sold 1 ${FIRE_SYM} at \\$230\\.00`));

    // One that waits: at twice the price.
    await page.getByLabel('Amount to sell ($)').fill(wire(2 * risen));
    await page.getByLabel('Sell when the price is at or above ($)').fill(wire(2 * risen));
    await page.getByRole('button', { name: 'Set sell order' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'Sell order' }), /1 share reserved, sells when/);
    const cancel = page.getByRole('button', { name: `Cancel the sell order for ${FIRE_SYM}` });
    await cancel.waitFor();
    await expectAccessible(page, 'the automatic trading view with orders');
    await screenshot(page, 'auto');

    // 5 bought for 1,000.00 by the trigger, 1 sold by the other: 4 left at 800.00, 30.00 realized.
    const summary = await serverSummary(opened.user);
    expect(summary.holdings[0]?.cost_basis).toBe('800.00');
    expect(summary.realized_gain).toBe('30.00');
    await navLink(page, 'Dashboard').click();
    await page.getByRole('button', { name: 'Refresh prices' }).click();
    const row = holdingRow(page, FIRE_SYM);
    await expectText(row.locator('[data-label="Shares"]'), /^4 \(1 reserved to sell\)$/);
    await expectText(row.locator('[data-label="Cost basis"]'), literally('$800.00'));
    await expectText(row.locator('[data-label="Unrealized gain"]'), literally('+$120.00 (+15.00%)'));
    await expectText(page.getByTestId('realized-gain'), literally('+$30.00'));
    await screenshot(page, 'gains-after-triggers');

    await navLink(page, 'Automatic').click();
    await cancel.click();
    await expectText(page.getByRole('status').filter({ hasText: 'Cancelled the sell order' }), new RegExp(FIRE_SYM));
    await page.locator('#orders-SELL ~ .empty').waitFor();
    await done();
  });

  test('history: filters and pages work, fired orders are listed, the log downloads', async () => {
    const user = await newUser('e2e', 100_000);
    for (const cents of [10_000, 20_000, 30_000]) await user.ok('/user_utils/add', { amount: wire(cents) });
    await holdShares(user, SYM, 1);
    await holdShares(user, SYM, 1);
    await user.ok('/buy/set_buy_amount', { sym: TRIGGER_SYM, amount: '500.00' });
    await user.ok('/buy/set_buy_trigger', { sym: TRIGGER_SYM, amount: wire(TRIGGER_PRICE) });
    tab = await openTab(browser);
    await signIn(tab, user);
    const { page } = tab;
    await page.goto(`${BASE_URL}/history`);
    await heading(page, 'History').waitFor();
    const table = page.locator('table');
    await expectText(table, /Buy trigger fired/);
    await expectText(page.locator('.pager'), /Page 1 of 2/);
    await expectAccessible(page, 'the history view');
    await screenshot(page, 'history');
    await page.getByRole('button', { name: 'Next page' }).click();
    await expectText(page.locator('.pager'), /Page 2 of 2/);
    await expectText(table, /Funds added/);

    await page.getByLabel('What').selectOption({ label: 'Buy trigger fired' });
    await expectText(table.locator('caption'), /Transactions 1–1 of 1 \(filtered/);
    await page.getByLabel('What').selectOption('');
    await page.getByLabel('Symbol').selectOption(TRIGGER_SYM);
    await expectText(table, /Buy trigger fired/);
    expect(await table.locator('tbody tr').count()).toBe(3); // amount set, trigger set, fired

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download my log' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(new RegExp(`dts-${user.username}-.*\\.xml`));
    const xml = fs.readFileSync(await download.path(), 'utf8');
    expect(xml).toMatch(/<log>/);
    expect(xml).toContain(`<username>${user.username}</username>`);
    await expectText(page.getByRole('status').filter({ hasText: 'downloaded' }), /Your log was downloaded/);
    await done();
  });

  test('deep links open their view on the first load, and back and forward move between views', async () => {
    const user = await newUser('e2e', 100_000);
    await holdShares(user, SYM, 2);

    // Logged out, a link asks to log in first, then opens what it names.
    tab = await openTab(browser);
    const { page } = tab;
    await page.goto(`${BASE_URL}/buy?sym=${SYM.toLowerCase()}`);
    await heading(page, 'Log in to DTS').waitFor();
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await heading(page, 'Buy stock').waitFor();
    await expectText(page.locator('.quote-price'), literally(dollars(PRICE)));
    expect(await page.getByLabel('Stock symbol').inputValue()).toBe(SYM);

    // Logged in, straight to the view, as a bookmark or a reload would.
    await page.goto(`${BASE_URL}/sell?sym=${SYM}`);
    await heading(page, 'Sell stock').waitFor();
    await expectText(page.locator('.quote-price'), literally(dollars(PRICE)));
    expect(await page.getByLabel('Holding').inputValue()).toBe(SYM);
    await page.goto(`${BASE_URL}/history`);
    await heading(page, 'History').waitFor();
    await page.goto(`${BASE_URL}/no/such/view`);
    await heading(page, 'Page not found').waitFor();
    await expectAccessible(page, 'the not-found view');

    // Back and forward, through views opened by links.
    await navLink(page, 'Dashboard').click();
    await heading(page, 'Dashboard').waitFor();
    await holdingRow(page, SYM).getByRole('link', { name: `Sell ${SYM}` }).click();
    await heading(page, 'Sell stock').waitFor();
    expect(new URL(page.url()).search).toBe(`?sym=${SYM}`);
    await navLink(page, 'Automatic').click();
    await heading(page, 'Automatic trading').waitFor();

    await page.goBack();
    await heading(page, 'Sell stock').waitFor();
    expect(await page.getByLabel('Holding').inputValue()).toBe(SYM);
    expect(await isFocused(heading(page, 'Sell stock'))).toBe(true);
    await page.goBack();
    await heading(page, 'Dashboard').waitFor();
    await page.goBack();
    await heading(page, 'Page not found').waitFor();
    await page.goForward();
    await heading(page, 'Dashboard').waitFor();
    await page.goForward();
    await heading(page, 'Sell stock').waitFor();
    expect(new URL(page.url()).pathname).toBe('/sell');
    await done();
  });

  test('keyboard only: register, add funds, buy and commit, sell and cancel, set and cancel an order, filter the history, log out and in', async () => {
    const username = uniqueName('keys');
    tab = await openTab(browser);
    const { page } = tab;
    const press = (key: string) => page.keyboard.press(key);
    const type = (text: string) => page.keyboard.type(text);

    await page.goto(`${BASE_URL}/register`);
    await heading(page, 'Create your DTS account').waitFor();
    await tabTo(page, page.getByLabel('Username'));
    await type(username);
    await tabTo(page, page.getByLabel('Password', { exact: true }));
    await type(PASSWORD);
    await tabTo(page, page.getByLabel('Show password'));
    await press('Space');
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('type')).toBe('text');
    await tabTo(page, page.getByRole('button', { name: 'Create account' }));
    await press('Enter');
    await heading(page, 'Dashboard').waitFor();

    await tabTo(page, page.getByRole('link', { name: 'Skip to content' }));
    await tabTo(page, page.getByLabel('Add funds ($)'));
    await type('2000');
    await press('Enter');
    await expectText(page.getByTestId('funds'), /^\$2,000\.00$/);

    await tabTo(page, navLink(page, 'Buy'));
    await press('Enter');
    await heading(page, 'Buy stock').waitFor();
    expect(await isFocused(heading(page, 'Buy stock'))).toBe(true);
    await tabTo(page, page.getByLabel('Stock symbol'));
    await type(SYM);
    await press('Enter'); // Get quote
    await expectText(page.locator('.quote-price'), literally(dollars(PRICE)));
    await tabTo(page, page.getByLabel('Amount to spend ($)'));
    await type('600');
    await press('Enter'); // Buy
    const commit = page.getByRole('button', { name: 'Commit buy' });
    await commit.waitFor();
    await expect.poll(() => isFocused(commit)).toBe(true);
    await press('Enter');
    await expectText(page.getByRole('status').filter({ hasText: 'Bought' }), /Bought 2 ABC/);

    await tabTo(page, navLink(page, 'Sell'));
    await press('Enter');
    await heading(page, 'Sell stock').waitFor();
    await tabTo(page, page.getByLabel('Holding'));
    await press('ArrowDown');
    await expect.poll(() => page.getByLabel('Holding').inputValue()).toBe(SYM);
    await tabTo(page, page.getByLabel('Amount to sell ($)'));
    await type('300');
    await press('Enter'); // Sell
    await page.getByRole('button', { name: 'Commit sell' }).waitFor();
    await tabTo(page, page.getByRole('button', { name: 'Cancel sell' }));
    await press('Enter');
    await expectText(page.getByRole('status').filter({ hasText: 'Cancelled' }), /Cancelled the sell of 1 ABC/);

    await tabTo(page, navLink(page, 'Automatic'));
    await press('Enter');
    await heading(page, 'Automatic trading').waitFor();
    await tabTo(page, page.getByRole('radio', { name: 'Buy' }));
    await press('ArrowRight');
    expect(await page.getByRole('radio', { name: 'Sell' }).isChecked()).toBe(true);
    await press('ArrowLeft');
    expect(await page.getByRole('radio', { name: 'Buy' }).isChecked()).toBe(true);
    await tabTo(page, page.getByLabel('Stock symbol'));
    await type('XYZ');
    await tabTo(page, page.getByLabel('Amount to spend ($)'));
    await type('100');
    await tabTo(page, page.getByLabel('Buy when the price is at or below ($)'));
    await type('1.00');
    await press('Enter');
    await expectText(page.getByRole('status').filter({ hasText: 'Buy order' }), /Buy order for XYZ set/);
    await tabTo(page, page.getByRole('button', { name: 'Cancel the buy order for XYZ' }));
    await press('Enter');
    await expectText(page.getByRole('status').filter({ hasText: 'Cancelled the buy order' }), /\$100\.00 is available again/);

    await tabTo(page, navLink(page, 'History'));
    await press('Enter');
    await heading(page, 'History').waitFor();
    await expectText(page.locator('table caption'), /^Transactions 1–\d+ of \d+$/); // loaded: the filters have their options
    await tabTo(page, page.getByLabel('What'));
    await page.getByLabel('What').press('ArrowDown');
    await expectText(page.locator('table caption'), /filtered/);

    await tabTo(page, page.getByRole('button', { name: 'Log out' }));
    await press('Enter');
    await heading(page, 'Log in to DTS').waitFor();
    await tabTo(page, page.getByLabel('Username'));
    await type(username);
    await tabTo(page, page.getByLabel('Password', { exact: true }));
    await type(PASSWORD);
    await press('Enter');
    await heading(page, 'Dashboard').waitFor();
    await expectText(page.getByTestId('funds'), literally(dollars(2000_00 - 2 * PRICE)));
    await done();
  });

  test('accessibility: no serious or critical axe violation on any view, with data, at desktop and phone widths', async () => {
    const user = await newUser('e2e', 300_000);
    await holdShares(user, SYM, 3);
    await user.ok('/sell/set_sell_amount', { sym: SYM, amount: wire(2 * PRICE) });
    await user.ok('/sell/set_sell_trigger', { sym: SYM, amount: wire(2 * PRICE) });
    await user.ok('/buy/set_buy_amount', { sym: 'XYZ', amount: '100.00' });
    await user.ok('/buy/buy', { sym: SYM, amount: wire(PRICE) });
    for (const viewport of [undefined, PHONE]) {
      tab = await openTab(browser, viewport);
      await signIn(tab, user);
      const { page } = tab;
      for (const [path, title] of [
        ['/', 'Dashboard'],
        [`/buy?sym=${SYM}`, 'Buy stock'],
        [`/sell?sym=${SYM}`, 'Sell stock'],
        ['/auto', 'Automatic trading'],
        ['/history', 'History'],
      ] as const) {
        await page.goto(`${BASE_URL}${path}`);
        await heading(page, title).waitFor();
        await page.locator('[aria-busy="true"]').waitFor({ state: 'detached' });
        if (path.includes('sym=')) await page.locator('.quote-price').waitFor();
        await expectAccessible(page, `${title} at ${viewport ? 'phone' : 'desktop'} width`);
      }
      await done();
    }
  });

  test('phone width: every view fits the screen, cost basis and gains included', async () => {
    // 5 bought at 100.00; the market rises to 110.00 and 2 are sold: 20.00 realized, 30.00 not yet.
    const user = await newUser('e2e', 300_000);
    await moveMarket(PHONE_SYM, 100_00);
    await holdShares(user, PHONE_SYM, 5, 100_00);
    await moveMarket(PHONE_SYM, 110_00);
    await user.ok('/sell/sell', { sym: PHONE_SYM, amount: '220.00' });
    await user.ok('/sell/commit_sell');
    await user.ok('/buy/set_buy_amount', { sym: TRIGGER_SYM, amount: '700.00' });
    await user.ok('/buy/set_buy_trigger', { sym: TRIGGER_SYM, amount: wire(TRIGGER_PRICE) });
    tab = await openTab(browser, PHONE);
    await signIn(tab, user);
    const { page } = tab;
    await page.goto(`${BASE_URL}/`);
    const views = [
      ['Dashboard', 'Dashboard', 'dashboard'],
      ['Buy', 'Buy stock', 'buy'],
      ['Sell', 'Sell stock', 'sell'],
      ['Automatic', 'Automatic trading', 'auto'],
      ['History', 'History', 'history'],
    ] as const;
    for (const [link, title, name] of views) {
      await navLink(page, link).click();
      await heading(page, title).waitFor();
      if (name === 'dashboard') {
        const row = holdingRow(page, PHONE_SYM);
        await expectText(row.locator('[data-label="Cost basis"]'), literally('$300.00'));
        await expectText(row.locator('[data-label="Unrealized gain"]'), literally('+$30.00 (+10.00%)'));
        await expectText(holdingRow(page, TRIGGER_SYM).locator('[data-label="Cost basis"]'), literally(dollars(2 * TRIGGER_PRICE)));
        await expectText(page.getByTestId('realized-gain'), literally('+$20.00'));
      }
      if (name === 'buy') {
        await page.getByLabel('Stock symbol').fill(SYM);
        await page.getByRole('button', { name: 'Get quote' }).click();
        await page.locator('.quote-price').waitFor();
        await page.getByLabel('Amount to spend ($)').fill('300');
        await page.getByRole('button', { name: `Buy ${SYM}` }).click();
        await page.getByRole('button', { name: 'Commit buy' }).waitFor();
      }
      if (name === 'sell') {
        await page.getByLabel('Holding').selectOption(PHONE_SYM);
        await page.locator('.quote-price').waitFor();
      }
      await page.waitForTimeout(150);
      await screenshot(page, name);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name} is wider than the phone screen`).toBeLessThanOrEqual(0);
      if (name === 'buy') await page.getByRole('button', { name: 'Cancel buy' }).click();
    }
    await page.getByRole('button', { name: 'Log out' }).click();
    await heading(page, 'Log in to DTS').waitFor();
    await screenshot(page, 'login');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Username').fill('has space');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#password-error').waitFor();
    await screenshot(page, 'register-errors');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, 'the register view is wider than the phone screen').toBeLessThanOrEqual(0);
    await done();
  });

  test('the session survives a reload; a refused token sends you back to log in', async () => {
    const opened = await userAt('/');
    tab = opened.tab;
    const { page, user } = opened;
    await heading(page, 'Dashboard').waitFor();
    await page.reload();
    await heading(page, 'Dashboard').waitFor();
    await expectText(page.locator('.user-name'), new RegExp(user.username));

    await page.evaluate(() => {
      const session = JSON.parse(localStorage.getItem('dts.session') ?? '{}') as object;
      localStorage.setItem('dts.session', JSON.stringify({ ...session, token: 'not-a-valid-token' }));
    });
    await page.reload();
    await heading(page, 'Log in to DTS').waitFor();
    await expectText(page.getByRole('status').first(), /session has ended/i);
    await screenshot(page, 'session-ended');

    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expectText(page.getByRole('alert'), /Wrong username or password/);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await heading(page, 'Dashboard').waitFor();
    await done();
  });

  test('log out: back at the login view, and a reload stays logged out', async () => {
    const opened = await userAt('/');
    tab = opened.tab;
    const { page } = opened;
    await heading(page, 'Dashboard').waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await heading(page, 'Log in to DTS').waitFor();
    await expectText(page.getByRole('status').first(), /You are logged out/);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.reload();
    await heading(page, 'Log in to DTS').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('dts.session'))).toBeNull();
    await done();
  });
});
