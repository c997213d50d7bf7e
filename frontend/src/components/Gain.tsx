import { formatChange } from '../lib/money';
import { percent } from '../lib/gains';

/** A gain or loss: signed, in words for screen readers, coloured, and with its percentage of `costCents`. */
export function Gain({ cents, costCents }: { cents: bigint | null; costCents?: bigint | null }) {
  if (cents === null) return <>—</>;
  const pct = costCents === null || costCents === undefined ? null : percent(cents, costCents);
  return (
    <span className={cents > 0n ? 'gain' : cents < 0n ? 'loss' : undefined}>
      <span className="sr-only">{cents < 0n ? 'loss ' : 'gain '}</span>
      {formatChange(cents)}
      {pct && <span className="pct"> ({pct})</span>}
    </span>
  );
}
