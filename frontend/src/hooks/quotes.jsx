/**
 * Quotes the user has asked for: the latest per symbol in memory, and every distinct one in
 * localStorage (per user) for the price chart. A fresh quote can fire the user's triggers for
 * its symbol, so the account is refreshed when one arrives for a symbol with an order.
 */

import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { addQuote } from '../lib/quoteHistory.js';
import { readJson, writeJson } from '../lib/storage.js';
import { useAccount } from './account.jsx';
import { useSession } from './session.jsx';

const QuoteContext = createContext(null);
const historyKey = (username) => `dts.quotes.${username}`;

export function QuoteProvider({ children }) {
  const { api, username } = useSession();
  const { summary, refresh } = useAccount();
  const [latest, setLatest] = useState({});
  const [history, setHistory] = useState(() => readJson(historyKey(username), {}));

  useEffect(() => {
    writeJson(historyKey(username), history);
  }, [username, history]);

  const hasOrder = useCallback(
    (sym) =>
      [...(summary?.buy_triggers ?? []), ...(summary?.sell_triggers ?? [])].some(
        (order) => order.sym === sym && order.trigger !== null,
      ),
    [summary],
  );

  const getQuote = useCallback(
    async (sym) => {
      const reply = await api.quote(sym);
      const quote = {
        sym: reply.sym,
        price: reply.price,
        quoteServerTime: reply.quoteServerTime,
        cached: Boolean(reply.cached),
        receivedAt: Date.now(),
      };
      setLatest((prev) => ({ ...prev, [quote.sym]: quote }));
      setHistory((prev) => addQuote(prev, quote));
      if (!quote.cached && hasOrder(quote.sym)) refresh();
      return quote;
    },
    [api, hasOrder, refresh],
  );

  const value = useMemo(() => ({ latest, history, getQuote }), [latest, history, getQuote]);
  return <QuoteContext.Provider value={value}>{children}</QuoteContext.Provider>;
}

export function useQuotes() {
  const value = useContext(QuoteContext);
  if (!value) throw new Error('useQuotes needs a QuoteProvider');
  return value;
}
