/**
 * The DTS commands, one function each, over the one client. A user's token acts for the user,
 * so no body names a username. Amounts and prices go out as dollar strings with 2 decimals.
 * Buy and sell are the same six commands on two prefixes, written once (`side` is BUY or SELL).
 */

import { toWire } from '../lib/money.js';

const PREFIX = { BUY: 'buy', SELL: 'sell' };

export function dtsApi(client) {
  const side = (s) => {
    const word = PREFIX[s];
    if (!word) throw new Error(`unknown side ${s}`);
    return word;
  };
  return {
    register: (username, password) => client.post('/auth/register', { username, password }),
    login: (username, password) => client.post('/auth/login', { username, password }),

    summary: () => client.post('/user_utils/display_summary', {}),
    recentTransactions: (limit = 20) => client.post('/user_utils/recent_transactions', { limit }),
    addFunds: (amountCents) => client.post('/user_utils/add', { amount: toWire(amountCents) }),
    quote: (sym) => client.post('/user_utils/quote', { sym }),
    dumplog: (filename) => client.download('/user_utils/dumplog', { filename }),

    startTrade: (s, sym, amountCents) =>
      client.post(`/${side(s)}/${side(s)}`, { sym, amount: toWire(amountCents) }),
    commitTrade: (s) => client.post(`/${side(s)}/commit_${side(s)}`, {}),
    cancelTrade: (s) => client.post(`/${side(s)}/cancel_${side(s)}`, {}),

    setAmount: (s, sym, amountCents) =>
      client.post(`/${side(s)}/set_${side(s)}_amount`, { sym, amount: toWire(amountCents) }),
    setTrigger: (s, sym, priceCents) =>
      client.post(`/${side(s)}/set_${side(s)}_trigger`, { sym, amount: toWire(priceCents) }),
    cancelOrder: (s, sym) => client.post(`/${side(s)}/cancel_set_${side(s)}`, { sym }),
  };
}
