// @vitest-environment node
import { describe, expect, test } from 'vitest';
import { percent, position, total } from '../../src/lib/gains';

const abc = { sym: 'ABC', shares: 6, reserved_shares: 0, cost_basis: '600.06' };

describe('a position at the latest quote', () => {
  test('values free and reserved shares, and gains against the cost basis in exact cents', () => {
    const p = position({ ...abc, shares: 4, reserved_shares: 2 }, '100.03');
    expect(p.ownedShares).toBe(6n);
    expect(p.valueCents).toBe(60018n);
    expect(p.costBasisCents).toBe(60006n);
    expect(p.unrealizedCents).toBe(12n);
  });

  test('cents that binary floats get wrong stay exact: 3 × 0.10 − 0.30 is 0', () => {
    expect(position({ ...abc, shares: 3, cost_basis: '0.30' }, '0.10').unrealizedCents).toBe(0n);
  });

  test('a loss is negative, and without a quote there is no value and no gain', () => {
    expect(position(abc, '99.00').unrealizedCents).toBe(59400n - 60006n);
    const unpriced = position(abc, undefined);
    expect(unpriced.valueCents).toBeNull();
    expect(unpriced.unrealizedCents).toBeNull();
    expect(unpriced.costBasisCents).toBe(60006n);
  });
});

test('a total is known only when every position has it', () => {
  const priced = [position(abc, '100.00'), position({ ...abc, sym: 'XYZ', cost_basis: '10.00' }, '2.00')];
  expect(total(priced, 'unrealizedCents')).toBe(-6n + 200n);
  expect(total([...priced, position(abc, null)], 'unrealizedCents')).toBeNull();
  expect(total([...priced, position(abc, null)], 'costBasisCents')).toBe(60006n * 2n + 1000n);
  expect(total([], 'valueCents')).toBe(0n);
});

test('percentages are signed, truncated to 2 decimals, and absent without a cost', () => {
  expect(percent(16038n, 63000n)).toBe('+25.45%');
  expect(percent(-4616n, 110000n)).toBe('−4.19%');
  expect(percent(0n, 100n)).toBe('0.00%');
  expect(percent(5n, 0n)).toBeNull();
});
