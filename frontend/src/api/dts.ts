/**
 * The DTS commands, one function each, over the one client. A user's token acts for the user,
 * so no body names a username. Amounts and prices go out as dollar strings with 2 decimals.
 * Buy and sell are the same six commands on two prefixes, written once (`side` is BUY or SELL).
 */

import { toWire } from '../lib/money';
import type { ApiClient } from './client';
import type { Side } from './types';

const PATHS = {
  BUY: {
    start: '/buy/buy',
    commit: '/buy/commit_buy',
    cancel: '/buy/cancel_buy',
    setAmount: '/buy/set_buy_amount',
    setTrigger: '/buy/set_buy_trigger',
    cancelOrder: '/buy/cancel_set_buy',
  },
  SELL: {
    start: '/sell/sell',
    commit: '/sell/commit_sell',
    cancel: '/sell/cancel_sell',
    setAmount: '/sell/set_sell_amount',
    setTrigger: '/sell/set_sell_trigger',
    cancelOrder: '/sell/cancel_set_sell',
  },
} as const;

export function dtsApi(client: ApiClient) {
  return {
    register: (username: string, password: string) => client.post('/auth/register', { username, password }),
    login: (username: string, password: string) => client.post('/auth/login', { username, password }),

    summary: () => client.post('/user_utils/display_summary', {}),
    recentTransactions: (limit = 20) => client.post('/user_utils/recent_transactions', { limit }),
    addFunds: (amountCents: bigint) => client.post('/user_utils/add', { amount: toWire(amountCents) }),
    quote: (sym: string) => client.post('/user_utils/quote', { sym }),
    dumplog: (filename: string) => client.download('/user_utils/dumplog', { filename }),

    startTrade: (side: Side, sym: string, amountCents: bigint) =>
      client.post(PATHS[side].start, { sym, amount: toWire(amountCents) }),
    commitTrade: (side: Side) => client.post(PATHS[side].commit, {}),
    cancelTrade: (side: Side) => client.post(PATHS[side].cancel, {}),

    setAmount: (side: Side, sym: string, amountCents: bigint) =>
      client.post(PATHS[side].setAmount, { sym, amount: toWire(amountCents) }),
    setTrigger: (side: Side, sym: string, priceCents: bigint) =>
      client.post(PATHS[side].setTrigger, { sym, amount: toWire(priceCents) }),
    cancelOrder: (side: Side, sym: string) => client.post(PATHS[side].cancelOrder, { sym }),
  };
}

/** The commands the UI uses: the real ones above, or a test's fake of the same shape. */
export type DtsApi = ReturnType<typeof dtsApi>;
