import { useState } from 'react';
import type { Side } from '../api/types';
import { useAccount } from '../hooks/useAccount';
import { useCommand } from '../hooks/useCommand';
import { useSignedIn } from '../hooks/useSession';
import { formatMoney, sharesText } from '../lib/money';
import { ErrorMessage, StatusMessage } from './Messages';

const LISTS = { BUY: 'buy_triggers', SELL: 'sell_triggers' } as const;

/** The automatic buy or sell orders, each with its Cancel. */
export function OrderList({ side, headingLevel = 2 }: { side: Side; headingLevel?: 2 | 3 }) {
  const { api } = useSignedIn();
  const { summary } = useAccount();
  const [acting, setActing] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const cancel = useCommand((sym: string) => api.cancelOrder(side, sym));
  const orders = summary?.[LISTS[side]] ?? [];
  const noun = side === 'BUY' ? 'buy' : 'sell';
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const priceLabel = side === 'BUY' ? 'Buy at or below' : 'Sell at or above';

  const onCancel = async (sym: string) => {
    setActing(sym);
    setStatus(null);
    const result = await cancel.run(sym);
    if (result.ok) {
      setStatus(
        side === 'BUY'
          ? `Cancelled the buy order for ${sym}: ${formatMoney(result.value.order.amount)} is available again.`
          : `Cancelled the sell order for ${sym}.`,
      );
    }
  };

  return (
    <section className="orders" aria-labelledby={`orders-${side}`}>
      <Heading id={`orders-${side}`}>Automatic {noun} orders</Heading>
      {orders.length === 0 ? (
        <p className="empty">No automatic {noun} orders.</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">Symbol</th>
                <th scope="col">Amount</th>
                <th scope="col">{priceLabel}</th>
                <th scope="col">Reserved</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {orders.map((order) => (
                <tr key={order.sym}>
                  <th scope="row" data-label="Symbol">
                    {order.sym}
                  </th>
                  <td data-label="Amount">{formatMoney(order.amount)}</td>
                  <td data-label={priceLabel}>
                    {order.trigger === null ? <em>no trigger set yet</em> : formatMoney(order.trigger)}
                  </td>
                  <td data-label="Reserved">
                    {side === 'BUY' ? `${formatMoney(order.amount)} cash` : sharesText(order.reserved_shares)}
                  </td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="btn btn-secondary btn-small"
                      disabled={cancel.busy}
                      aria-label={`Cancel the ${noun} order for ${order.sym}`}
                      onClick={() => onCancel(order.sym)}
                    >
                      {cancel.busy && acting === order.sym ? 'Cancelling…' : 'Cancel'}
                    </button>
                    {acting === order.sym && <ErrorMessage error={cancel.error} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cancel.error && !orders.some((o) => o.sym === acting) && <ErrorMessage error={cancel.error} />}
      <StatusMessage message={status} />
    </section>
  );
}
