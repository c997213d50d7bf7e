import { useCallback, useEffect, useRef, useState } from 'react';
import { useAccount } from '../hooks/account.jsx';
import { useAction } from '../hooks/useAction.js';
import { useNow } from '../hooks/useNow.js';
import { useSession } from '../hooks/session.jsx';
import { formatMoney, formatShares } from '../lib/money.js';
import { Countdown } from './Countdown.jsx';
import { ErrorMessage, StatusMessage } from './Messages.jsx';

const LISTS = { BUY: 'pending_buys', SELL: 'pending_sells' };
const WORDS = {
  BUY: { done: 'Bought', noun: 'buy', released: (t) => `${formatMoney(t.amount)} is available again` },
  SELL: { done: 'Sold', noun: 'sell', released: () => 'the shares are yours to sell again' },
};
const SETTLE_DELAY_MS = 1200; // past the server's own deadline before asking it again

/**
 * The pending BUYs or SELLs with their countdowns. COMMIT and CANCEL act on the newest live one
 * (the API's rule), so only that one has buttons; the others say so.
 */
export function PendingTrades({ side, headingLevel = 2, focusTrxNum }) {
  const { api } = useSession();
  const { summary, receivedAt, refresh } = useAccount();
  const now = useNow(250);
  const [status, setStatus] = useState(null);
  const [lastActed, setLastActed] = useState(null);
  const commit = useAction(() => api.commitTrade(side));
  const cancel = useAction(() => api.cancelTrade(side));
  const commitRef = useRef(null);
  const focusedFor = useRef(null);
  const words = WORDS[side];
  const Heading = `h${headingLevel}`;

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

  const act = async (action, trade) => {
    setStatus(null);
    setLastActed(trade.trxNum);
    const other = action === commit ? cancel : commit;
    other.clearError();
    const result = await action.run();
    if (result.ok) {
      const done = result.value.trade;
      setStatus(
        action === commit
          ? `${words.done} ${formatShares(done.shares)} ${done.sym} at ${formatMoney(done.price)} (${formatMoney(done.amount)}).`
          : `Cancelled the ${words.noun} of ${formatShares(done.shares)} ${done.sym}: ${words.released(done)}.`,
      );
    }
    refresh();
  };

  const onExpire = useCallback(
    (trade) => {
      setStatus(
        `The ${words.noun} of ${formatShares(trade.shares)} ${trade.sym} expired before it was committed: ${words.released(trade)}.`,
      );
      setTimeout(refresh, SETTLE_DELAY_MS);
    },
    [refresh, words],
  );

  const error = commit.error ?? cancel.error;
  const errorShownOnItem = error && trades.some((t) => t.trxNum === lastActed);
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
                <Countdown
                  seconds={trade.secondsLeft}
                  label={`${side} ${trade.sym}`}
                  onExpire={() => onExpire(trade)}
                />
                {live ? (
                  <div className="actions">
                    <button
                      ref={commitRef}
                      type="button"
                      className="btn btn-primary"
                      disabled={busy}
                      onClick={() => act(commit, trade)}
                    >
                      {commit.busy ? 'Committing…' : `Commit ${words.noun}`}
                    </button>
                    <button
                      type="button"
                      className="btn btn-secondary"
                      disabled={busy}
                      onClick={() => act(cancel, trade)}
                    >
                      {cancel.busy ? 'Cancelling…' : `Cancel ${words.noun}`}
                    </button>
                  </div>
                ) : (
                  trade.secondsLeft > 0 && (
                    <p className="hint">Commit or cancel the newer {words.noun} first.</p>
                  )
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
