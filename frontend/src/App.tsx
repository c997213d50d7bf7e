import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { BrowserRouter, Link, Navigate, Outlet, Route, Routes, useLocation } from 'react-router';
import type { DtsApi } from './api/dts';
import { Layout, PublicLayout } from './components/Layout';
import { ViewHeading } from './components/ViewHeading';
import { useFocusOnNavigation } from './hooks/useFocusOnNavigation';
import { useSession } from './hooks/useSession';
import { createQueryClient } from './providers/queryClient';
import { QuoteHistoryProvider } from './providers/QuoteHistoryProvider';
import { SessionProvider, type Session } from './providers/SessionProvider';
import { AutoTradeView } from './views/AutoTradeView';
import { DashboardView } from './views/DashboardView';
import { HistoryView } from './views/HistoryView';
import { LoginView } from './views/LoginView';
import { TradeView } from './views/TradeView';

function NotFoundView() {
  return (
    <>
      <ViewHeading>Page not found</ViewHeading>
      <p>
        There is nothing at this address. <Link to="/">Go to the dashboard</Link>.
      </p>
    </>
  );
}

/** Earlier addresses of the trade views, kept working for bookmarks. */
function Moved({ to }: { to: string }) {
  const { search } = useLocation();
  return <Navigate to={`${to}${search}`} replace />;
}

/**
 * The views behind the login. Logged out at one of their addresses, the login view is shown in
 * place: the address stays, so logging in opens what was asked for (a deep link like /buy?sym=ABC).
 */
function SignedInShell() {
  const { session } = useSession();
  useFocusOnNavigation();
  if (!session) {
    return (
      <PublicLayout>
        <LoginView />
      </PublicLayout>
    );
  }
  return (
    <QuoteHistoryProvider key={session.username} username={session.username}>
      <Layout>
        <Outlet />
      </Layout>
    </QuoteHistoryProvider>
  );
}

/** /login and /register: a logged-in user is sent on to the dashboard. */
function PublicShell() {
  const { session } = useSession();
  useFocusOnNavigation();
  if (session) return <Navigate to="/" replace />;
  return (
    <PublicLayout>
      <Outlet />
    </PublicLayout>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<PublicShell />}>
        <Route path="/login" element={<LoginView />} />
        <Route path="/register" element={<LoginView registering />} />
      </Route>
      <Route element={<SignedInShell />}>
        <Route index element={<DashboardView />} />
        <Route path="/buy" element={<TradeView key="BUY" side="BUY" />} />
        <Route path="/sell" element={<TradeView key="SELL" side="SELL" />} />
        <Route path="/auto" element={<AutoTradeView />} />
        <Route path="/history" element={<HistoryView />} />
        <Route path="/trade/buy" element={<Moved to="/buy" />} />
        <Route path="/trade/sell" element={<Moved to="/sell" />} />
        <Route path="*" element={<NotFoundView />} />
      </Route>
    </Routes>
  );
}

interface AppProps {
  /** a fake API (tests); by default the real one */
  api?: DtsApi;
  /** a session to start with instead of the stored one (tests) */
  initialSession?: Session | null;
  queryClient?: QueryClient;
}

export function App({ api, initialSession, queryClient: givenClient }: AppProps) {
  const [queryClient] = useState(() => givenClient ?? createQueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <SessionProvider api={api} initialSession={initialSession}>
          <AppRoutes />
        </SessionProvider>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
