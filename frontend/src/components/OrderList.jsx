import { useState } from 'react';
import { useAccount } from '../hooks/account.jsx';
import { useAction } from '../hooks/useAction.js';
import { useSession } from '../hooks/session.jsx';
import { formatMoney, sharesText } from '../lib/money.js';
import { ErrorMessage, StatusMessage } from './Messages.jsx';

const LISTS = { BUY: 'buy_triggers', SELL: 'sell_triggers' };

/** The automatic buy or sell orders, each with its Cancel. */
export function OrderList({ side, headingLevel = 2 }) {
  const { api } = useSession();
  const { summary, refresh } = useAccount();
  const [acting, setActing] = useState(null);
  const [status, setStatus] = useState(null);
  const cancel = useAction((sym) => api.cancelOrder(side, sym));
  const orders = summary?.[LISTS[side]] ?? [];
  const noun = side === 'BUY' ? 'buy' : 'sell';
  const Heading = `h${headingLevel}`;

  const onCancel = async (sym) => {
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
    refresh();
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
              <th scope="col">{side === 'BUY' ? 'Buy at or below' : 'Sell at or above'}</th>
              <th scope="col">Reserved</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {orders.map((order) => (
              <tr key={order.sym}>
                <th scope="row" data-label="Symbol">{order.sym}</th>
                <td data-label="Amount">{formatMoney(order.amount)}</td>
                <td data-label={side === 'BUY' ? 'Buy at or below' : 'Sell at or above'}>
                  {order.trigger === null ? <em>no trigger set yet</em> : formatMoney(order.trigger)}
                </td>
                <td data-label="Reserved">
                  {side === 'BUY'
                    ? `${formatMoney(order.amount)} cash`
                    : sharesText(order.reserved_shares)}
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
