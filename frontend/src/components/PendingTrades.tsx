import { useCallback, useEffect, useRef, useState } from 'react';
import type { PendingTrade, Side } from '../api/types';
import { useAccount, useInvalidateAccount } from '../hooks/useAccount';
import { useCommand, type Command } from '../hooks/useCommand';
import { useNow } from '../hooks/useNow';
import { useSignedIn } from '../hooks/useSession';
import { formatMoney, formatShares } from '../lib/money';
import { Countdown } from './Countdown';
import { ErrorMessage, StatusMessage } from './Messages';

const LISTS = { BUY: 'pending_buys', SELL: 'pending_sells' } as const;
const WORDS = {
  BUY: { done: 'Bought', noun: 'buy', released: (t: PendingTrade) => `${formatMoney(t.amount)} is available again` },
  SELL: { done: 'Sold', noun: 'sell', released: () => 'the shares are yours to sell again' },
};
const SETTLE_DELAY_MS = 1200; // past the server's own deadline before asking it again

type TradeCommand = Command<[], { trade: PendingTrade }>;

interface PendingTradesProps {
  side: Side;
  headingLevel?: 2 | 3;
  /** the trade just started: its Commit button takes the focus */
  focusTrxNum?: number | null;
}

/**
 * The pending BUYs or SELLs with their countdowns. COMMIT and CANCEL act on the newest live one
 * (the API's rule), so only that one has buttons; the others say so.
 */
export function PendingTrades({ side, headingLevel = 2, focusTrxNum }: PendingTradesProps) {
  const { api } = useSignedIn();
  const { summary, receivedAt } = useAccount();
  const invalidate = useInvalidateAccount();
  const now = useNow(250);
  const [status, setStatus] = useState<string | null>(null);
  const [lastActed, setLastActed] = useState<number | null>(null);
  const commit: TradeCommand = useCommand(() => api.commitTrade(side));
  const cancel: TradeCommand = useCommand(() => api.cancelTrade(side));
  const commitRef = useRef<HTMLButtonElement>(null);
  const focusedFor = useRef<number | null>(null);
  const words = WORDS[side];
  const Heading = headingLevel === 2 ? 'h2' : 'h3';

  // The window is counted from when this browser received `seconds_left`, so a clock that differs
  // from the server's does not matter; the rounding errs on the side of closing early.
  const clock = Math.max(now, receivedAt);
  const trades = (summary?.[LISTS[side]] ?? []).map((trade) => {
    const deadline = receivedAt + trade.seconds_left * 1000;
    return { ...trade, secondsLeft: Math.max(0, Math.ceil((deadline - clock) / 1000)) };
  });
  const actionable = trades.find((t) => t.secondsLeft > 0);

  useEffect(() => {
    if (focusTrxNum && actionable?.trxNum === focusTrxNum && focusedFor.current !== focusTrxNum) {
      focusedFor.current = focusTrxNum;
      commitRef.current?.focus();
    }
  }, [focusTrxNum, actionable]);

  const act = async (action: TradeCommand, trade: PendingTrade) => {
    setStatus(null);
    setLastActed(trade.trxNum);
    (action === commit ? cancel : commit).clearError();
    const result = await action.run();
    if (result.ok) {
      const done = result.value.trade;
      setStatus(
        action === commit
          ? `${words.done} ${formatShares(done.shares)} ${done.sym} at ${formatMoney(done.price)} (${formatMoney(done.amount)}).`
          : `Cancelled the ${words.noun} of ${formatShares(done.shares)} ${done.sym}: ${words.released(done)}.`,
      );
    }
  };

  const onExpire = useCallback(
    (trade: PendingTrade) => {
      setStatus(
        `The ${words.noun} of ${formatShares(trade.shares)} ${trade.sym} expired before it was committed: ${words.released(trade)}.`,
      );
      setTimeout(() => void invalidate(), SETTLE_DELAY_MS);
    },
    [invalidate, words],
  );

  const error = commit.error ?? cancel.error;
  const errorShownOnItem = Boolean(error) && trades.some((t) => t.trxNum === lastActed);
  const busy = commit.busy || cancel.busy;

  return (
    <section className="pending" aria-labelledby={`pending-${side}`}>
      <Heading id={`pending-${side}`}>Pending {words.noun}s</Heading>
      {trades.length === 0 ? (
        <p className="empty">No pending {words.noun}s.</p>
      ) : (
        <ul className="pending-list">
          {trades.map((trade) => {
            const live = trade === actionable;
            return (
              <li key={trade.trxNum} className={`pending-item${live ? ' pending-live' : ''}`}>
                <div className="pending-what">
                  <strong>
                    {side} {formatShares(trade.shares)} {trade.sym}
                  </strong>{' '}
                  at {formatMoney(trade.price)} = {formatMoney(trade.amount)}
                </div>
                <Countdown seconds={trade.secondsLeft} label={`${side} ${trade.sym}`} onExpire={() => onExpire(trade)} />
                {live ? (
                  <div className="actions">
                    <button ref={commitRef} type="button" className="btn btn-primary" disabled={busy} onClick={() => act(commit, trade)}>
                      {commit.busy ? 'Committing…' : `Commit ${words.noun}`}
                    </button>
                    <button type="button" className="btn btn-secondary" disabled={busy} onClick={() => act(cancel, trade)}>
                      {cancel.busy ? 'Cancelling…' : `Cancel ${words.noun}`}
                    </button>
                  </div>
                ) : (
                  trade.secondsLeft > 0 && <p className="hint">Commit or cancel the newer {words.noun} first.</p>
                )}
                {errorShownOnItem && trade.trxNum === lastActed && <ErrorMessage error={error} />}
              </li>
            );
          })}
        </ul>
      )}
      {error && !errorShownOnItem && <ErrorMessage error={error} />}
      <StatusMessage message={status} />
    </section>
  );
}
