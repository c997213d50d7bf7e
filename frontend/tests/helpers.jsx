/** A fake API (every command a vi.fn with a plausible reply) and the app rendered around it. */

import { render } from '@testing-library/react';
import { vi } from 'vitest';
import { ApiError } from '../src/api/errors.js';
import { App } from '../src/App.jsx';

export const USER = 'alice';

export function summary(overrides = {}) {
  return {
    ok: true,
    username: USER,
    funds: '1000.00',
    reserved: '0.00',
    holdings: [],
    pending_buys: [],
    pending_sells: [],
    buy_triggers: [],
    sell_triggers: [],
    transactions: [],
    ...overrides,
  };
}

export function pending(overrides = {}) {
  return {
    sym: 'ABC',
    shares: 2,
    price: '263.46',
    amount: '526.92',
    expires_at: Date.now() + 60_000,
    seconds_left: 60,
    trxNum: 7,
    ...overrides,
  };
}

export function refused(message, code, status = 409) {
  return new ApiError(message, { code, status });
}

export function fakeApi(overrides = {}) {
  return {
    register: vi.fn(async (username) => ({ ok: true, username, token: 'tok' })),
    login: vi.fn(async (username) => ({ ok: true, username, token: 'tok' })),
    summary: vi.fn(async () => summary()),
    recentTransactions: vi.fn(async () => ({ ok: true, transactions: [] })),
    addFunds: vi.fn(async () => ({ ok: true, funds: '1000.00' })),
    quote: vi.fn(async (sym) => ({
      ok: true,
      sym,
      price: '263.46',
      quoteServerTime: Date.now() - 3_000,
      cryptokey: 'k',
      cached: false,
    })),
    dumplog: vi.fn(async () => ({ blob: new Blob(['<log/>']), filename: 'mine.xml' })),
    startTrade: vi.fn(async (side, sym) => ({ ok: true, pending: pending({ sym }) })),
    commitTrade: vi.fn(async () => ({ ok: true, trade: pending() })),
    cancelTrade: vi.fn(async () => ({ ok: true, trade: pending() })),
    setAmount: vi.fn(async (side, sym) => ({
      ok: true,
      order: { sym, amount: '500.00', trigger: null, reserved_shares: 0 },
    })),
    setTrigger: vi.fn(async (side, sym) => ({
      ok: true,
      order: { sym, amount: '500.00', trigger: '40.00', reserved_shares: 0 },
      fired: null,
    })),
    cancelOrder: vi.fn(async (side, sym) => ({
      ok: true,
      order: { sym, amount: '500.00', trigger: '40.00', reserved_shares: 0 },
    })),
    ...overrides,
  };
}

/** The whole app at `path`, logged in as alice unless `session` says otherwise. */
export function renderApp({ api = fakeApi(), path = '/', session = { username: USER, token: 'tok' } } = {}) {
  window.history.replaceState(null, '', path);
  const result = render(<App api={api} initialSession={session} />);
  return { api, ...result };
}
