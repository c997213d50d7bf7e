import { useRef, useState, type FormEvent } from 'react';
import { useCommand } from '../hooks/useCommand';
import { useSignedIn } from '../hooks/useSession';
import { formatCents, formatMoney, readAmount } from '../lib/money';
import { Field } from './Field';
import { ErrorMessage, StatusMessage } from './Messages';

export function AddFundsForm() {
  const { api } = useSignedIn();
  const [amount, setAmount] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const add = useCommand((cents: bigint) => api.addFunds(cents));

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    const read = readAmount(amount, 'the amount to add');
    setFieldError(read.error ?? null);
    if (read.error !== undefined) {
      inputRef.current?.focus();
      return;
    }
    const result = await add.run(read.cents);
    if (result.ok) {
      setAmount('');
      setStatus(`Added ${formatCents(read.cents)}. Available cash: ${formatMoney(result.value.funds)}.`);
    }
  };

  return (
    <form className="inline-form" onSubmit={onSubmit} noValidate aria-label="Add funds">
      <Field
        id="add-amount"
        label="Add funds ($)"
        ref={inputRef}
        inputMode="decimal"
        autoComplete="off"
        placeholder="1000.00"
        value={amount}
        error={fieldError}
        onChange={(e) => setAmount(e.target.value)}
      />
      <button type="submit" className="btn btn-primary" disabled={add.busy}>
        {add.busy ? 'Adding…' : 'Add funds'}
      </button>
      <ErrorMessage error={add.error} />
      <StatusMessage message={status} />
    </form>
  );
}
