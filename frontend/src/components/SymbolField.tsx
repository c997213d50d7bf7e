/**
 * The stock symbol field of the trading views: typed, with the symbols the user has to do with
 * (held, pending, ordered, quoted before) offered as suggestions, or, with `held`, chosen among
 * the holdings. Validation stays with the caller, which knows when to check.
 */

import { useId, type Ref } from 'react';
import { accountSymbols, useAccount } from '../hooks/useAccount';
import { useQuoteHistory } from '../hooks/useQuotes';
import { symbolsSeen } from '../lib/quoteHistory';
import { sharesText } from '../lib/money';
import { Field, SelectField } from './Field';

interface SymbolFieldProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  hint?: string;
  inputRef?: Ref<HTMLInputElement & HTMLSelectElement>;
  /** `suggest`: type any symbol; `held`: suggest only what is held; `choose`: pick a holding */
  mode?: 'suggest' | 'held' | 'choose';
}

export function SymbolField({ id, value, onChange, error, hint, inputRef, mode = 'suggest' }: SymbolFieldProps) {
  const { summary } = useAccount();
  const { history } = useQuoteHistory();
  const listId = useId();
  const holdings = (summary?.holdings ?? []).filter((h) => h.shares > 0);

  if (mode === 'choose') {
    return (
      <SelectField id={id} label="Holding" ref={inputRef} value={value} error={error} hint={hint} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose a holding…</option>
        {holdings.map((h) => (
          <option key={h.sym} value={h.sym}>
            {h.sym}: {sharesText(h.shares)}
          </option>
        ))}
      </SelectField>
    );
  }

  const suggestions =
    mode === 'held'
      ? holdings.map((h) => h.sym)
      : [...new Set([...accountSymbols(summary), ...symbolsSeen(history)])].sort();
  return (
    <>
      <Field
        id={id}
        label="Stock symbol"
        ref={inputRef}
        list={listId}
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        placeholder="ABC"
        maxLength={5}
        value={value}
        error={error}
        hint={hint}
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
    </>
  );
}
