import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { expect, test, vi } from 'vitest';
import { fakeApi, holding, order, refused, renderApp, summary } from '../helpers';

test('cash, and holdings valued at the latest quote against the cost basis the server keeps', async () => {
  const api = fakeApi({
    summary: vi.fn(async () =>
      summary({
        funds: '1234.50',
        reserved: '500.00',
        holdings: [
          holding({ sym: 'ABC', shares: 2, reserved_shares: 1, cost_basis: '630.00' }),
          holding({ sym: 'OLD', shares: 4, reserved_shares: 0, cost_basis: '1100.00' }),
        ],
        realized_gain: '-3.20',
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

  // 4 × 263.46 = 1053.84 against 1100.00 paid: a loss, said in words too
  const old = screen.getByRole('row', { name: /^OLD/ });
  expect(within(old).getByText('−$46.16').closest('.loss')?.textContent).toBe('loss −$46.16 (−4.19%)');
  expect(api.quote).toHaveBeenCalledWith('ABC');
  expect(api.quote).toHaveBeenCalledWith('OLD');

  expect(screen.getByTestId('holdings-value').textContent).toBe('$1,844.22');
  expect(screen.getByTestId('cost-basis').textContent).toBe('$1,730.00');
  expect(screen.getByTestId('unrealized-gain').textContent).toBe('gain +$114.22 (+6.60%)');
  expect(screen.getByTestId('realized-gain').textContent).toBe('loss −$3.20');
});

test('without a price the value and the unrealized gain are unknown, never guessed', async () => {
  const api = fakeApi({
    summary: vi.fn(async () => summary({ holdings: [holding({ sym: 'ABC', cost_basis: '500.00' })], realized_gain: '12.34' })),
    quote: vi.fn(async () => {
      throw refused('DTS is temporarily unavailable and nothing was changed. Try again in a moment.', 'UNAVAILABLE', 503);
    }),
  });
  renderApp({ api });
  const abc = await screen.findByRole('row', { name: /^ABC/ });
  await waitFor(() => expect(abc.textContent).toContain('unavailable'));
  expect(abc.textContent).toContain('$500.00');
  expect(screen.getByTestId('unrealized-gain').textContent).toBe('—');
  expect(screen.getByTestId('realized-gain').textContent).toBe('gain +$12.34');
  expect((await screen.findByRole('alert')).textContent).toMatch(/Price of ABC: DTS is temporarily unavailable/);
});

test('with nothing held, what sales made is still shown', async () => {
  const api = fakeApi({ summary: vi.fn(async () => summary({ realized_gain: '7.00' })) });
  renderApp({ api });
  expect(await screen.findByText(/You hold no shares now/)).toBeTruthy();
  expect(screen.getByTestId('realized-gain').textContent).toBe('gain +$7.00');
  expect(api.quote).not.toHaveBeenCalled();
});

test('add funds: a bad amount is said at the field and not sent; a good one is added', async () => {
  const api = fakeApi({ addFunds: vi.fn(async () => ({ ok: true as const, message: 'added', funds: '1250.00' })) });
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
        buy_triggers: [order({ sym: 'XYZ', amount: '500.00', trigger: '40.00' })],
        sell_triggers: [order({ sym: 'ABC', amount: '300.00', trigger: null })],
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
  expect(alert.closest('tr')?.textContent).toMatch(/^XYZ/);
  expect(api.cancelOrder).toHaveBeenCalledWith('BUY', 'XYZ');
});
