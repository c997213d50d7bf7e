import { fireEvent, screen, waitFor } from '@testing-library/react';
import { expect, test, vi } from 'vitest';
import type { Side } from '../../src/api/types';
import { fakeApi, order, refused, renderApp } from '../helpers';

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

test('a buy order sets the amount, then the trigger, and says when it fired at once', async () => {
  const api = fakeApi({
    setTrigger: vi.fn(async (_side: Side, sym: string) => ({
      ok: true as const,
      message: 'set',
      order: order({ sym, amount: '500.00', trigger: '300.00' }),
      fired: { side: 'BUY' as const, sym, shares: 1, price: '299.33', amount: '299.33' },
    })),
  });
  renderApp({ api, path: '/auto' });
  await screen.findByRole('heading', { name: 'Automatic trading' });
  type('Stock symbol', 'trg');
  type('Amount to spend ($)', '500');
  type('Buy when the price is at or below ($)', '300');
  fireEvent.click(screen.getByRole('button', { name: 'Set buy order' }));
  expect(await screen.findByText(/it fired at once: bought 1 TRG at \$299\.33 \(\$299\.33\)\./)).toBeTruthy();
  expect(api.setAmount).toHaveBeenCalledWith('BUY', 'TRG', 50000n);
  expect(api.setTrigger).toHaveBeenCalledWith('BUY', 'TRG', 30000n);
});

test('a sell order whose trigger is refused says that the amount was set', async () => {
  const api = fakeApi({
    setTrigger: vi.fn(async () => {
      throw refused('Insufficient shares of ABC: 9 needed, 2 available.', 'INSUFFICIENT_SHARES');
    }),
  });
  renderApp({ api, path: '/auto' });
  await screen.findByRole('heading', { name: 'Automatic trading' });
  fireEvent.click(screen.getByRole('radio', { name: 'Sell' }));
  type('Stock symbol', 'ABC');
  type('Amount to sell ($)', '90');
  type('Sell when the price is at or above ($)', '10');
  fireEvent.click(screen.getByRole('button', { name: 'Set sell order' }));
  const alert = await screen.findByRole('alert');
  expect(alert.textContent).toMatch(
    'Insufficient shares of ABC: 9 needed, 2 available. The sell amount was set; set the trigger again, or cancel the order below.',
  );
  expect(api.setAmount).toHaveBeenCalledWith('SELL', 'ABC', 9000n);
});

test('every field is checked before anything is sent', async () => {
  const api = fakeApi();
  renderApp({ api, path: '/auto' });
  await screen.findByRole('heading', { name: 'Automatic trading' });
  fireEvent.click(screen.getByRole('button', { name: 'Set buy order' }));
  expect(screen.getByText('Enter a stock symbol, like ABC.')).toBeTruthy();
  expect(screen.getByText('Enter the amount to spend in dollars.')).toBeTruthy();
  expect(screen.getByText('Enter the trigger price in dollars.')).toBeTruthy();
  await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Stock symbol')));
  expect(api.setAmount).not.toHaveBeenCalled();
});
