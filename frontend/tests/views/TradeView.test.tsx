import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { expect, test, vi } from 'vitest';
import type { PendingTrade, Side } from '../../src/api/types';
import { fakeApi, holding, pending, refused, renderApp, summary, type FakeApi } from '../helpers';

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

/** An API whose summary shows `pendingBuys` once a BUY was started. */
function buyingApi(extra: { secondsLeft?: number; overrides?: Partial<FakeApi> } = {}) {
  let pendingBuys: PendingTrade[] = [];
  const api = fakeApi({
    summary: vi.fn(async () => summary({ pending_buys: pendingBuys })),
    startTrade: vi.fn(async (_side: Side, sym: string) => {
      const started = pending({ sym, seconds_left: extra.secondsLeft ?? 60 });
      pendingBuys = [started];
      return { ok: true as const, message: 'pending', pending: started };
    }),
    commitTrade: vi.fn(async () => {
      const trade = pendingBuys[0] ?? pending();
      pendingBuys = [];
      return { ok: true as const, message: 'done', trade };
    }),
    ...extra.overrides,
  });
  return api;
}

test('buy: the quote with its freshness, the shares an amount buys, then BUY and commit', async () => {
  const api = buyingApi();
  renderApp({ api, path: '/buy' });
  await screen.findByRole('heading', { name: 'Buy stock' });
  type('Stock symbol', 'abc');
  fireEvent.click(screen.getByRole('button', { name: 'Get quote' }));
  const quote = await screen.findByRole('region', { name: 'Quote for ABC' });
  expect(within(quote).getByText('$263.46')).toBeTruthy();
  expect(within(quote).getByText(/fresh from the quote server/)).toBeTruthy();
  expect(within(quote).getByText(/\(3 s ago\)/)).toBeTruthy();
  expect(api.quote).toHaveBeenCalledWith('ABC');

  type('Amount to spend ($)', '600');
  expect(screen.getByText('At $263.46 a share, $600.00 buys 2 shares for $526.92; $73.08 stays available.')).toBeTruthy();
  fireEvent.click(screen.getByRole('button', { name: 'Buy ABC' }));
  const commit = await screen.findByRole('button', { name: 'Commit buy' });
  expect(api.startTrade).toHaveBeenCalledWith('BUY', 'ABC', 60000n);
  expect(screen.getByRole('timer').textContent).toMatch(/^(1:00|0:59) left$/);
  await waitFor(() => expect(document.activeElement).toBe(commit));

  fireEvent.click(commit);
  expect(await screen.findByText('Bought 2 ABC at $263.46 ($526.92).')).toBeTruthy();
  expect(api.commitTrade).toHaveBeenCalledWith('BUY');
  expect(await screen.findByText('No pending buys.')).toBeTruthy();
});

test('buy: a missing symbol or a bad amount is said at its field; a refusal under the button', async () => {
  const api = buyingApi({
    overrides: {
      startTrade: vi.fn(async () => {
        throw refused('Insufficient funds: 5000.00 needed, 1000.00 available.', 'INSUFFICIENT_FUNDS');
      }),
    },
  });
  renderApp({ api, path: '/buy' });
  await screen.findByRole('heading', { name: 'Buy stock' });
  fireEvent.click(screen.getByRole('button', { name: 'Buy' }));
  expect(screen.getByText('Enter a stock symbol, like ABC.')).toBeTruthy();
  type('Stock symbol', 'ABC');
  type('Amount to spend ($)', '0');
  fireEvent.click(screen.getByRole('button', { name: 'Buy ABC' }));
  expect(screen.getByText('The amount to spend must be more than $0.00.')).toBeTruthy();
  expect(api.startTrade).not.toHaveBeenCalled();
  type('Amount to spend ($)', '5000');
  const asked = api.summary.mock.calls.length;
  fireEvent.click(screen.getByRole('button', { name: 'Buy ABC' }));
  expect((await screen.findByRole('alert')).textContent).toMatch('Insufficient funds: 5000.00 needed, 1000.00 available.');
  // refused or not, a command is followed by a fresh look at the account
  await waitFor(() => expect(api.summary.mock.calls.length).toBe(asked + 1));
});

test('a commit refused because the window closed is said next to that trade', async () => {
  const api = buyingApi({
    overrides: {
      commitTrade: vi.fn(async () => {
        throw refused('Your pending BUY expired before it was committed.', 'EXPIRED');
      }),
    },
  });
  renderApp({ api, path: '/buy?sym=ABC' });
  await screen.findByRole('region', { name: 'Quote for ABC' });
  type('Amount to spend ($)', '300');
  fireEvent.click(screen.getByRole('button', { name: 'Buy ABC' }));
  fireEvent.click(await screen.findByRole('button', { name: 'Commit buy' }));
  const item = (await screen.findByRole('alert')).closest('li');
  expect(item?.textContent).toMatch(/BUY 2 ABC.*Your pending BUY expired before it was committed\./);
});

test('a pending trade left alone counts down to Expired, loses its buttons and says so', async () => {
  const api = buyingApi({ secondsLeft: 1 });
  renderApp({ api, path: '/buy?sym=ABC' });
  await screen.findByRole('region', { name: 'Quote for ABC' });
  type('Amount to spend ($)', '300');
  fireEvent.click(screen.getByRole('button', { name: 'Buy ABC' }));
  await screen.findByRole('button', { name: 'Commit buy' });
  expect(await screen.findByText('Expired', {}, { timeout: 3000 })).toBeTruthy();
  expect(screen.queryByRole('button', { name: 'Commit buy' })).toBeNull();
  expect(await screen.findByText(/The buy of 2 ABC expired before it was committed: \$526\.92 is available again\./)).toBeTruthy();
});

test('sell: pick a holding, see what the amount sells, and a warning past what you hold', async () => {
  const api = fakeApi({
    summary: vi.fn(async () => summary({ holdings: [holding({ sym: 'ABC', shares: 2 })] })),
  });
  renderApp({ api, path: '/sell' });
  fireEvent.change(await screen.findByLabelText('Holding'), { target: { value: 'ABC' } });
  await screen.findByRole('region', { name: 'Quote for ABC' });
  type('Amount to sell ($)', '300');
  expect(screen.getByText('At $263.46 a share, $300.00 sells 1 of your 2 shares for $263.46.')).toBeTruthy();
  type('Amount to sell ($)', '1000');
  expect(screen.getByText(/That is 3 shares, but you have 2 shares to sell: at most \$526\.92/)).toBeTruthy();
  type('Amount to sell ($)', '300');
  fireEvent.click(screen.getByRole('button', { name: 'Sell ABC' }));
  await waitFor(() => expect(api.startTrade).toHaveBeenCalledWith('SELL', 'ABC', 30000n));
});

test('sell with nothing held points to buying first', async () => {
  renderApp({ path: '/sell' });
  expect(await screen.findByText(/You hold no shares to sell/)).toBeTruthy();
  expect(screen.getByRole('link', { name: 'Buy some first' })).toBeTruthy();
});
