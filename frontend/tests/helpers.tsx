/** A fake API (every command a vi.fn with a plausible reply) and the app rendered around it. */

import { render } from '@testing-library/react';
import { vi, type Mock } from 'vitest';
import type { DtsApi } from '../src/api/dts';
import { ApiError } from '../src/api/errors';
import type { Holding, Order, PendingTrade, Side, Summary } from '../src/api/types';
import { App } from '../src/App';
import type { Session } from '../src/providers/SessionProvider';

export const USER = 'alice';

export type FakeApi = { [K in keyof DtsApi]: Mock<DtsApi[K]> };

export function summary(overrides: Partial<Summary> = {}): Summary {
  return {
    ok: true,
    message: 'summary',
    username: USER,
    funds: '1000.00',
    reserved: '0.00',
    holdings: [],
    realized_gain: '0.00',
    pending_buys: [],
    pending_sells: [],
    buy_triggers: [],
    sell_triggers: [],
    transactions: [],
    ...overrides,
  };
}

export function holding(overrides: Partial<Holding> = {}): Holding {
  return { sym: 'ABC', shares: 2, reserved_shares: 0, cost_basis: '526.92', ...overrides };
}

export function pending(overrides: Partial<PendingTrade> = {}): PendingTrade {
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

export function order(overrides: Partial<Order> = {}): Order {
  return { sym: 'ABC', amount: '500.00', trigger: '40.00', reserved_shares: 0, ...overrides };
}

export function refused(message: string, code: string, status = 409): ApiError {
  return new ApiError(message, { code, status });
}

export function fakeApi(overrides: Partial<FakeApi> = {}): FakeApi {
  return {
    register: vi.fn(async (username: string) => ({ ok: true as const, message: 'hi', username, token: 'tok' })),
    login: vi.fn(async (username: string) => ({ ok: true as const, message: 'hi', username, token: 'tok' })),
    summary: vi.fn(async () => summary()),
    recentTransactions: vi.fn(async () => ({ ok: true as const, message: 'recent', transactions: [] })),
    addFunds: vi.fn(async () => ({ ok: true as const, message: 'added', funds: '1000.00' })),
    quote: vi.fn(async (sym: string) => ({
      ok: true as const,
      message: 'quote',
      sym,
      price: '263.46',
      quoteServerTime: Date.now() - 3_000,
      cryptokey: 'k',
      cached: false,
    })),
    dumplog: vi.fn(async () => ({ blob: new Blob(['<log/>']), filename: 'mine.xml' })),
    startTrade: vi.fn(async (_side: Side, sym: string) => ({ ok: true as const, message: 'pending', pending: pending({ sym }) })),
    commitTrade: vi.fn(async () => ({ ok: true as const, message: 'done', trade: pending() })),
    cancelTrade: vi.fn(async () => ({ ok: true as const, message: 'done', trade: pending() })),
    setAmount: vi.fn(async (_side: Side, sym: string) => ({
      ok: true as const,
      message: 'set',
      order: order({ sym, trigger: null }),
    })),
    setTrigger: vi.fn(async (_side: Side, sym: string) => ({
      ok: true as const,
      message: 'set',
      order: order({ sym }),
      fired: null,
    })),
    cancelOrder: vi.fn(async (_side: Side, sym: string) => ({ ok: true as const, message: 'cancelled', order: order({ sym }) })),
    ...overrides,
  };
}

interface RenderOptions {
  api?: FakeApi;
  path?: string;
  session?: Session | null;
}

/** The whole app at `path`, logged in as alice unless `session` says otherwise. */
export function renderApp({ api = fakeApi(), path = '/', session = { username: USER, token: 'tok' } }: RenderOptions = {}) {
  window.history.replaceState(null, '', path);
  const result = render(<App api={api} initialSession={session} />);
  return { api, ...result };
}
