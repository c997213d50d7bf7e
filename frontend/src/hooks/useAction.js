/**
 * One user action against the API: `busy` while it runs (its button says so; nothing else is
 * blocked), and its own `error`, shown next to the control that caused it.
 */

import { useCallback, useEffect, useRef, useState } from 'react';
import { toApiError } from '../api/errors.js';

export function useAction(action) {
  const actionRef = useRef(action);
  const mounted = useRef(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  useEffect(() => {
    actionRef.current = action;
  });

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(async (...args) => {
    setBusy(true);
    setError(null);
    try {
      const value = await actionRef.current(...args);
      if (mounted.current) setBusy(false);
      return { ok: true, value };
    } catch (thrown) {
      const apiError = await toApiError(thrown);
      if (mounted.current) {
        setBusy(false);
        setError(apiError);
      }
      return { ok: false, error: apiError };
    }
  }, []);

  const clearError = useCallback(() => setError(null), []);
  return { run, busy, error, setError, clearError };
}
