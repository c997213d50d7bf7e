import { Link } from 'react-router';
import { useAccount } from '../hooks/useAccount';
import { useQuoteList, useRefreshQuotes } from '../hooks/useQuotes';
import { position, total } from '../lib/gains';
import { formatCents, formatShares, parseCents } from '../lib/money';
import { Gain } from './Gain';
import { ErrorMessage } from './Messages';

/**
 * What the user holds, what it is worth at the latest quote, what it cost (the server's cost basis,
 * average-cost method) and the gain: unrealized on what is held, realized on what was sold.
 */
export function Holdings() {
  const { summary } = useAccount();
  const holdings = summary?.holdings ?? [];
  const quotes = useQuoteList(holdings.map((h) => h.sym));
  const refreshQuotes = useRefreshQuotes();
  const refreshing = quotes.some((q) => q.isFetching);

  const rows = holdings.map((h, i) => ({ ...position(h, quotes[i]?.data?.price), quote: quotes[i] }));
  const totals = {
    value: total(rows, 'valueCents'),
    cost: total(rows, 'costBasisCents'),
    unrealized: total(rows, 'unrealizedCents'),
  };
  const realized = parseCents(summary?.realized_gain);
  const failed = rows.find((r) => r.quote?.error);

  const onRefresh = () => void refreshQuotes();

  return (
    <section className="card holdings" aria-labelledby="holdings-title">
      <div className="card-head">
        <h2 id="holdings-title">Holdings</h2>
        {rows.length > 0 && (
          <button type="button" className="btn btn-secondary btn-small" onClick={onRefresh} disabled={refreshing}>
            {refreshing ? 'Getting prices…' : 'Refresh prices'}
          </button>
        )}
      </div>
      {rows.length === 0 ? (
        <p className="empty">
          You hold no shares now. <Link to="/buy">Buy some</Link>.
        </p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table table-stack">
              <thead>
                <tr>
                  <th scope="col">Symbol</th>
                  <th scope="col">Shares</th>
                  <th scope="col">Price</th>
                  <th scope="col">Value</th>
                  <th scope="col">Cost basis</th>
                  <th scope="col">Unrealized gain</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.sym}>
                    <th scope="row" data-label="Symbol">
                      {r.sym}
                    </th>
                    <td data-label="Shares">
                      {formatShares(r.ownedShares)}
                      {r.reservedShares > 0n && (
                        <span className="hint"> ({formatShares(r.reservedShares)} reserved to sell)</span>
                      )}
                    </td>
                    <td data-label="Price">
                      {r.priceCents === null ? (r.quote?.error ? 'unavailable' : '…') : formatCents(r.priceCents)}
                    </td>
                    <td data-label="Value">{r.valueCents === null ? '—' : formatCents(r.valueCents)}</td>
                    <td data-label="Cost basis">{formatCents(r.costBasisCents)}</td>
                    <td data-label="Unrealized gain">
                      <Gain cents={r.unrealizedCents} costCents={r.costBasisCents} />
                    </td>
                    <td className="cell-actions">
                      <Link to={`/buy?sym=${r.sym}`} className="btn btn-secondary btn-small" aria-label={`Buy more ${r.sym}`}>
                        Buy
                      </Link>
                      <Link to={`/sell?sym=${r.sym}`} className="btn btn-secondary btn-small" aria-label={`Sell ${r.sym}`}>
                        Sell
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {failed && <ErrorMessage error={`Price of ${failed.sym}: ${failed.quote?.error?.message ?? ''}`} />}
        </>
      )}
      <dl className="stats gains" aria-label="Gains">
        {rows.length > 0 && (
          <>
            <div>
              <dt>Value</dt>
              <dd data-testid="holdings-value">{formatCents(totals.value)}</dd>
            </div>
            <div>
              <dt>Cost basis</dt>
              <dd data-testid="cost-basis">{formatCents(totals.cost)}</dd>
            </div>
            <div>
              <dt>Unrealized gain</dt>
              <dd data-testid="unrealized-gain">
                <Gain cents={totals.unrealized} costCents={totals.cost} />
              </dd>
            </div>
          </>
        )}
        <div>
          <dt>Realized gain</dt>
          <dd data-testid="realized-gain">
            <Gain cents={realized} />
          </dd>
        </div>
      </dl>
      <p className="hint">
        Cost basis is what you paid for the shares you own (average cost, kept by DTS for every buy,
        whether you committed it or a trigger made it). Unrealized gain is their value at the latest
        quote less that cost; realized gain is what your sales made over the cost of the shares sold.
      </p>
    </section>
  );
}
