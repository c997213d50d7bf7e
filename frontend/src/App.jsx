import { useEffect } from 'react';
import { Layout, PublicLayout } from './components/Layout.jsx';
import { ViewHeading } from './components/ViewHeading.jsx';
import { AccountProvider } from './hooks/account.jsx';
import { QuoteProvider } from './hooks/quotes.jsx';
import { Link, RouterProvider, useRoute } from './hooks/useRoute.jsx';
import { SessionProvider, useSession } from './hooks/session.jsx';
import { AutoTradeView } from './views/AutoTradeView.jsx';
import { DashboardView } from './views/DashboardView.jsx';
import { HistoryView } from './views/HistoryView.jsx';
import { LoginView } from './views/LoginView.jsx';
import { TradeView } from './views/TradeView.jsx';

const PUBLIC_PATHS = new Set(['/login', '/register']);

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

function CurrentView() {
  const { path, search } = useRoute();
  switch (path) {
    case '/':
      return <DashboardView />;
    case '/trade/buy':
      return <TradeView key={`buy${search}`} side="BUY" />;
    case '/trade/sell':
      return <TradeView key={`sell${search}`} side="SELL" />;
    case '/auto':
      return <AutoTradeView />;
    case '/history':
      return <HistoryView />;
    default:
      return <NotFoundView />;
  }
}

function Shell() {
  const { session } = useSession();
  const { path, navigate } = useRoute();

  // Logged in at /login: to the dashboard. Logged out anywhere else: the login view (the address
  // is kept, so logging in returns there), or /login after a logout.
  useEffect(() => {
    if (session && PUBLIC_PATHS.has(path)) navigate('/', { replace: true });
  }, [session, path, navigate]);

  if (!session) {
    return (
      <PublicLayout>
        <LoginView key={path === '/register' ? 'register' : 'login'} />
      </PublicLayout>
    );
  }
  return (
    <AccountProvider key={session.username}>
      <QuoteProvider>
        <Layout>
          <CurrentView />
        </Layout>
      </QuoteProvider>
    </AccountProvider>
  );
}

export function App({ api, initialSession }) {
  return (
    <RouterProvider>
      <SessionProvider api={api} initialSession={initialSession}>
        <Shell />
      </SessionProvider>
    </RouterProvider>
  );
}
