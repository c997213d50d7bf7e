import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { expect, test, vi } from 'vitest';
import { fakeApi, refused, renderApp, summary } from '../helpers.jsx';

test('cash, and holdings valued at the latest quote with gain against the average cost paid', async () => {
  const api = fakeApi({
    summary: vi.fn(async () =>
      summary({
        funds: '1234.50',
        reserved: '500.00',
        holdings: [
          { sym: 'ABC', shares: 2, reserved_shares: 1 },
          { sym: 'OLD', shares: 4, reserved_shares: 0 },
        ],
        transactions: [
          { trxNum: 3, timestamp: 3, command: 'BUY_TRIGGER_FIRED', sym: 'ABC', shares: 1, price: '230.00', amount: '230.00' },
          { trxNum: 2, timestamp: 2, command: 'COMMIT_BUY', sym: 'ABC', shares: 2, price: '200.00', amount: '400.00' },
          { trxNum: 1, timestamp: 1, command: 'ADD', amount: '2000.00' },
        ],
      }),
    ),
  });
  renderApp({ api });
  expect((await screen.findByTestId('funds')).textContent).toBe('$1,234.50');
  expect(screen.getByTestId('reserved').textContent).toBe('$500.00');
  expect(screen.getByText('$1,734.50')).toBeTruthy();

  const abc = await screen.findByRole('row', { name: /^ABC/ });
  await waitFor(() => expect(abc.textContent).toContain('$790.38'));
  expect(abc.textContent).toContain('3 (1 reserved to sell)');
  expect(abc.textContent).toContain('$630.00');
  expect(within(abc).getByText('+$160.38').closest('.gain')).toBeTruthy();
  expect(abc.textContent).toContain('(+25.45%)');

  const old = screen.getByRole('row', { name: /^OLD/ });
  expect(old.textContent).toContain('unknown');
  expect(api.quote).toHaveBeenCalledWith('ABC');
  expect(api.quote).toHaveBeenCalledWith('OLD');
});

test('add funds: a bad amount is said at the field and not sent; a good one is added', async () => {
  const api = fakeApi({ addFunds: vi.fn(async () => ({ ok: true, funds: '1250.00' })) });
  renderApp({ api });
  const input = await screen.findByLabelText('Add funds ($)');
  fireEvent.change(input, { target: { value: 'lots' } });
  fireEvent.click(screen.getByRole('button', { name: 'Add funds' }));
  expect(screen.getByText(/Enter the amount to add in dollars/)).toBeTruthy();
  expect(api.addFunds).not.toHaveBeenCalled();
  fireEvent.change(input, { target: { value: '250' } });
  fireEvent.click(screen.getByRole('button', { name: 'Add funds' }));
  expect(await screen.findByText('Added $250.00. Available cash: $1,250.00.')).toBeTruthy();
  expect(api.addFunds).toHaveBeenCalledWith(25000n);
});

test('automatic orders are listed with their Cancel; a refused cancel is said in that row', async () => {
  const api = fakeApi({
    summary: vi.fn(async () =>
      summary({
        buy_triggers: [{ sym: 'XYZ', amount: '500.00', trigger: '40.00', reserved_shares: 0 }],
        sell_triggers: [{ sym: 'ABC', amount: '300.00', trigger: null, reserved_shares: 0 }],
      }),
    ),
    cancelOrder: vi.fn(async () => {
      throw refused('There is no buy order for XYZ to cancel.', 'NO_BUY_AMOUNT');
    }),
  });
  renderApp({ api });
  const cancel = await screen.findByRole('button', { name: 'Cancel the buy order for XYZ' });
  expect(screen.getByText('no trigger set yet')).toBeTruthy();
  fireEvent.click(cancel);
  const alert = await screen.findByRole('alert');
  expect(alert.textContent).toMatch('There is no buy order for XYZ to cancel.');
  expect(alert.closest('tr').textContent).toMatch(/^XYZ/);
  expect(api.cancelOrder).toHaveBeenCalledWith('BUY', 'XYZ');
});
