/**
 * Every distinct quote the user has seen, per symbol, for the price chart: in memory, and in
 * localStorage per user so that the chart survives a reload.
 */

import { createContext, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Quote } from '../api/types';
import { addQuote, type QuoteHistory } from '../lib/quoteHistory';
import { readJson, writeJson } from '../lib/storage';

export interface QuoteHistoryValue {
  history: QuoteHistory;
  record: (quote: Quote) => void;
}

export const QuoteHistoryContext = createContext<QuoteHistoryValue | null>(null);

const historyKey = (username: string) => `dts.quotes.${username}`;

export function QuoteHistoryProvider({ username, children }: { username: string; children: ReactNode }) {
  const [history, setHistory] = useState<QuoteHistory>(() => readJson(historyKey(username), {}));

  useEffect(() => {
    writeJson(historyKey(username), history);
  }, [username, history]);

  const record = useCallback((quote: Quote) => setHistory((prev) => addQuote(prev, quote)), []);
  const value = useMemo(() => ({ history, record }), [history, record]);
  return <QuoteHistoryContext.Provider value={value}>{children}</QuoteHistoryContext.Provider>;
}
