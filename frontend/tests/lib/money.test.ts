// @vitest-environment node
import { describe, expect, test } from 'vitest';
import {
  formatCents,
  formatChange,
  formatMoney,
  parseCents,
  readAmount,
  sharesFor,
  sharesText,
  toWire,
} from '../../src/lib/money';

describe('parseCents', () => {
  test.each([
    ['123.45', 12345n],
    ['0.10', 10n],
    ['7', 700n],
    ['7.5', 750n],
    ['1,000.00', 100000n],
    ['$3', 300n],
    ['-12.50', -1250n],
    ['  42.01 ', 4201n],
    ['999999999999.99', 99999999999999n],
  ])('%s is %s cents', (text, cents) => {
    expect(parseCents(text)).toBe(cents);
  });

  test.each(['', 'abc', '1.234', '1e3', '1.2.3', null, undefined, '--1'])('%s is not money', (text) => {
    expect(parseCents(text)).toBeNull();
  });

  test('never goes through a float: 0.1 + 0.2 style sums stay exact', () => {
    expect(parseCents('0.10')! + parseCents('0.20')!).toBe(30n);
  });
});

describe('formatting', () => {
  test('dollars with thousands separators and two decimals', () => {
    expect(formatCents(123456789n)).toBe('$1,234,567.89');
    expect(formatCents(5n)).toBe('$0.05');
    expect(formatCents(-150n)).toBe('−$1.50');
    expect(formatMoney('2000.00')).toBe('$2,000.00');
    expect(formatMoney(undefined)).toBe('—');
  });

  test('a change is signed so that the sign is not colour alone', () => {
    expect(formatChange(150n)).toBe('+$1.50');
    expect(formatChange(-150n)).toBe('−$1.50');
    expect(formatChange(0n)).toBe('$0.00');
  });

  test('the wire format is a plain 2-decimal string', () => {
    expect(toWire(100000n)).toBe('1000.00');
    expect(toWire(5n)).toBe('0.05');
  });

  test('shares are counted in words', () => {
    expect(sharesText(1n)).toBe('1 share');
    expect(sharesText(1234)).toBe('1,234 shares');
  });
});

describe('sharesFor', () => {
  test('is floor(amount / price), as the API computes it', () => {
    expect(sharesFor(60000n, 26346n)).toBe(2n);
    expect(sharesFor(26345n, 26346n)).toBe(0n);
    expect(sharesFor(100n, 0n)).toBe(0n);
  });
});

describe('readAmount', () => {
  test('accepts dollars with up to 2 decimals', () => {
    expect(readAmount('250')).toEqual({ cents: 25000n });
    expect(readAmount('99.95')).toEqual({ cents: 9995n });
  });

  test.each([
    ['', /Enter the amount/],
    ['12.345', /at most 2 decimals/],
    ['ten', /like 250 or 99.95/],
    ['0', /more than \$0.00/],
    ['-5', /like 250/],
    ['1000000000.01', /at most \$1,000,000,000.00/],
  ])('%j is refused with a sentence that says how to fix it', (text, message) => {
    expect(readAmount(text).error).toMatch(message);
  });
});
