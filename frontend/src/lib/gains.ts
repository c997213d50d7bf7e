/**
 * Gains in exact cents. The server keeps what was paid (each holding's `cost_basis`, average-cost
 * method) and what sales gained (`realized_gain`); the unrealized gain is the browser's, from the
 * latest quote it has: price × shares owned − cost basis.
 */

import type { Holding, Money } from '../api/types';
import { parseCents } from './money';

export interface Position {
  sym: string;
  /** free and reserved to sell: everything the cost basis is for */
  ownedShares: bigint;
  reservedShares: bigint;
  costBasisCents: bigint | null;
  priceCents: bigint | null;
  valueCents: bigint | null;
  unrealizedCents: bigint | null;
}

export function position(holding: Holding, price: Money | null | undefined): Position {
  const ownedShares = BigInt(holding.shares) + BigInt(holding.reserved_shares);
  const costBasisCents = parseCents(holding.cost_basis);
  const priceCents = price === null || price === undefined ? null : parseCents(price);
  const valueCents = priceCents === null ? null : priceCents * ownedShares;
  return {
    sym: holding.sym,
    ownedShares,
    reservedShares: BigInt(holding.reserved_shares),
    costBasisCents,
    priceCents,
    valueCents,
    unrealizedCents: valueCents === null || costBasisCents === null ? null : valueCents - costBasisCents,
  };
}

/** The sum of one field over positions, or null if any of them lacks it. */
export function total(positions: Position[], field: 'valueCents' | 'costBasisCents' | 'unrealizedCents'): bigint | null {
  let sum = 0n;
  for (const p of positions) {
    const cents = p[field];
    if (cents === null) return null;
    sum += cents;
  }
  return sum;
}

/** `gain / cost` as a signed percentage with 2 decimals (truncated), in integer math. */
export function percent(gainCents: bigint, costCents: bigint): string | null {
  if (costCents <= 0n) return null;
  const basisPoints = (gainCents * 10000n) / costCents;
  const negative = basisPoints < 0n;
  const abs = negative ? -basisPoints : basisPoints;
  const text = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}%`;
  if (abs === 0n) return text;
  return negative ? `−${text}` : `+${text}`;
}
