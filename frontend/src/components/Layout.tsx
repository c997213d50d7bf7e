import type { ReactNode } from 'react';
import { Link, NavLink, useNavigate } from 'react-router';
import { useAccount } from '../hooks/useAccount';
import { useSession } from '../hooks/useSession';
import { ErrorMessage } from './Messages';

export const NAV = [
  { to: '/', label: 'Dashboard' },
  { to: '/buy', label: 'Buy' },
  { to: '/sell', label: 'Sell' },
  { to: '/auto', label: 'Automatic' },
  { to: '/history', label: 'History' },
] as const;

export function Layout({ children }: { children: ReactNode }) {
  const { username, logout } = useSession();
  const navigate = useNavigate();
  const onLogout = () => {
    logout();
    void navigate('/login');
  };
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand">
            <span aria-hidden="true" className="brand-mark">◆</span> DTS
          </Link>
          <nav aria-label="Main">
            <ul>
              {NAV.map((item) => (
                <li key={item.to}>
                  <NavLink to={item.to} end>
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <div className="user">
            <span className="user-name" title="Logged in as">
              <span className="sr-only">Logged in as </span>
              {username}
            </span>
            <button type="button" className="btn btn-secondary btn-small" onClick={onLogout}>
              Log out
            </button>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <AccountProblem />
        {children}
      </main>
    </>
  );
}

/** The account summary failed to load: said once, above every view, with a way to retry. */
function AccountProblem() {
  const { error, loading, refresh } = useAccount();
  if (!error) return null;
  return (
    <div className="account-problem">
      <ErrorMessage error={`Your account could not be loaded: ${error.message}`} />
      <button type="button" className="btn btn-secondary btn-small" onClick={refresh} disabled={loading}>
        {loading ? 'Trying again…' : 'Try again'}
      </button>
    </div>
  );
}

export function PublicLayout({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="public" tabIndex={-1}>
      <p className="brand brand-public">
        <span aria-hidden="true" className="brand-mark">◆</span> DTS · Day Trading System
      </p>
      {children}
    </main>
  );
}
