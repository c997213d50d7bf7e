import { useEffect, useId, useRef, useState } from 'react';
import { Field } from '../components/Field.jsx';
import { ErrorMessage, StatusMessage } from '../components/Messages.jsx';
import { OrderList } from '../components/OrderList.jsx';
import { TransactionTable } from '../components/TransactionList.jsx';
import { ViewHeading } from '../components/ViewHeading.jsx';
import { accountSymbols, useAccount } from '../hooks/account.jsx';
import { useQuotes } from '../hooks/quotes.jsx';
import { useAction } from '../hooks/useAction.js';
import { Link } from '../hooks/useRoute.jsx';
import { useSession } from '../hooks/session.jsx';
import { formatTime } from '../lib/format.js';
import { symbolsSeen } from '../lib/quoteHistory.js';
import { formatMoney, formatShares, readAmount, sharesText } from '../lib/money.js';
import { normalizeSymbol, symbolError } from '../lib/validate.js';

const FIRED = new Set(['BUY_TRIGGER_FIRED', 'SELL_TRIGGER_FIRED']);

function firedText(fired) {
  const verb = fired.side === 'BUY' ? 'bought' : 'sold';
  return `it fired at once: ${verb} ${formatShares(fired.shares)} ${fired.sym} at ${formatMoney(fired.price)} (${formatMoney(fired.amount)}).`;
}

/** SET_*_AMOUNT then SET_*_TRIGGER for one symbol, and the orders that are waiting. */
export function AutoTradeView() {
  const { api } = useSession();
  const { summary, refresh, loading } = useAccount();
  const { latest, history, getQuote } = useQuotes();
  const [side, setSide] = useState('BUY');
  const [symbolText, setSymbolText] = useState('');
  const [amount, setAmount] = useState('');
  const [trigger, setTrigger] = useState('');
  const [errors, setErrors] = useState({});
  const [status, setStatus] = useState(null);
  const refs = { sym: useRef(null), amount: useRef(null), trigger: useRef(null) };
  const listId = useId();
  const quote = useAction((sym) => getQuote(sym));
  const place = useAction(async (s, sym, amountCents, triggerCents) => {
    await api.setAmount(s, sym, amountCents);
    try {
      return await api.setTrigger(s, sym, triggerCents);
    } catch (error) {
      error.amountWasSet = true;
      throw error;
    }
  });

  const suggestions =
    side === 'SELL'
      ? (summary?.holdings ?? []).map((h) => h.sym)
      : [...new Set([...accountSymbols(summary), ...symbolsSeen(history)])].sort();
  const sym = normalizeSymbol(symbolText);

  useEffect(() => {
    refresh();
  }, [refresh]);
  const noun = side === 'BUY' ? 'buy' : 'sell';

  const onCheckPrice = () => {
    const error = symbolError(symbolText);
    setErrors((prev) => ({ ...prev, sym: error }));
    if (error) return refs.sym.current?.focus();
    quote.run(sym);
  };

  const onSubmit = async (event) => {
    event.preventDefault();
    setStatus(null);
    const amountRead = readAmount(amount, side === 'BUY' ? 'the amount to spend' : 'the amount to sell');
    const triggerRead = readAmount(trigger, 'the trigger price');
    const next = { sym: symbolError(symbolText), amount: amountRead.error, trigger: triggerRead.error };
    setErrors(next);
    const firstBad = ['sym', 'amount', 'trigger'].find((k) => next[k]);
    if (firstBad) return refs[firstBad].current?.focus();
    const result = await place.run(side, sym, amountRead.cents, triggerRead.cents);
    refresh();
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
    ? place.error.amountWasSet
      ? `${place.error.message} The ${noun} amount was set; set the trigger again, or cancel the order below.`
      : place.error
    : null;
  const recentFired = (summary?.transactions ?? []).filter((t) => FIRED.has(t.command));
  const current = sym ? latest[sym] : null;

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
              {['BUY', 'SELL'].map((s) => (
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
              <Field
                id="auto-sym"
                label="Stock symbol"
                ref={refs.sym}
                list={listId}
                autoComplete="off"
                autoCapitalize="characters"
                spellCheck={false}
                placeholder="ABC"
                maxLength={5}
                value={symbolText}
                error={errors.sym}
                hint={side === 'SELL' ? 'A symbol you hold.' : undefined}
                onChange={(e) => setSymbolText(e.target.value)}
              />
              <datalist id={listId}>
                {suggestions.map((s) => (
                  <option key={s} value={s} />
                ))}
              </datalist>
              <button type="button" className="btn btn-secondary" onClick={onCheckPrice} disabled={quote.busy}>
                {quote.busy ? 'Checking…' : 'Check price'}
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
