import { Link } from 'react-router';
import { AddFundsForm } from '../components/AddFundsForm';
import { Holdings } from '../components/Holdings';
import { OrderList } from '../components/OrderList';
import { PendingTrades } from '../components/PendingTrades';
import { TransactionTable } from '../components/TransactionList';
import { ViewHeading } from '../components/ViewHeading';
import { useAccount } from '../hooks/useAccount';
import { formatTime } from '../lib/format';
import { formatCents, formatMoney, parseCents } from '../lib/money';

export function DashboardView() {
  const { summary, loading, error, refresh, receivedAt } = useAccount();
  const funds = parseCents(summary?.funds);
  const reserved = parseCents(summary?.reserved);

  return (
    <>
      <div className="view-head">
        <ViewHeading>Dashboard</ViewHeading>
        <div className="view-tools">
          {receivedAt > 0 && <span className="hint">Updated {formatTime(receivedAt)}</span>}
          <button type="button" className="btn btn-secondary btn-small" onClick={refresh} disabled={loading}>
            {loading ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </div>
      {!summary ? (
        <p aria-busy="true">{error ? 'Your account could not be loaded.' : 'Loading your account…'}</p>
      ) : (
        <div className="grid">
          <section className="card cash" aria-labelledby="cash-title">
            <h2 id="cash-title">Cash</h2>
            <dl className="stats">
              <div>
                <dt>Available</dt>
                <dd className="big" data-testid="funds">
                  {formatMoney(summary.funds)}
                </dd>
              </div>
              <div>
                <dt>Reserved</dt>
                <dd className="big" data-testid="reserved">
                  {formatMoney(summary.reserved)}
                </dd>
              </div>
              <div>
                <dt>Total</dt>
                <dd>{funds === null || reserved === null ? '—' : formatCents(funds + reserved)}</dd>
              </div>
            </dl>
            <p className="hint">Reserved cash is set aside by pending buys and automatic buy orders.</p>
            <AddFundsForm />
          </section>
          <section className="card" aria-labelledby="pending-title">
            <h2 id="pending-title">Waiting for your commit</h2>
            <PendingTrades side="BUY" headingLevel={3} />
            <PendingTrades side="SELL" headingLevel={3} />
          </section>
          <section className="card" aria-labelledby="orders-title">
            <div className="card-head">
              <h2 id="orders-title">Automatic trading</h2>
              <Link to="/auto" className="btn btn-secondary btn-small">
                Set orders
              </Link>
            </div>
            <OrderList side="BUY" headingLevel={3} />
            <OrderList side="SELL" headingLevel={3} />
          </section>
          <Holdings />
          <section className="card card-wide" aria-labelledby="recent-title">
            <div className="card-head">
              <h2 id="recent-title">Recent activity</h2>
              <Link to="/history" className="btn btn-secondary btn-small">
                All history
              </Link>
            </div>
            {summary.transactions.length === 0 ? (
              <p className="empty">Nothing yet: add funds to start.</p>
            ) : (
              <TransactionTable transactions={summary.transactions.slice(0, 5)} />
            )}
          </section>
        </div>
      )}
    </>
  );
}
