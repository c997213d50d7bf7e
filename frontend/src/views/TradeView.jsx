import { useEffect, useId, useRef, useState } from 'react';
import { Field } from '../components/Field.jsx';
import { ErrorMessage, StatusMessage } from '../components/Messages.jsx';
import { PendingTrades } from '../components/PendingTrades.jsx';
import { QuotePanel } from '../components/QuotePanel.jsx';
import { ViewHeading } from '../components/ViewHeading.jsx';
import { accountSymbols, useAccount } from '../hooks/account.jsx';
import { useQuotes } from '../hooks/quotes.jsx';
import { useAction } from '../hooks/useAction.js';
import { Link, useQueryParam } from '../hooks/useRoute.jsx';
import { useSession } from '../hooks/session.jsx';
import { symbolsSeen } from '../lib/quoteHistory.js';
import {
  formatCents,
  formatMoney,
  formatShares,
  parseCents,
  readAmount,
  sharesFor,
  sharesText,
} from '../lib/money.js';
import { normalizeSymbol, symbolError } from '../lib/validate.js';

const TEXT = {
  BUY: {
    title: 'Buy stock',
    verb: 'Buy',
    busy: 'Buying…',
    intro:
      'Get a quote, choose how many dollars to spend, press Buy, then commit before the countdown ends. ' +
      'The price is fixed when you press Buy; the cost is set aside until you commit or cancel.',
  },
  SELL: {
    title: 'Sell stock',
    verb: 'Sell',
    busy: 'Selling…',
    intro:
      'Pick a holding, choose how many dollars of it to sell, press Sell, then commit before the countdown ends. ' +
      'The price is fixed when you press Sell; the shares are set aside until you commit or cancel.',
  },
};

/** What the amount buys or sells at the latest quote, in words (an estimate until the trade). */
function estimate(side, amountCents, priceCents, heldShares) {
  if (amountCents === null || priceCents === null) return null;
  const shares = sharesFor(amountCents, priceCents);
  if (shares === 0n) {
    return {
      warn: true,
      text: `${formatCents(amountCents)} is less than one share at ${formatCents(priceCents)}.`,
    };
  }
  const cost = shares * priceCents;
  if (side === 'BUY') {
    const rest = amountCents - cost;
    return {
      text:
        `At ${formatCents(priceCents)} a share, ${formatCents(amountCents)} buys ${sharesText(shares)} for ${formatCents(cost)}` +
        (rest > 0n ? `; ${formatCents(rest)} stays available.` : '.'),
    };
  }
  if (shares > heldShares) {
    return {
      warn: true,
      text:
        `That is ${sharesText(shares)}, but you have ${sharesText(heldShares)} to sell: ` +
        `at most ${formatCents(heldShares * priceCents)} at this price.`,
    };
  }
  return {
    text:
      `At ${formatCents(priceCents)} a share, ${formatCents(amountCents)} sells ${formatShares(shares)} of your ` +
      `${sharesText(heldShares)} for ${formatCents(cost)}.`,
  };
}

