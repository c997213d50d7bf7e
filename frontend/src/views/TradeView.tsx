import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Side } from '../api/types';
import { Field } from '../components/Field';
import { ErrorMessage, StatusMessage } from '../components/Messages';
import { PendingTrades } from '../components/PendingTrades';
import { QuotePanel } from '../components/QuotePanel';
import { SymbolField } from '../components/SymbolField';
import { ViewHeading } from '../components/ViewHeading';
import { useAccount } from '../hooks/useAccount';
import { useCommand } from '../hooks/useCommand';
import { useQuote } from '../hooks/useQuotes';
import { useSignedIn } from '../hooks/useSession';
import { formatCents, formatMoney, formatShares, parseCents, readAmount, sharesFor, sharesText } from '../lib/money';
import { normalizeSymbol, symbolError } from '../lib/validate';

const TEXT: Record<Side, { title: string; verb: string; busy: string; intro: string }> = {
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
function estimate(
  side: Side,
  amountCents: bigint | null,
  priceCents: bigint | null,
  heldShares: bigint,
): { text: string; warn?: boolean } | null {
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

/**
 * BUY or SELL: a symbol (from the address's `?sym=` too, so /buy?sym=ABC is a link to it), its
 * quote, an amount, then the pending trade with its countdown and its Commit and Cancel.
 */
export function TradeView({ side }: { side: Side }) {
  const text = TEXT[side];
  const { api } = useSignedIn();
  const { summary } = useAccount();
  const [searchParams, setSearchParams] = useSearchParams();
  const requested = normalizeSymbol(searchParams.get('sym'));
  const [symbolText, setSymbolText] = useState(requested ?? '');
  const [sym, setSym] = useState<string | null>(requested);
  const [amount, setAmount] = useState('');
  const [errors, setErrors] = useState<{ sym?: string | null; amount?: string | null }>({});
  const [status, setStatus] = useState<string | null>(null);
  const [newTrxNum, setNewTrxNum] = useState<number | null>(null);
  const symbolRef = useRef<HTMLInputElement & HTMLSelectElement>(null);
  const amountRef = useRef<HTMLInputElement>(null);
  const quote = useQuote(sym);
  const trade = useCommand((s: string, cents: bigint) => api.startTrade(side, s, cents));

  const holdings = (summary?.holdings ?? []).filter((h) => h.shares > 0);
  const held = BigInt(holdings.find((h) => h.sym === sym)?.shares ?? 0);

  // A link to another symbol (?sym=) while this view is open: that symbol.
  useEffect(() => {
    if (requested) {
      setSymbolText(requested);
      setSym(requested);
    }
  }, [requested]);

  /** The symbol to quote and trade, in the address too (a reload or a shared link keeps it). */
  const choose = (picked: string | null) => {
    if (picked === sym && picked) void quote.refetch();
    setSym(picked);
    setSearchParams(picked ? { sym: picked } : {}, { replace: true });
  };

  const pickSymbol = (value: string): string | null => {
    const error = symbolError(value);
    setErrors((prev) => ({ ...prev, sym: error }));
    if (error) {
      symbolRef.current?.focus();
      return null;
    }
    const picked = normalizeSymbol(value);
    setSymbolText(picked ?? value);
    return picked;
  };

  const onQuote = (event: FormEvent) => {
    event.preventDefault();
    const picked = pickSymbol(symbolText);
    if (picked) choose(picked);
  };

  const onHoldingChange = (value: string) => {
    setSymbolText(value);
    setErrors((prev) => ({ ...prev, sym: null }));
    choose(value || null);
  };

  const onTrade = async (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    const picked = side === 'BUY' ? pickSymbol(symbolText) : sym;
    if (!picked) {
      setErrors((prev) => ({ ...prev, sym: prev.sym ?? 'Choose a holding to sell.' }));
      symbolRef.current?.focus();
      return;
    }
    if (picked !== sym) choose(picked);
    const read = readAmount(amount, `the amount to ${side === 'BUY' ? 'spend' : 'sell'}`);
    setErrors((prev) => ({ ...prev, amount: read.error ?? null }));
    if (read.error !== undefined) {
      amountRef.current?.focus();
      return;
    }
    const result = await trade.run(picked, read.cents);
    if (result.ok) {
      const pending = result.value.pending;
      setStatus(
        `${side} of ${formatShares(pending.shares)} ${pending.sym} at ${formatMoney(pending.price)} ` +
          `(${formatMoney(pending.amount)}) is pending: commit or cancel it before the countdown ends.`,
      );
      setNewTrxNum(pending.trxNum);
    }
  };

  // The "is pending" line lasts as long as that trade does; its outcome is said beside it.
  const pendingList = summary?.[side === 'BUY' ? 'pending_buys' : 'pending_sells'] ?? [];
  const shownStatus = pendingList.some((t) => t.trxNum === newTrxNum) ? status : null;
  const target = side === 'BUY' ? normalizeSymbol(symbolText) : sym;
  const latest = sym && quote.data?.sym === sym ? quote.data : undefined;
  const priceCents = latest ? parseCents(latest.price) : null;
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
              <SymbolField
                id="trade-sym"
                inputRef={symbolRef}
                value={symbolText}
                error={errors.sym}
                hint="1 to 5 letters or digits. Pick one you know or type a new one."
                onChange={setSymbolText}
              />
              <button type="submit" className="btn btn-secondary" disabled={quote.isFetching}>
                {quote.isFetching ? 'Getting quote…' : 'Get quote'}
              </button>
            </form>
          ) : holdings.length === 0 ? (
            <p className="empty">
              You hold no shares to sell. <Link to="/buy">Buy some first</Link>.
            </p>
          ) : (
            <SymbolField
              id="trade-sym"
              mode="choose"
              inputRef={symbolRef}
              value={sym ?? ''}
              error={errors.sym}
              onChange={onHoldingChange}
            />
          )}
          <ErrorMessage error={quote.error} />
          {latest && (
            <QuotePanel quote={latest} onRefresh={() => void quote.refetch()} refreshing={quote.isFetching} />
          )}

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
            <button
              type="submit"
              className="btn btn-primary btn-wide"
              disabled={trade.busy || (side === 'SELL' && holdings.length === 0)}
            >
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
