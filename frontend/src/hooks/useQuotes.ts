/**
 * Quotes: each symbol's latest in the query cache (a view asks for the symbols it shows; a quote
 * younger than QUOTE_STALE_MS is shown as it is), every distinct one in the history for the chart.
 * A fresh quote can fire the user's triggers for its symbol, so the account is asked again when
 * one arrives for a symbol with a trigger.
 */

import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useContext } from 'react';
import type { Quote, Summary } from '../api/types';
import { QuoteHistoryContext, type QuoteHistoryValue } from '../providers/QuoteHistoryProvider';
import { queryKeys } from './queryKeys';
import { useSignedIn } from './useSession';

const QUOTE_STALE_MS = 30_000;

export function useQuoteHistory(): QuoteHistoryValue {
  const value = useContext(QuoteHistoryContext);
  if (!value) throw new Error('useQuoteHistory needs a QuoteHistoryProvider');
  return value;
}

function hasTrigger(summary: Summary | undefined, sym: string): boolean {
  return [...(summary?.buy_triggers ?? []), ...(summary?.sell_triggers ?? [])].some(
    (order) => order.sym === sym && order.trigger !== null,
  );
}

/** QUOTE one symbol: recorded in the history, and the account asked again if it may have fired. */
function useFetchQuote(): (sym: string) => Promise<Quote> {
  const { api, username } = useSignedIn();
  const { record } = useQuoteHistory();
  const queryClient = useQueryClient();
  return useCallback(
    async (sym: string) => {
      const reply = await api.quote(sym);
      const quote: Quote = {
        sym: reply.sym,
        price: reply.price,
        quoteServerTime: reply.quoteServerTime,
        cached: Boolean(reply.cached),
        receivedAt: Date.now(),
      };
      record(quote);
      if (!quote.cached && hasTrigger(queryClient.getQueryData(queryKeys.summary(username)), quote.sym)) {
        void queryClient.invalidateQueries({ queryKey: queryKeys.account(username) });
      }
      return quote;
    },
    [api, username, record, queryClient],
  );
}

function useQuoteOptions() {
  const { username } = useSignedIn();
  const fetchQuote = useFetchQuote();
  return useCallback(
    (sym: string) => ({
      queryKey: queryKeys.quote(username, sym),
      queryFn: () => fetchQuote(sym),
      staleTime: QUOTE_STALE_MS,
      refetchOnWindowFocus: false,
    }),
    [username, fetchQuote],
  );
}

/** The latest quote of `sym` (asked for when there is none, or it is older than 30 s). */
export function useQuote(sym: string | null) {
  const options = useQuoteOptions();
  return useQuery({ ...options(sym ?? ''), enabled: Boolean(sym) });
}

/** The latest quotes of several symbols, as one list in the same order. */
export function useQuoteList(syms: string[]) {
  const options = useQuoteOptions();
  return useQueries({ queries: syms.map((sym) => options(sym)) });
}

/** Asks again for the quotes on screen. */
export function useRefreshQuotes(): () => Promise<void> {
  const queryClient = useQueryClient();
  const { username } = useSignedIn();
  return useCallback(
    () => queryClient.refetchQueries({ queryKey: queryKeys.quotes(username), type: 'active' }),
    [queryClient, username],
  );
}
