import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import axios from 'axios';
import { afterEach, expect, test } from 'vitest';
import { App } from '../src/App.jsx';
import { fakeApi, refused } from './helpers.jsx';

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
    summary: async () => {
      if (fail) throw refused('DTS is temporarily unavailable and nothing was changed. Try again in a moment.', 'UNAVAILABLE', 503);
      return { ok: true, funds: '5.00', reserved: '0.00', holdings: [], pending_buys: [], pending_sells: [], buy_triggers: [], sell_triggers: [], transactions: [] };
    },
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
