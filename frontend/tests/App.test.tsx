import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import axios from 'axios';
import { afterEach, expect, test, vi } from 'vitest';
import { App } from '../src/App';
import { fakeApi, holding, refused, summary } from './helpers';

const realAdapter = axios.defaults.adapter;
afterEach(() => {
  axios.defaults.adapter = realAdapter;
});

function storeSession(token = 'tok') {
  localStorage.setItem('dts.session', JSON.stringify({ token, username: 'alice' }));
}

test('the session survives a page load: the stored token opens the dashboard', async () => {
  storeSession();
  render(<App api={fakeApi()} />);
  await screen.findByRole('heading', { name: 'Dashboard' });
  expect(screen.getByText('alice')).toBeTruthy();
});

test('an expired token (by its own exp) is not even tried', () => {
  const payload = btoa(JSON.stringify({ sub: 'alice', exp: 1 }));
  storeSession(`x.${payload}.y`);
  render(<App api={fakeApi()} />);
  expect(screen.getByRole('heading', { name: 'Log in to DTS' })).toBeTruthy();
  expect(localStorage.getItem('dts.session')).toBeNull();
});

test('a 401 from any command sends you back to log in, saying why', async () => {
  storeSession();
  axios.defaults.adapter = async (config) => {
    const response = {
      status: 401,
      statusText: 'Unauthorized',
      data: JSON.stringify({ ok: false, error: 'the token has expired, log in again', code: 'TOKEN_EXPIRED' }),
      headers: {},
      config,
    };
    throw new axios.AxiosError('401', 'ERR_BAD_REQUEST', config, {}, response);
  };
  render(<App />);
  await screen.findByRole('heading', { name: 'Log in to DTS' });
  expect(screen.getByText('Your session has expired. Please log in again.')).toBeTruthy();
  expect(localStorage.getItem('dts.session')).toBeNull();
});

test('log out ends the session and shows the login view', async () => {
  storeSession();
  render(<App api={fakeApi()} />);
  fireEvent.click(await screen.findByRole('button', { name: 'Log out' }));
  await screen.findByRole('heading', { name: 'Log in to DTS' });
  expect(screen.getByText('You are logged out.')).toBeTruthy();
  expect(localStorage.getItem('dts.session')).toBeNull();
  await waitFor(() => expect(window.location.pathname).toBe('/login'));
});

test('navigation moves the focus to the new view\'s heading', async () => {
  storeSession();
  render(<App api={fakeApi()} />);
  await screen.findByRole('heading', { name: 'Dashboard' });
  fireEvent.click(screen.getByRole('link', { name: 'History' }));
  const heading = await screen.findByRole('heading', { level: 1, name: 'History' });
  expect(document.activeElement).toBe(heading);
  expect(document.title).toBe('History · DTS');
  expect(screen.getByRole('link', { name: 'History' }).getAttribute('aria-current')).toBe('page');
});

test('an account that cannot be loaded is said above the view, with a way to try again', async () => {
  storeSession();
  let fail = true;
  const api = fakeApi({
    summary: vi.fn(async () => {
      if (fail) throw refused('DTS is temporarily unavailable and nothing was changed. Try again in a moment.', 'UNAVAILABLE', 503);
      return summary({ funds: '5.00' });
    }),
  });
  render(<App api={api} />);
  expect((await screen.findByRole('alert')).textContent).toMatch(
    'Your account could not be loaded: DTS is temporarily unavailable',
  );
  fail = false;
  fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
  expect((await screen.findByTestId('funds')).textContent).toBe('$5.00');
  expect(screen.queryByRole('alert')).toBeNull();
});

test('a deep link opens its view with its symbol on the first load', async () => {
  storeSession();
  window.history.replaceState(null, '', '/buy?sym=xyz');
  const api = fakeApi();
  render(<App api={api} />);
  await screen.findByRole('heading', { level: 1, name: 'Buy stock' });
  expect(await screen.findByRole('region', { name: 'Quote for XYZ' })).toBeTruthy();
  expect(api.quote).toHaveBeenCalledWith('XYZ');
  expect((screen.getByLabelText('Stock symbol') as HTMLInputElement).value).toBe('XYZ');
});

test('a deep link while logged out asks to log in first, then opens what was asked for', async () => {
  window.history.replaceState(null, '', '/sell?sym=ABC');
  const api = fakeApi({ summary: vi.fn(async () => summary({ holdings: [holding({ sym: 'ABC', shares: 3 })] })) });
  render(<App api={api} initialSession={null} />);
  fireEvent.change(await screen.findByLabelText('Username'), { target: { value: 'alice' } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'long enough' } });
  fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
  await screen.findByRole('heading', { level: 1, name: 'Sell stock' });
  await waitFor(() => expect((screen.getByLabelText('Holding') as HTMLSelectElement).value).toBe('ABC'));
  expect(window.location.pathname + window.location.search).toBe('/sell?sym=ABC');
});

test('the back and forward buttons move between the views', async () => {
  storeSession();
  render(<App api={fakeApi()} />);
  await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
  fireEvent.click(screen.getByRole('link', { name: 'Automatic' }));
  await screen.findByRole('heading', { level: 1, name: 'Automatic trading' });
  fireEvent.click(screen.getByRole('link', { name: 'History' }));
  await screen.findByRole('heading', { level: 1, name: 'History' });
  act(() => window.history.back());
  await screen.findByRole('heading', { level: 1, name: 'Automatic trading' });
  act(() => window.history.back());
  await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
  act(() => window.history.forward());
  const heading = await screen.findByRole('heading', { level: 1, name: 'Automatic trading' });
  expect(window.location.pathname).toBe('/auto');
  await waitFor(() => expect(document.activeElement).toBe(heading));
});

test('the old addresses of the trade views still work', async () => {
  storeSession();
  window.history.replaceState(null, '', '/trade/sell?sym=ABC');
  render(<App api={fakeApi()} />);
  await screen.findByRole('heading', { level: 1, name: 'Sell stock' });
  expect(window.location.pathname + window.location.search).toBe('/sell?sym=ABC');
});

test('after a command the account is asked again, and every view shows the new state', async () => {
  storeSession();
  let funds = '1000.00';
  const api = fakeApi({
    summary: vi.fn(async () => summary({ funds })),
    addFunds: vi.fn(async () => {
      funds = '1250.00';
      return { ok: true as const, message: 'added', funds };
    }),
  });
  render(<App api={api} />);
  expect((await screen.findByTestId('funds')).textContent).toBe('$1,000.00');
  const before = api.summary.mock.calls.length;
  fireEvent.change(screen.getByLabelText('Add funds ($)'), { target: { value: '250' } });
  fireEvent.click(screen.getByRole('button', { name: 'Add funds' }));
  await waitFor(() => expect(screen.getByTestId('funds').textContent).toBe('$1,250.00'));
  expect(api.summary.mock.calls.length).toBe(before + 1);
  fireEvent.click(screen.getByRole('link', { name: 'Buy' }));
  expect(await screen.findByText('Available cash: $1,250.00')).toBeTruthy();
});