export function TradeView({ side }) {
  const text = TEXT[side];
  const { api } = useSession();
  const { summary, refresh } = useAccount();
  const { latest, history, getQuote } = useQuotes();
  const requested = normalizeSymbol(useQueryParam('sym'));
  const [symbolText, setSymbolText] = useState(requested ?? '');
  const [sym, setSym] = useState(requested);
  const [amount, setAmount] = useState('');
  const [errors, setErrors] = useState({});
  const [status, setStatus] = useState(null);
  const [newTrxNum, setNewTrxNum] = useState(null);
  const symbolRef = useRef(null);
  const amountRef = useRef(null);
  const listId = useId();
  const quote = useAction((s) => getQuote(s));
  const trade = useAction((s, cents) => api.startTrade(side, s, cents));

  const holdings = (summary?.holdings ?? []).filter((h) => h.shares > 0);
  const held = BigInt(holdings.find((h) => h.sym === sym)?.shares ?? 0);
  const suggestions = [...new Set([...accountSymbols(summary), ...symbolsSeen(history)])].sort();
  const runQuote = quote.run;

  useEffect(() => {
    if (requested) runQuote(requested);
  }, [requested, runQuote]);

  useEffect(() => {
    refresh();
  }, [refresh]);

  const pickSymbol = (value) => {
    const error = symbolError(value);
    setErrors((prev) => ({ ...prev, sym: error }));
    if (error) {
      symbolRef.current?.focus();
      return null;
    }
    const picked = normalizeSymbol(value);
    setSym(picked);
    setSymbolText(picked);
    return picked;
  };

  const onQuote = (event) => {
    event.preventDefault();
    const picked = pickSymbol(symbolText);
    if (picked) runQuote(picked);
  };

  const onHoldingChange = (event) => {
    const value = event.target.value;
    setSymbolText(value);
    setSym(value || null);
    setErrors((prev) => ({ ...prev, sym: null }));
    if (value) runQuote(value);
  };

  const onTrade = async (event) => {
    event.preventDefault();
    setStatus(null);
    const picked = side === 'BUY' ? pickSymbol(symbolText) : sym;
    if (!picked) {
      setErrors((prev) => ({ ...prev, sym: prev.sym ?? 'Choose a holding to sell.' }));
      symbolRef.current?.focus();
      return;
    }
    const { cents, error } = readAmount(amount, `the amount to ${side === 'BUY' ? 'spend' : 'sell'}`);
    setErrors((prev) => ({ ...prev, amount: error ?? null }));
    if (error) {
      amountRef.current?.focus();
      return;
    }
    const result = await trade.run(picked, cents);
    if (result.ok) {
      const pending = result.value.pending;
      setStatus(
        `${side} of ${formatShares(pending.shares)} ${pending.sym} at ${formatMoney(pending.price)} ` +
          `(${formatMoney(pending.amount)}) is pending: commit or cancel it before the countdown ends.`,
      );
      await refresh();
      setNewTrxNum(pending.trxNum);
    } else {
      refresh();
    }
  };

  // The "is pending" line lasts as long as that trade does; its outcome is said beside it.
  const pendingList = summary?.[side === 'BUY' ? 'pending_buys' : 'pending_sells'] ?? [];
  const shownStatus = pendingList.some((t) => t.trxNum === newTrxNum) ? status : null;
  const target = side === 'BUY' ? normalizeSymbol(symbolText) : sym;
  const priceCents = sym && latest[sym] ? parseCents(latest[sym].price) : null;
  const amountCents = parseCents(amount);
  const guess = estimate(side, amountCents !== null && amountCents > 0n ? amountCents : null, priceCents, held);

  return (
    <>
      <ViewHeading>{text.title}</ViewHeading>
      <p className="lead">{text.intro}</p>
      <div className="grid grid-trade">
        <section className="card" aria-labelledby="trade-form-title">
          <h2 id="trade-form-title">{side === 'BUY' ? 'What to buy' : 'What to sell'}</h2>
          {side === 'BUY' ? (
            <form className="inline-form" onSubmit={onQuote} noValidate aria-label="Get a quote">
              <Field
                id="trade-sym"
                label="Stock symbol"
                ref={symbolRef}
                list={listId}
                autoComplete="off"
                autoCapitalize="characters"
                spellCheck={false}
                placeholder="ABC"
                maxLength={5}
                value={symbolText}
                error={errors.sym}
                hint="1 to 5 letters or digits. Pick one you know or type a new one."
                onChange={(e) => setSymbolText(e.target.value)}
              />
              <datalist id={listId}>
                {suggestions.map((s) => (
                  <option key={s} value={s} />
                ))}
              </datalist>
              <button type="submit" className="btn btn-secondary" disabled={quote.busy}>
                {quote.busy ? 'Getting quote…' : 'Get quote'}
              </button>
            </form>
          ) : holdings.length === 0 ? (
            <p className="empty">
              You hold no shares to sell. <Link to="/trade/buy">Buy some first</Link>.
            </p>
          ) : (
            <Field
              id="trade-sym"
              label="Holding"
              as="select"
              ref={symbolRef}
              value={sym ?? ''}
              error={errors.sym}
              onChange={onHoldingChange}
            >
              <option value="">Choose a holding…</option>
              {holdings.map((h) => (
                <option key={h.sym} value={h.sym}>
                  {h.sym}: {sharesText(h.shares)}
                </option>
              ))}
            </Field>
          )}
          <ErrorMessage error={quote.error} />
          {sym && <QuotePanel sym={sym} onRefresh={() => runQuote(sym)} refreshing={quote.busy} />}

          <form onSubmit={onTrade} noValidate aria-label={`${text.verb} ${target ?? 'stock'}`} className="trade-form">
            <Field
              id="trade-amount"
              label={side === 'BUY' ? 'Amount to spend ($)' : 'Amount to sell ($)'}
              ref={amountRef}
              inputMode="decimal"
              autoComplete="off"
              placeholder="500.00"
              value={amount}
              error={errors.amount}
              hint={
                side === 'BUY'
                  ? `Available cash: ${formatMoney(summary?.funds)}`
                  : sym
                    ? `You have ${sharesText(held)} of ${sym} to sell.`
                    : 'Choose a holding first.'
              }
              onChange={(e) => setAmount(e.target.value)}
            />
            <p className={`estimate${guess?.warn ? ' estimate-warn' : ''}`} aria-live="polite">
              {guess?.text ?? (sym && !priceCents ? 'Get a quote to see how many shares that is.' : '')}
            </p>
            <button type="submit" className="btn btn-primary btn-wide" disabled={trade.busy || (side === 'SELL' && holdings.length === 0)}>
              {trade.busy ? text.busy : `${text.verb}${target ? ` ${target}` : ''}`}
            </button>
            <ErrorMessage error={trade.error} />
            <StatusMessage message={shownStatus} />
          </form>
        </section>
        <div className="card">
          <PendingTrades side={side} focusTrxNum={newTrxNum} />
        </div>
      </div>
    </>
  );
}
