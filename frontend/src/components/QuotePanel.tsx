import type { Quote } from '../api/types';
import { useNow } from '../hooks/useNow';
import { useQuoteHistory } from '../hooks/useQuotes';
import { formatAge, formatTime } from '../lib/format';
import { formatMoney } from '../lib/money';
import { PriceChart } from './PriceChart';

interface QuotePanelProps {
  quote: Quote | undefined;
  onRefresh?: () => void;
  refreshing?: boolean;
}

/** The latest quote of a symbol: its price, how old it is, whether DTS served it from its cache. */
export function QuotePanel({ quote, onRefresh, refreshing = false }: QuotePanelProps) {
  const { history } = useQuoteHistory();
  const now = useNow(1000);
  if (!quote) return null;
  const { sym } = quote;
  return (
    <section className="quote" aria-label={`Quote for ${sym}`}>
      <div className="quote-head">
        <p className="quote-price">
          <span className="quote-sym">{sym}</span> <strong>{formatMoney(quote.price)}</strong>
          <span className="hint"> a share</span>
        </p>
        {onRefresh && (
          <button type="button" className="btn btn-secondary btn-small" onClick={onRefresh} disabled={refreshing}>
            {refreshing ? 'Refreshing…' : 'Refresh quote'}
          </button>
        )}
      </div>
      <p className="quote-fresh">
        Quoted at {formatTime(quote.quoteServerTime)} ({formatAge(now - quote.quoteServerTime)})
        {' · '}
        {quote.cached ? (
          <span className="badge" title="DTS keeps each quote for up to 120 seconds">
            from DTS&apos;s cache (up to 2 min old)
          </span>
        ) : (
          <span className="badge badge-fresh">fresh from the quote server</span>
        )}
      </p>
      <PriceChart sym={sym} points={history[sym]} />
    </section>
  );
}
