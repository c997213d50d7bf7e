import { useId } from 'react';
import { formatTime } from '../lib/format';
import { formatCents, parseCents } from '../lib/money';
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
  if (!points || points.length === 0) return null;
  if (points.length === 1) {
    return (
      <p className="hint chart-empty">
        One quote of {sym} seen so far: the chart draws a line as you see more (DTS refreshes a
        quote when it is 2 minutes old).
      </p>
    );
  }
  const cents = points.map((p) => parseCents(p.price) ?? 0n);
  const low = cents.reduce((a, b) => (b < a ? b : a));
  const high = cents.reduce((a, b) => (b > a ? b : a));
  const span = Number(high - low) || 1;
  const x = (i: number) => PAD_X + (i * (WIDTH - 2 * PAD_X)) / (points.length - 1);
  const y = (c: bigint) =>
    high === low ? HEIGHT / 2 : PAD_Y + ((Number(high - c) / span) * (HEIGHT - 2 * PAD_Y));
  const line = cents.map((c, i) => `${x(i).toFixed(1)},${y(c).toFixed(1)}`).join(' ');
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const summary =
    `${points.length} quotes of ${sym} you have seen, from ${formatTime(first.t)} to ${formatTime(last.t)}: ` +
    `first ${formatCents(cents[0])}, last ${formatCents(cents[cents.length - 1])}, ` +
    `low ${formatCents(low)}, high ${formatCents(high)}.`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId}>
        <title id={titleId}>{summary}</title>
        <line className="chart-grid" x1="0" x2={WIDTH} y1={PAD_Y} y2={PAD_Y} />
        <line className="chart-grid" x1="0" x2={WIDTH} y1={HEIGHT - PAD_Y} y2={HEIGHT - PAD_Y} />
        <polyline className="chart-line" points={line} />
        {cents.map((c, i) => (
          <circle
            key={points[i]!.t}
            className={i === cents.length - 1 ? 'chart-dot chart-dot-last' : 'chart-dot'}
            cx={x(i)}
            cy={y(c)}
            r={i === cents.length - 1 ? 4 : 2.5}
          />
        ))}
      </svg>
      <figcaption>
        <span>
          High {formatCents(high)} · Low {formatCents(low)}
        </span>
        <span>{points.length} quotes seen</span>
      </figcaption>
    </figure>
  );
}
