/**
 * Who is logged in, and the API acting for them. The token lives in localStorage so that a reload
 * keeps the session; a 401 from any command (expired or bad token) ends it and the login view
 * says why. Ending a session forgets everything cached for it.
 */

import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createApiClient } from '../api/client';
import { dtsApi, type DtsApi } from '../api/dts';
import type { TokenReply } from '../api/types';
import { readJson, removeKey, writeJson } from '../lib/storage';

export const SESSION_KEY = 'dts.session';

export interface Session {
  token: string;
  username: string;
}

export interface SessionValue {
  session: Session | null;
  username: string | null;
  api: DtsApi;
  /** why the last session ended, for the login view */
  notice: string | null;
  login: (username: string, password: string) => Promise<Session>;
  register: (username: string, password: string) => Promise<Session>;
  logout: () => void;
}

export const SessionContext = createContext<SessionValue | null>(null);

/** The token's expiry (JWT `exp`, seconds) if it can be read; the server stays the judge. */
function tokenExpired(token: string): boolean {
  try {
    const part = token.split('.')[1] ?? '';
    const payload: unknown = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
    const exp = (payload as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && exp * 1000 <= Date.now();
  } catch {
    return false;
  }
}

export function loadSession(): Session | null {
  const stored = readJson<Partial<Session> | null>(SESSION_KEY, null);
  if (!stored || typeof stored.token !== 'string' || typeof stored.username !== 'string') {
    return null;
  }
  if (tokenExpired(stored.token)) {
    removeKey(SESSION_KEY);
    return null;
  }
  return { token: stored.token, username: stored.username };
}

interface SessionProviderProps {
  children: ReactNode;
  /** a fake API for tests; by default the real one over the one Axios client */
  api?: DtsApi;
  /** a session to start with instead of the stored one (tests) */
  initialSession?: Session | null;
}

export function SessionProvider({ children, api: givenApi, initialSession }: SessionProviderProps) {
  const queryClient = useQueryClient();
  const [session, setSession] = useState<Session | null>(() =>
    initialSession === undefined ? loadSession() : initialSession,
  );
  const [notice, setNotice] = useState<string | null>(null);
  const tokenRef = useRef<string | null>(session?.token ?? null);

  const end = useCallback(
    (message: string | null) => {
      tokenRef.current = null;
      removeKey(SESSION_KEY);
      setSession(null);
      setNotice(message);
      queryClient.clear();
    },
    [queryClient],
  );

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

  const start = useCallback((reply: Pick<TokenReply, 'token' | 'username'>): Session => {
    const next = { token: reply.token, username: reply.username };
    tokenRef.current = next.token;
    writeJson(SESSION_KEY, next);
    setNotice(null);
    setSession(next);
    return next;
  }, []);

  // Logging out in one tab logs out the others.
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key !== SESSION_KEY) return;
      const next = loadSession();
      tokenRef.current = next?.token ?? null;
      setSession(next);
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  const value = useMemo<SessionValue>(
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
