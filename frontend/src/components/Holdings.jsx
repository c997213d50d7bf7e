import { useEffect, useState } from 'react';
import { useAccount } from '../hooks/account.jsx';
import { useQuotes } from '../hooks/quotes.jsx';
import { useAction } from '../hooks/useAction.js';
import { Link } from '../hooks/useRoute.jsx';
import { positionCost } from '../lib/costBasis.js';
import { formatChange, formatCents, formatShares, parseCents } from '../lib/money.js';
import { ErrorMessage } from './Messages.jsx';

/** `gain / cost` as a signed percentage with 2 decimals, in integer math. */
function percent(gainCents, costCents) {
  if (costCents <= 0n) return null;
  const basisPoints = (gainCents * 10000n) / costCents;
  const negative = basisPoints < 0n;
  const abs = negative ? -basisPoints : basisPoints;
  const text = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}%`;
  if (abs === 0n) return text;
  return negative ? `−${text}` : `+${text}`;
}

function holdingRow(holding, quote, ledger) {
  const owned = BigInt(holding.shares) + BigInt(holding.reserved_shares);
  const priceCents = quote ? parseCents(quote.price) : null;
  const cost = positionCost(ledger, holding.sym, owned);
  const valueCents = priceCents === null ? null : priceCents * owned;
  const gainCents =
    priceCents === null || cost.knownShares === 0n ? null : priceCents * cost.knownShares - cost.costCents;
  return { ...holding, owned, priceCents, valueCents, cost, gainCents };
}

/**
 * What the user holds, what it is worth at the latest quote, and the gain or loss against what
 * they paid (average cost, tracked in the browser from their committed trades: lib/costBasis.js).
 */
export function Holdings() {
  const { summary, ledger } = useAccount();
  const { latest, getQuote } = useQuotes();
  const [quoteErrors, setQuoteErrors] = useState({});
  const holdings = summary?.holdings ?? [];
  const symbols = holdings.map((h) => h.sym).join(',');

  const reload = useAction(async () => {
    const errors = {};
    await Promise.all(
      holdings.map((h) =>
        getQuote(h.sym).catch((error) => {
          errors[h.sym] = error;
        }),
      ),
    );
    setQuoteErrors(errors);
  });
  const reloadQuotes = reload.run;

  // Prices are fetched when the view opens and whenever the set of holdings changes.
  useEffect(() => {
    if (symbols) reloadQuotes();
  }, [symbols, reloadQuotes]);

  const rows = holdings.map((h) => holdingRow(h, latest[h.sym], ledger));
  const total = rows.reduce((sum, r) => (r.valueCents === null ? sum : sum + r.valueCents), 0n);
  const firstError = Object.entries(quoteErrors)[0];

  return (
    <section className="card holdings" aria-labelledby="holdings-title">
      <div className="card-head">
        <h2 id="holdings-title">Holdings</h2>
        {rows.length > 0 && (
          <button type="button" className="btn btn-secondary btn-small" onClick={reloadQuotes} disabled={reload.busy}>
            {reload.busy ? 'Getting prices…' : 'Refresh prices'}
          </button>
        )}
      </div>
      {rows.length === 0 ? (
        <p className="empty">
          You hold no shares yet. <Link to="/trade/buy">Buy some</Link>.
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
                  <th scope="col">Paid</th>
                  <th scope="col">Gain / loss</th>
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
                      {formatShares(r.owned)}
                      {r.reserved_shares > 0 && (
                        <span className="hint"> ({formatShares(r.reserved_shares)} reserved to sell)</span>
                      )}
                    </td>
                    <td data-label="Price">
                      {r.priceCents === null ? (quoteErrors[r.sym] ? 'unavailable' : '…') : formatCents(r.priceCents)}
                    </td>
                    <td data-label="Value">{r.valueCents === null ? '—' : formatCents(r.valueCents)}</td>
                    <td data-label="Paid">
                      {r.cost.knownShares === 0n ? (
                        <span className="hint">unknown</span>
                      ) : (
                        formatCents(r.cost.costCents)
                      )}
                      {r.cost.unknownShares > 0n && r.cost.knownShares > 0n && (
                        <span className="hint">
                          {' '}
                          for {formatShares(r.cost.knownShares)}; {formatShares(r.cost.unknownShares)} of unknown cost
                        </span>
                      )}
                    </td>
                    <td data-label="Gain / loss">
                      {r.gainCents === null ? (
                        '—'
                      ) : (
                        <span className={r.gainCents > 0n ? 'gain' : r.gainCents < 0n ? 'loss' : ''}>
                          <span className="sr-only">{r.gainCents < 0n ? 'loss ' : 'gain '}</span>
                          {formatChange(r.gainCents)}
                          {percent(r.gainCents, r.cost.costCents) && (
                            <span className="pct"> ({percent(r.gainCents, r.cost.costCents)})</span>
                          )}
                        </span>
                      )}
                    </td>
                    <td className="cell-actions">
                      <Link to={`/trade/buy?sym=${r.sym}`} className="btn btn-secondary btn-small" aria-label={`Buy more ${r.sym}`}>
                        Buy
                      </Link>
                      <Link to={`/trade/sell?sym=${r.sym}`} className="btn btn-secondary btn-small" aria-label={`Sell ${r.sym}`}>
                        Sell
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="total">
            Holdings value: <strong>{formatCents(total)}</strong>
          </p>
          {firstError && (
            <ErrorMessage error={`Price of ${firstError[0]}: ${firstError[1].message}`} />
          )}
          <p className="hint">
            Paid is the average cost of the shares, from the trades this browser has seen you
            commit (the account lists only its last 20 transactions).
          </p>
        </>
      )}
    </section>
  );
}
