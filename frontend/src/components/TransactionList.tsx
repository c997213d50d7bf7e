import type { ReactNode } from 'react';
import type { Transaction } from '../api/types';
import { commandLabel, formatDateTime } from '../lib/format';
import { formatMoney, formatShares } from '../lib/money';

/** A cell that may have nothing to say: a dash on a wide screen, left out of a phone's card. */
function Cell({ label, value }: { label: string; value: ReactNode }) {
  const empty = value === null || value === undefined;
  return (
    <td data-label={label} className={empty ? 'cell-empty' : undefined}>
      {empty ? '—' : value}
    </td>
  );
}

/** Recent transactions as a table (stacked into cards on a phone). */
export function TransactionTable({ transactions, caption }: { transactions: Transaction[]; caption?: string }) {
  return (
    <div className="table-wrap">
      <table className="table table-stack">
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Symbol</th>
            <th scope="col">Shares</th>
            <th scope="col">Price</th>
            <th scope="col">Amount</th>
            <th scope="col">Trx #</th>
          </tr>
        </thead>
        <tbody>
          {transactions.map((t) => (
            <tr key={`${t.timestamp}-${t.trxNum}-${t.command}-${t.sym ?? ''}`}>
              <td data-label="When">{formatDateTime(t.timestamp)}</td>
              <th scope="row" data-label="What" className={`cmd cmd-${t.command.toLowerCase()}`}>
                {commandLabel(t.command)}
              </th>
              <Cell label="Symbol" value={t.sym} />
              <Cell label="Shares" value={t.shares === undefined ? null : formatShares(t.shares)} />
              <Cell label="Price" value={t.price === undefined ? null : formatMoney(t.price)} />
              <Cell label="Amount" value={t.amount === undefined ? null : formatMoney(t.amount)} />
              <td data-label="Trx #">{t.trxNum}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
