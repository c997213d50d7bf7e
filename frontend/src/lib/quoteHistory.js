/**
 * The quotes a user has seen, per symbol, for the price chart: kept in memory by the caller and
 * in localStorage per user. The same quote seen twice (DTS serves cached quotes) is one point.
 */

const MAX_POINTS = 60;

/** History plus one quote `{ sym, price, quoteServerTime }`; unchanged if already there. */
export function addQuote(history, quote) {
  const points = history[quote.sym] ?? [];
  if (points.some((p) => p.t === quote.quoteServerTime)) return history;
  const next = [...points, { t: quote.quoteServerTime, price: quote.price }]
    .sort((a, b) => a.t - b.t)
    .slice(-MAX_POINTS);
  return { ...history, [quote.sym]: next };
}

export function symbolsSeen(history) {
  return Object.keys(history).sort();
}
