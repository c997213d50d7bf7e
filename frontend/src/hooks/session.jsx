/**
 * Who is logged in. The token lives in localStorage so that a reload keeps the session; a 401 from
 * any command (expired or bad token) ends it and the login view says why.
 */

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { createApiClient } from '../api/client.js';
import { dtsApi } from '../api/dts.js';
import { readJson, removeKey, writeJson } from '../lib/storage.js';

export const SESSION_KEY = 'dts.session';
const SessionContext = createContext(null);

/** The token's expiry (JWT `exp`, seconds) if it can be read; the server stays the judge. */
function tokenExpired(token) {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return typeof payload.exp === 'number' && payload.exp * 1000 <= Date.now();
  } catch {
    return false;
  }
}

export function loadSession() {
  const stored = readJson(SESSION_KEY, null);
  if (!stored || typeof stored.token !== 'string' || typeof stored.username !== 'string') {
    return null;
  }
  if (tokenExpired(stored.token)) {
    removeKey(SESSION_KEY);
    return null;
  }
  return stored;
}

export function SessionProvider({ children, api: givenApi, initialSession }) {
  const [session, setSession] = useState(() =>
    initialSession === undefined ? loadSession() : initialSession,
  );
  const [notice, setNotice] = useState(null);
  const tokenRef = useRef(session?.token ?? null);

  const end = useCallback((message) => {
    tokenRef.current = null;
    removeKey(SESSION_KEY);
    setSession(null);
    setNotice(message ?? null);
  }, []);

  const api = useMemo(
    () =>
      givenApi ??
      dtsApi(
        createApiClient({
          getToken: () => tokenRef.current,
          onUnauthorized: (error) => end(error.message),
        }),
      ),
    [givenApi, end],
  );

  const start = useCallback((reply) => {
    const next = { token: reply.token, username: reply.username };
    tokenRef.current = next.token;
    writeJson(SESSION_KEY, next);
    setNotice(null);
    setSession(next);
    return next;
  }, []);

  // Logging out in one tab logs out the others.
  useEffect(() => {
    const onStorage = (event) => {
      if (event.key !== SESSION_KEY) return;
      const next = loadSession();
      tokenRef.current = next?.token ?? null;
      setSession(next);
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  const value = useMemo(
    () => ({
      session,
      username: session?.username ?? null,
      api,
      notice,
      login: async (username, password) => start(await api.login(username, password)),
      register: async (username, password) => start(await api.register(username, password)),
      logout: () => end('You are logged out.'),
    }),
    [session, api, notice, start, end],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession() {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession needs a SessionProvider');
  return value;
}
