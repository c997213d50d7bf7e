/**
 * What the user paid for what they hold, tracked in the browser.
 *
 * The account keeps only its last 20 transactions, so the cost of older purchases cannot be asked
 * for. Instead this ledger replays the user's own committed trades as it sees them (COMMIT_BUY,
 * BUY_TRIGGER_FIRED add shares at their cost; COMMIT_SELL, SELL_TRIGGER_FIRED remove shares at
 * the average cost) and remembers the result per user in localStorage, so the basis survives the
 * transactions falling out of the window. Shares whose purchase was never seen (older than the
 * window on a first visit, or bought elsewhere) are reported as of unknown cost, never guessed.
 */

import { parseCents } from './money.js';

const KEEP_SEEN = 200; // far more than the 20 the account keeps: an entry is never replayed twice

const ADDS = new Set(['COMMIT_BUY', 'BUY_TRIGGER_FIRED']);
const REMOVES = new Set(['COMMIT_SELL', 'SELL_TRIGGER_FIRED']);

export function emptyLedger() {
  return { seen: [], positions: {} };
}

function entryKey(trx) {
  return `${trx.timestamp}:${trx.trxNum}:${trx.command}:${trx.sym ?? ''}`;
}

function tradeCost(trx) {
  const amount = parseCents(trx.amount);
  if (amount !== null) return amount;
  const price = parseCents(trx.price);
  return price === null ? 0n : price * BigInt(trx.shares ?? 0);
}

/** The ledger after the committed trades among `transactions` (any order) it has not seen yet. */
export function applyTransactions(ledger, transactions) {
  const seen = new Set(ledger.seen);
  const positions = { ...ledger.positions };
  const fresh = (transactions ?? [])
    .filter((t) => (ADDS.has(t.command) || REMOVES.has(t.command)) && !seen.has(entryKey(t)))
    .sort((a, b) => a.timestamp - b.timestamp || a.trxNum - b.trxNum);
  if (fresh.length === 0) return ledger;
  const order = [...ledger.seen];
  for (const trx of fresh) {
    const key = entryKey(trx);
    seen.add(key);
    order.push(key);
    const shares = BigInt(trx.shares ?? 0);
    const held = positions[trx.sym] ?? { shares: 0, cost: '0' };
    let heldShares = BigInt(held.shares);
    let cost = BigInt(held.cost);
    if (ADDS.has(trx.command)) {
      heldShares += shares;
      cost += tradeCost(trx);
    } else if (heldShares > 0n) {
      const sold = shares < heldShares ? shares : heldShares;
      cost -= (cost * sold) / heldShares;
      heldShares -= sold;
    }
    positions[trx.sym] = { shares: Number(heldShares), cost: cost.toString() };
  }
  return { seen: order.slice(-KEEP_SEEN), positions };
}

/**
 * The cost of `ownedShares` of `sym` (held plus reserved for selling) as far as it is known:
 * `{ knownShares, costCents, unknownShares }`. If the ledger counts more shares than are owned
 * (a sale it never saw), the cost shrinks in proportion.
 */
export function positionCost(ledger, sym, ownedShares) {
  const owned = BigInt(ownedShares);
  const held = ledger.positions[sym];
  if (!held || BigInt(held.shares) === 0n || owned === 0n) {
    return { knownShares: 0n, costCents: 0n, unknownShares: owned };
  }
  const tracked = BigInt(held.shares);
  const cost = BigInt(held.cost);
  if (tracked <= owned) {
    return { knownShares: tracked, costCents: cost, unknownShares: owned - tracked };
  }
  return { knownShares: owned, costCents: (cost * owned) / tracked, unknownShares: 0n };
}
