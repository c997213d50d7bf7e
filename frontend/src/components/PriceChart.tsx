import { useId } from 'react';
import { formatTime } from '../lib/format';
import { formatCents, formatMoney, parseCents } from '../lib/money';
import type { PricePoint } from '../lib/quoteHistory';

const WIDTH = 320;
const HEIGHT = 120;
const PAD_X = 8;
const PAD_Y = 14;

/**
 * The quotes of one symbol the user has seen, oldest to newest, as a line. Prices become numbers
 * only to place points on the drawing; every label is formatted from the exact cents.
 */
export function PriceChart({ sym, points }: { sym: string; points: PricePoint[] | undefined }) {
  const titleId = useId();
  const [first, ...rest] = points ?? [];
  const last = rest[rest.length - 1];
  if (!first) return null;
  if (!last) {
    return (
      <p className="hint chart-empty">
        One quote of {sym} seen so far: the chart draws a line as you see more (DTS refreshes a
        quote when it is 2 minutes old).
      </p>
    );
  }
  const dots = [first, ...rest].map((p) => ({ t: p.t, cents: parseCents(p.price) ?? 0n }));
  const cents = dots.map((d) => d.cents);
  const low = cents.reduce((a, b) => (b < a ? b : a));
  const high = cents.reduce((a, b) => (b > a ? b : a));
  const span = Number(high - low) || 1;
  const x = (i: number) => PAD_X + (i * (WIDTH - 2 * PAD_X)) / (dots.length - 1);
  const y = (c: bigint) => (high === low ? HEIGHT / 2 : PAD_Y + (Number(high - c) / span) * (HEIGHT - 2 * PAD_Y));
  const line = dots.map((d, i) => `${x(i).toFixed(1)},${y(d.cents).toFixed(1)}`).join(' ');
  const summary =
    `${dots.length} quotes of ${sym} you have seen, from ${formatTime(first.t)} to ${formatTime(last.t)}: ` +
    `first ${formatMoney(first.price)}, last ${formatMoney(last.price)}, ` +
    `low ${formatCents(low)}, high ${formatCents(high)}.`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId}>
        <title id={titleId}>{summary}</title>
        <line className="chart-grid" x1="0" x2={WIDTH} y1={PAD_Y} y2={PAD_Y} />
        <line className="chart-grid" x1="0" x2={WIDTH} y1={HEIGHT - PAD_Y} y2={HEIGHT - PAD_Y} />
        <polyline className="chart-line" points={line} />
        {dots.map((d, i) => (
          <circle
            key={d.t}
            className={i === dots.length - 1 ? 'chart-dot chart-dot-last' : 'chart-dot'}
            cx={x(i)}
            cy={y(d.cents)}
            r={i === dots.length - 1 ? 4 : 2.5}
          />
        ))}
      </svg>
      <figcaption>
        <span>
          High {formatCents(high)} · Low {formatCents(low)}
        </span>
        <span>{dots.length} quotes seen</span>
      </figcaption>
    </figure>
  );
}
