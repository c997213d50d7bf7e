import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError, toApiError } from '../api/errors';
import type { Fired, Side } from '../api/types';
import { Field } from '../components/Field';
import { ErrorMessage, StatusMessage } from '../components/Messages';
import { OrderList } from '../components/OrderList';
import { SymbolField } from '../components/SymbolField';
import { TransactionTable } from '../components/TransactionList';
import { ViewHeading } from '../components/ViewHeading';
import { useAccount } from '../hooks/useAccount';
import { useCommand } from '../hooks/useCommand';
import { useQuote } from '../hooks/useQuotes';
import { useSignedIn } from '../hooks/useSession';
import { formatTime } from '../lib/format';
import { formatMoney, formatShares, readAmount, sharesText } from '../lib/money';
import { normalizeSymbol, symbolError } from '../lib/validate';

const FIRED = new Set(['BUY_TRIGGER_FIRED', 'SELL_TRIGGER_FIRED']);

/** SET_*_TRIGGER refused after SET_*_AMOUNT went through: the amount stands, and the user is told. */
class TriggerRefused extends ApiError {}

function firedText(fired: Fired): string {
  const verb = fired.side === 'BUY' ? 'bought' : 'sold';
  return `it fired at once: ${verb} ${formatShares(fired.shares)} ${fired.sym} at ${formatMoney(fired.price)} (${formatMoney(fired.amount)}).`;
}

type FieldName = 'sym' | 'amount' | 'trigger';

