import { fireEvent, screen, within } from '@testing-library/react';
import { expect, test, vi } from 'vitest';
import type { Transaction } from '../../src/api/types';
import { fakeApi, refused, renderApp } from '../helpers';

const COMMANDS = ['ADD', 'BUY', 'COMMIT_BUY', 'SET_BUY_AMOUNT', 'SET_BUY_TRIGGER', 'BUY_TRIGGER_FIRED'];

function transactions(): Transaction[] {
  // 12 entries, newest first, as the API sends them
  return Array.from({ length: 12 }, (_, i) => {
    const command = COMMANDS[i % COMMANDS.length]!;
    return {
      trxNum: 100 - i,
      timestamp: 1_700_000_000_000 - i * 1000,
      command,
      ...(command === 'ADD' ? { amount: '100.00' } : { sym: i % 4 === 0 ? 'XYZ' : 'ABC', shares: 1, price: '10.00', amount: '10.00' }),
    };
  });
}

test('pages of 8, filters by what and by symbol', async () => {
  const api = fakeApi({ recentTransactions: vi.fn(async () => ({ ok: true as const, message: 'recent', transactions: transactions() })) });
  renderApp({ api, path: '/history' });
  const table = await screen.findByRole('table');
  expect(api.recentTransactions).toHaveBeenCalledWith(20);
  expect(within(table).getByText('Transactions 1–8 of 12')).toBeTruthy();
  expect(within(table).getAllByRole('row')).toHaveLength(9);
  expect(screen.getByText('Page 1 of 2')).toBeTruthy();
  fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
  expect(screen.getByText('Page 2 of 2')).toBeTruthy();
  expect((screen.getByRole('button', { name: 'Next page' }) as HTMLButtonElement).disabled).toBe(true);

  fireEvent.change(screen.getByLabelText('What'), { target: { value: 'BUY_TRIGGER_FIRED' } });
  expect(screen.getByText('Transactions 1–2 of 2 (filtered from 12)')).toBeTruthy();
  expect(screen.getAllByText('Buy trigger fired').length).toBeGreaterThanOrEqual(2);
  expect(screen.queryByText('Page 1 of 2')).toBeNull();

  fireEvent.change(screen.getByLabelText('What'), { target: { value: '' } });
  fireEvent.change(screen.getByLabelText('Symbol'), { target: { value: 'XYZ' } });
  const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
  expect(rows.every((row) => row.textContent.includes('XYZ'))).toBe(true);
});

test('the DUMPLOG download saves the XML under its file name', async () => {
  const createObjectURL = vi.fn((_blob: Blob) => 'blob:log');
  URL.createObjectURL = createObjectURL;
  URL.revokeObjectURL = vi.fn();
  const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
  const api = fakeApi();
  renderApp({ api, path: '/history' });
  const name = (await screen.findByLabelText('File name')) as HTMLInputElement;
  expect(name.value).toMatch(/^dts-alice-\d{4}-\d\d-\d\d\.xml$/);
  fireEvent.change(name, { target: { value: 'mine.xml' } });
  fireEvent.click(screen.getByRole('button', { name: 'Download my log' }));
  expect(await screen.findByText('Your log was downloaded as mine.xml.')).toBeTruthy();
  expect(api.dumplog).toHaveBeenCalledWith('mine.xml');
  expect(click).toHaveBeenCalled();
  expect(createObjectURL.mock.calls[0]?.[0]).toBeInstanceOf(Blob);
});

test('a bad file name is caught at the field; a refused download is said next to the button', async () => {
  const api = fakeApi({
    dumplog: vi.fn(async () => {
      throw refused('DTS is temporarily unavailable and nothing was changed. Try again in a moment.', 'UNAVAILABLE', 503);
    }),
  });
  renderApp({ api, path: '/history' });
  const name = await screen.findByLabelText('File name');
  fireEvent.change(name, { target: { value: '../etc/passwd' } });
  fireEvent.click(screen.getByRole('button', { name: 'Download my log' }));
  expect(screen.getByText(/Use letters, digits, dots, dashes or underscores/)).toBeTruthy();
  expect(api.dumplog).not.toHaveBeenCalled();
  fireEvent.change(name, { target: { value: 'ok.xml' } });
  fireEvent.click(screen.getByRole('button', { name: 'Download my log' }));
  expect((await screen.findByRole('alert')).textContent).toMatch(/temporarily unavailable/);
});
