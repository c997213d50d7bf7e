/**
 * The logged-in user's account as DISPLAY_SUMMARY tells it, refreshed after every action, when
 * the window regains focus and when a pending trade's window closes; plus the cost-basis ledger
 * fed from the transactions the account shows (see lib/costBasis.js).
 */

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { toApiError } from '../api/errors.js';
import { applyTransactions, emptyLedger } from '../lib/costBasis.js';
import { readJson, writeJson } from '../lib/storage.js';
import { useSession } from './session.jsx';

const AccountContext = createContext(null);
const FOCUS_REFRESH_MIN_MS = 5_000;

const ledgerKey = (username) => `dts.costBasis.${username}`;

export function AccountProvider({ children }) {
  const { api, username } = useSession();
  const [state, setState] = useState({
    summary: null,
    receivedAt: 0,
    loading: true,
    error: null,
  });
  const [ledger, setLedger] = useState(() => readJson(ledgerKey(username), emptyLedger()));
  const inflight = useRef(null);
  const lastRefresh = useRef(0);

  useEffect(() => {
    writeJson(ledgerKey(username), ledger);
  }, [username, ledger]);

  const absorbTransactions = useCallback((transactions) => {
    setLedger((prev) => applyTransactions(prev, transactions));
  }, []);

  const refresh = useCallback(() => {
    if (inflight.current) return inflight.current;
    lastRefresh.current = Date.now();
    setState((prev) => ({ ...prev, loading: true }));
    inflight.current = api
      .summary()
      .then(
        (summary) => {
          absorbTransactions(summary.transactions);
          setState({ summary, receivedAt: Date.now(), loading: false, error: null });
          return summary;
        },
        async (thrown) => {
          const error = await toApiError(thrown);
          setState((prev) => ({ ...prev, loading: false, error }));
          return null;
        },
      )
      .finally(() => {
        inflight.current = null;
      });
    return inflight.current;
  }, [api, absorbTransactions]);

  useEffect(() => {
    refresh();
  }, [refresh]);

  useEffect(() => {
    const onFocus = () => {
      if (document.visibilityState === 'visible' && Date.now() - lastRefresh.current > FOCUS_REFRESH_MIN_MS) {
        refresh();
      }
    };
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onFocus);
    return () => {
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onFocus);
    };
  }, [refresh]);

  const value = useMemo(
    () => ({ ...state, refresh, ledger, absorbTransactions }),
    [state, refresh, ledger, absorbTransactions],
  );
  return <AccountContext.Provider value={value}>{children}</AccountContext.Provider>;
}

export function useAccount() {
  const value = useContext(AccountContext);
  if (!value) throw new Error('useAccount needs an AccountProvider');
  return value;
}

/** Symbols the user has anything to do with: held, pending, or with an order. */
export function accountSymbols(summary) {
  if (!summary) return [];
  const syms = new Set();
  for (const list of ['holdings', 'pending_buys', 'pending_sells', 'buy_triggers', 'sell_triggers']) {
    for (const item of summary[list] ?? []) syms.add(item.sym);
  }
  return [...syms].sort();
}
