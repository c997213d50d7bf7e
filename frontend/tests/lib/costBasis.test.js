// @vitest-environment node
import { describe, expect, test } from 'vitest';
import { applyTransactions, emptyLedger, positionCost } from '../../src/lib/costBasis.js';

let clock = 1_000;
const trx = (command, sym, shares, price) => {
  clock += 1;
  const amount = ((shares * Math.round(price * 100)) / 100).toFixed(2);
  return { trxNum: clock, timestamp: clock, command, sym, shares, price: price.toFixed(2), amount };
};

describe('cost basis from committed trades', () => {
  test('buys add at their cost, sells remove at the average cost', () => {
    const history = [
      trx('COMMIT_BUY', 'ABC', 10, 10),
      trx('BUY_TRIGGER_FIRED', 'ABC', 10, 20),
      trx('COMMIT_SELL', 'ABC', 5, 30),
    ];
    const ledger = applyTransactions(emptyLedger(), history);
    // 20 shares for $300 -> $15 each; 5 sold -> 15 left costing $225.
    expect(positionCost(ledger, 'ABC', 15)).toEqual({ knownShares: 15n, costCents: 22500n, unknownShares: 0n });
  });

  test('pending, cancelled and expired trades cost nothing', () => {
    const ledger = applyTransactions(emptyLedger(), [
      trx('BUY', 'ABC', 3, 10),
      trx('CANCEL_BUY', 'ABC', 3, 10),
      trx('EXPIRED_BUY', 'ABC', 3, 10),
    ]);
    expect(positionCost(ledger, 'ABC', 0).knownShares).toBe(0n);
  });

  test('each transaction counts once, however often the account shows it, in any order', () => {
    const buy1 = trx('COMMIT_BUY', 'XYZ', 2, 50);
    const buy2 = trx('COMMIT_BUY', 'XYZ', 2, 60);
    let ledger = applyTransactions(emptyLedger(), [buy2, buy1]);
    ledger = applyTransactions(ledger, [buy1, buy2]);
    expect(positionCost(ledger, 'XYZ', 4).costCents).toBe(22000n);
  });

  test('the basis outlives the 20-transaction window: later pages need not repeat old buys', () => {
    let ledger = applyTransactions(emptyLedger(), [trx('COMMIT_BUY', 'OLD', 4, 25)]);
    ledger = applyTransactions(ledger, [trx('ADD', undefined, 0, 0)]);
    expect(positionCost(ledger, 'OLD', 4).costCents).toBe(10000n);
  });

  test('shares bought before the browser saw them are of unknown cost, not guessed', () => {
    const ledger = applyTransactions(emptyLedger(), [trx('COMMIT_BUY', 'ABC', 2, 10)]);
    expect(positionCost(ledger, 'ABC', 5)).toEqual({ knownShares: 2n, costCents: 2000n, unknownShares: 3n });
    expect(positionCost(ledger, 'NEW', 5)).toEqual({ knownShares: 0n, costCents: 0n, unknownShares: 5n });
  });

  test('a sale it never saw shrinks the cost in proportion', () => {
    const ledger = applyTransactions(emptyLedger(), [trx('COMMIT_BUY', 'ABC', 10, 10)]);
    expect(positionCost(ledger, 'ABC', 4)).toEqual({ knownShares: 4n, costCents: 4000n, unknownShares: 0n });
  });
});
