import { fireEvent, screen, waitFor } from '@testing-library/react';
import { expect, test, vi } from 'vitest';
import { fakeApi, holding, order, renderApp, summary } from '../helpers';

function suggestions(label = 'Stock symbol'): string[] {
  const input = screen.getByLabelText(label);
  const list = document.getElementById(input.getAttribute('list') ?? '');
  return [...(list?.querySelectorAll('option') ?? [])].map((o) => o.value);
}

function accountApi() {
  localStorage.setItem('dts.quotes.alice', JSON.stringify({ QQQ: [{ t: 1, price: '1.00' }] }));
  return fakeApi({
    summary: vi.fn(async () =>
      summary({ holdings: [holding({ sym: 'ABC' })], buy_triggers: [order({ sym: 'XYZ' })] }),
    ),
  });
}

test('the symbol field suggests what the user holds, has orders for, or has quoted', async () => {
  renderApp({ api: accountApi(), path: '/buy' });
  await waitFor(() => expect(suggestions()).toEqual(['ABC', 'QQQ', 'XYZ']));
});

test('on the automatic view the same field suggests only holdings for a sell order', async () => {
  renderApp({ api: accountApi(), path: '/auto' });
  await waitFor(() => expect(suggestions()).toEqual(['ABC', 'QQQ', 'XYZ']));
  fireEvent.click(screen.getByRole('radio', { name: 'Sell' }));
  expect(suggestions()).toEqual(['ABC']);
  expect(screen.getByText('A symbol you hold.')).toBeTruthy();
});

test('selling, it is a choice among the holdings', async () => {
  renderApp({ api: accountApi(), path: '/sell' });
  const select = (await screen.findByLabelText('Holding')) as HTMLSelectElement;
  expect([...select.options].map((o) => o.textContent)).toEqual(['Choose a holding…', 'ABC: 2 shares']);
});
