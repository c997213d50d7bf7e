import { useRef, useState } from 'react';
import { useAccount } from '../hooks/account.jsx';
import { useAction } from '../hooks/useAction.js';
import { useSession } from '../hooks/session.jsx';
import { formatCents, formatMoney, readAmount } from '../lib/money.js';
import { Field } from './Field.jsx';
import { ErrorMessage, StatusMessage } from './Messages.jsx';

export function AddFundsForm() {
  const { api } = useSession();
  const { refresh } = useAccount();
  const [amount, setAmount] = useState('');
  const [fieldError, setFieldError] = useState(null);
  const [status, setStatus] = useState(null);
  const inputRef = useRef(null);
  const add = useAction((cents) => api.addFunds(cents));

  const onSubmit = async (event) => {
    event.preventDefault();
    setStatus(null);
    const { cents, error } = readAmount(amount, 'the amount to add');
    setFieldError(error ?? null);
    if (error) {
      inputRef.current?.focus();
      return;
    }
    const result = await add.run(cents);
    if (result.ok) {
      setAmount('');
      setStatus(`Added ${formatCents(cents)}. Available cash: ${formatMoney(result.value.funds)}.`);
      refresh();
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