/** SET_*_AMOUNT then SET_*_TRIGGER for one symbol, and the orders that are waiting. */
export function AutoTradeView() {
  const { api } = useSignedIn();
  const { summary, refresh, loading } = useAccount();
  const [side, setSide] = useState<Side>('BUY');
  const [symbolText, setSymbolText] = useState('');
  const [checked, setChecked] = useState<string | null>(null);
  const [amount, setAmount] = useState('');
  const [trigger, setTrigger] = useState('');
  const [errors, setErrors] = useState<Partial<Record<FieldName, string | null>>>({});
  const [status, setStatus] = useState<string | null>(null);
  const refs = {
    sym: useRef<HTMLInputElement & HTMLSelectElement>(null),
    amount: useRef<HTMLInputElement>(null),
    trigger: useRef<HTMLInputElement>(null),
  };
  const quote = useQuote(checked);
  const place = useCommand(async (s: Side, sym: string, amountCents: bigint, triggerCents: bigint) => {
    await api.setAmount(s, sym, amountCents);
    try {
      return await api.setTrigger(s, sym, triggerCents);
    } catch (thrown) {
      const error = await toApiError(thrown);
      throw new TriggerRefused(error.message, { code: error.code, status: error.status });
    }
  });

  const sym = normalizeSymbol(symbolText);
  const noun = side === 'BUY' ? 'buy' : 'sell';

  const onCheckPrice = () => {
    const error = symbolError(symbolText);
    setErrors((prev) => ({ ...prev, sym: error }));
    if (error || !sym) return refs.sym.current?.focus();
    if (sym === checked) void quote.refetch();
    setChecked(sym);
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    const amountRead = readAmount(amount, side === 'BUY' ? 'the amount to spend' : 'the amount to sell');
    const triggerRead = readAmount(trigger, 'the trigger price');
    const next = { sym: symbolError(symbolText), amount: amountRead.error, trigger: triggerRead.error };
    setErrors(next);
    const firstBad = (['sym', 'amount', 'trigger'] as const).find((k) => next[k]);
    if (firstBad) return refs[firstBad].current?.focus();
    if (!sym || amountRead.cents === undefined || triggerRead.cents === undefined) return;
    const result = await place.run(side, sym, amountRead.cents, triggerRead.cents);
    if (!result.ok) return;
    const { order, fired } = result.value;
    const set =
      side === 'BUY'
        ? `Buy order for ${sym} set: ${formatMoney(order.amount)} reserved, buys when the price is at or below ${formatMoney(order.trigger)}`
        : `Sell order for ${sym} set: ${sharesText(order.reserved_shares)} reserved, sells when the price is at or above ${formatMoney(order.trigger)}`;
    setStatus(fired ? `${set}; ${firedText(fired)}` : `${set}.`);
    setAmount('');
    setTrigger('');
  };

  const placeError = place.error
    ? place.error instanceof TriggerRefused
      ? `${place.error.message} The ${noun} amount was set; set the trigger again, or cancel the order below.`
      : place.error
    : null;
  const recentFired = (summary?.transactions ?? []).filter((t) => FIRED.has(t.command));
  const current = checked && sym === checked ? quote.data : undefined;

  return (
    <>
      <ViewHeading>Automatic trading</ViewHeading>
      <p className="lead">
        An automatic order trades for you when the price crosses its trigger. A buy order sets its
        cash aside now and buys as many shares as it pays for once the price is <em>at or below</em>{' '}
        the trigger. A sell order sets aside amount ÷ trigger shares now and sells them once the
        price is <em>at or above</em> the trigger. Each fires once.
      </p>
      <div className="grid grid-trade">
        <section className="card" aria-labelledby="auto-form-title">
          <h2 id="auto-form-title">New order</h2>
          <form onSubmit={onSubmit} noValidate aria-labelledby="auto-form-title">
            <fieldset className="segmented">
              <legend>Side</legend>
              {(['BUY', 'SELL'] as const).map((s) => (
                <label key={s} className={side === s ? 'segment segment-on' : 'segment'}>
                  <input
                    type="radio"
                    name="side"
                    value={s}
                    checked={side === s}
                    onChange={() => setSide(s)}
                  />
                  {s === 'BUY' ? 'Buy' : 'Sell'}
                </label>
              ))}
            </fieldset>
            <div className="inline-form">
              <SymbolField
                id="auto-sym"
                mode={side === 'SELL' ? 'held' : 'suggest'}
                inputRef={refs.sym}
                value={symbolText}
                error={errors.sym}
                hint={side === 'SELL' ? 'A symbol you hold.' : undefined}
                onChange={setSymbolText}
              />
              <button type="button" className="btn btn-secondary" onClick={onCheckPrice} disabled={quote.isFetching}>
                {quote.isFetching ? 'Checking…' : 'Check price'}
              </button>
            </div>
            <p className="estimate" aria-live="polite">
              {current
                ? `${current.sym} is ${formatMoney(current.price)} (quoted ${formatTime(current.quoteServerTime)}${current.cached ? ', cached' : ''}).`
                : ''}
            </p>
            <ErrorMessage error={quote.error} />
            <Field
              id="auto-amount"
              label={side === 'BUY' ? 'Amount to spend ($)' : 'Amount to sell ($)'}
              ref={refs.amount}
              inputMode="decimal"
              autoComplete="off"
              placeholder="500.00"
              value={amount}
              error={errors.amount}
              hint={side === 'BUY' ? `Available cash: ${formatMoney(summary?.funds)}` : undefined}
              onChange={(e) => setAmount(e.target.value)}
            />
            <Field
              id="auto-trigger"
              label={side === 'BUY' ? 'Buy when the price is at or below ($)' : 'Sell when the price is at or above ($)'}
              ref={refs.trigger}
              inputMode="decimal"
              autoComplete="off"
              placeholder="40.00"
              value={trigger}
              error={errors.trigger}
              onChange={(e) => setTrigger(e.target.value)}
            />
            <button type="submit" className="btn btn-primary btn-wide" disabled={place.busy}>
              {place.busy ? 'Setting…' : `Set ${noun} order`}
            </button>
            <ErrorMessage error={placeError} />
            <StatusMessage message={status} />
          </form>
        </section>
        <div className="card">
          <OrderList side="BUY" />
          <OrderList side="SELL" />
          <div className="card-tools">
            <button type="button" className="btn btn-secondary btn-small" onClick={refresh} disabled={loading}>
              {loading ? 'Refreshing…' : 'Refresh orders'}
            </button>
          </div>
        </div>
        <section className="card card-wide" aria-labelledby="fired-title">
          <div className="card-head">
            <h2 id="fired-title">Fired orders</h2>
            <Link to="/history" className="btn btn-secondary btn-small">
              All history
            </Link>
          </div>
          {recentFired.length === 0 ? (
            <p className="empty">None of your orders has fired recently.</p>
          ) : (
            <TransactionTable transactions={recentFired} />
          )}
        </section>
      </div>
    </>
  );
}
