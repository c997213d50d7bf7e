// @vitest-environment node
import { expect, test } from 'vitest';
import { addQuote, symbolsSeen, type QuoteHistory } from '../../src/lib/quoteHistory';

test('a quote seen twice (served from the cache) is one point; points stay in time order', () => {
  let history: QuoteHistory = {};
  history = addQuote(history, { sym: 'ABC', price: '10.00', quoteServerTime: 2 });
  history = addQuote(history, { sym: 'ABC', price: '10.00', quoteServerTime: 2 });
  history = addQuote(history, { sym: 'ABC', price: '9.00', quoteServerTime: 1 });
  history = addQuote(history, { sym: 'XYZ', price: '1.00', quoteServerTime: 3 });
  expect(history.ABC).toEqual([
    { t: 1, price: '9.00' },
    { t: 2, price: '10.00' },
  ]);
  expect(symbolsSeen(history)).toEqual(['ABC', 'XYZ']);
});

test('only the newest 60 quotes of a symbol are kept', () => {
  let history: QuoteHistory = {};
  for (let t = 0; t < 70; t += 1) history = addQuote(history, { sym: 'ABC', price: '1.00', quoteServerTime: t });
  expect(history.ABC).toHaveLength(60);
  expect(history.ABC?.[0]?.t).toBe(10);
});
