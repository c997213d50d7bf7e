/**
 * The logged-in user's account as DISPLAY_SUMMARY tells it: fetched when a view that shows it
 * opens, after every command (see useCommand), and when the window regains focus.
 */

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { ApiError } from '../api/errors';
import type { Summary } from '../api/types';
import { queryKeys } from './queryKeys';
import { useSignedIn } from './useSession';

/** A view opened within this long of the last summary does not ask again. */
const SUMMARY_STALE_MS = 2_000;

export interface AccountValue {
  summary: Summary | null;
  /** when this browser received `summary` (ms): the countdowns run from it */
  receivedAt: number;
  loading: boolean;
  error: ApiError | null;
  refresh: () => void;
}

export function useAccount(): AccountValue {
  const { api, username } = useSignedIn();
  const query = useQuery({
    queryKey: queryKeys.summary(username),
    queryFn: () => api.summary(),
    staleTime: SUMMARY_STALE_MS,
  });
  const { refetch } = query;
  const refresh = useCallback(() => {
    void refetch();
  }, [refetch]);
  return {
    summary: query.data ?? null,
    receivedAt: query.dataUpdatedAt,
    loading: query.isFetching,
    error: query.error,
    refresh,
  };
}

/** Asks again for everything a command may have changed; resolves once the views have it. */
export function useInvalidateAccount(): () => Promise<void> {
  const queryClient = useQueryClient();
  const { username } = useSignedIn();
  return useCallback(() => queryClient.invalidateQueries({ queryKey: queryKeys.account(username) }), [queryClient, username]);
}

/** Symbols the user has anything to do with: held, pending, or with an order. */
export function accountSymbols(summary: Summary | null): string[] {
  if (!summary) return [];
  const syms = new Set<string>();
  const lists = [summary.holdings, summary.pending_buys, summary.pending_sells, summary.buy_triggers, summary.sell_triggers];
  for (const list of lists) for (const item of list) syms.add(item.sym);
  return [...syms].sort();
}
