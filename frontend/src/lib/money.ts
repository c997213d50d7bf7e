/**
 * Money as the API sends it: exact dollar strings ("123.45"). Inside the UI it is BigInt cents,
 * so nothing is ever rounded by binary floats; numbers appear only when a chart needs a scale.
 */

const DOLLARS_RE = /^(\d+)(?:\.(\d{0,2}))?$/;
export const MAX_AMOUNT_CENTS = 100_000_000_000n; // 1e9 dollars, the API's limit

/** Cents from a dollar string ("-12.5", "1,000.00", "$3"); null when it is not exact dollars. */
export function parseCents(value: string | number | null | undefined): bigint | null {
  if (value === null || value === undefined) return null;
  let text = String(value).trim();
  let negative = false;
  if (text.startsWith('-')) {
    negative = true;
    text = text.slice(1);
  }
  text = text.replace(/^\$/, '').replace(/,/g, '');
  const match = DOLLARS_RE.exec(text);
  if (!match) return null;
  const cents = BigInt(match[1] ?? '0') * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
  return negative ? -cents : cents;
}

/** `12345n` -> `"123.45"`: what the API wants for amounts and prices. */
export function toWire(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = abs / 100n;
  const frac = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `123456n` -> `"$1,234.56"`, negatives with a minus sign: `"−$1.50"`. */
export function formatCents(cents: bigint | null | undefined): string {
  if (cents === null || cents === undefined) return '—';
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = groupThousands((abs / 100n).toString());
  const frac = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '−' : ''}$${whole}.${frac}`;
}

/** A dollar string from the API, formatted for people; `—` if absent or not money. */
export function formatMoney(value: string | null | undefined): string {
  const cents = parseCents(value);
  return cents === null ? '—' : formatCents(cents);
}

/** `+$1.50` / `−$1.50` / `$0.00`: a change, signed so that the sign is never colour alone. */
export function formatChange(cents: bigint | null | undefined): string {
  if (cents === null || cents === undefined) return '—';
  if (cents > 0n) return `+${formatCents(cents)}`;
  return formatCents(cents);
}

/** Whole shares an amount buys at a price: floor(amount / price), as the API computes it. */
export function sharesFor(amountCents: bigint | null, priceCents: bigint | null): bigint {
  if (amountCents === null || priceCents === null || priceCents <= 0n || amountCents < 0n) {
    return 0n;
  }
  return amountCents / priceCents;
}

/**
 * Validates what a person typed as a dollar amount.
 * Returns `{ cents }` or `{ error }` with a sentence that says how to fix it.
 */
export type AmountRead = { cents: bigint; error?: undefined } | { cents?: undefined; error: string };

export function readAmount(text: string, what = 'the amount'): AmountRead {
  const trimmed = String(text ?? '').trim();
  if (!trimmed) return { error: `Enter ${what} in dollars.` };
  const cents = parseCents(trimmed);
  if (cents === null || cents < 0n) {
    return { error: `Enter ${what} in dollars, like 250 or 99.95 (at most 2 decimals).` };
  }
  if (cents === 0n) return { error: `${capitalize(what)} must be more than $0.00.` };
  if (cents > MAX_AMOUNT_CENTS) {
    return { error: `${capitalize(what)} must be at most $1,000,000,000.00.` };
  }
  return { cents };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Shares as people read them: `1,234`. */
export function formatShares(shares: number | bigint | null | undefined): string {
  return groupThousands(String(shares ?? 0));
}

/** `1 share`, `12 shares`. */
export function sharesText(shares: number | bigint): string {
  return `${formatShares(shares)} ${String(shares) === '1' ? 'share' : 'shares'}`;
}
