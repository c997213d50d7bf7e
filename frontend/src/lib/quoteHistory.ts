/**
 * The quotes a user has seen, per symbol, for the price chart: kept in memory by the caller and
 * in localStorage per user. The same quote seen twice (DTS serves cached quotes) is one point.
 */

import type { Money, Quote } from '../api/types';

const MAX_POINTS = 60;

export interface PricePoint {
  /** the quote server's time of the quote, ms */
  t: number;
  price: Money;
}

export type QuoteHistory = Record<string, PricePoint[]>;

/** History plus one quote; unchanged if already there. */
export function addQuote(history: QuoteHistory, quote: Pick<Quote, 'sym' | 'price' | 'quoteServerTime'>): QuoteHistory {
  const points = history[quote.sym] ?? [];
  if (points.some((p) => p.t === quote.quoteServerTime)) return history;
  const next = [...points, { t: quote.quoteServerTime, price: quote.price }]
    .sort((a, b) => a.t - b.t)
    .slice(-MAX_POINTS);
  return { ...history, [quote.sym]: next };
}

export function symbolsSeen(history: QuoteHistory): string[] {
  return Object.keys(history).sort();
}
