import { fireEvent, screen, waitFor } from '@testing-library/react';
import { expect, test, vi } from 'vitest';
import { fakeApi, refused, renderApp } from '../helpers';

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

test('mistakes are caught before sending, said next to the field, and the field gets the focus', async () => {
  const { api } = renderApp({ session: null, path: '/register' });
  type('Username', 'has space');
  type('Password', 'short');
  fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
  expect(screen.getByText(/1 to 64 letters, digits/)).toBeTruthy();
  expect(screen.getByText('The password must be at least 8 characters long.')).toBeTruthy();
  expect(document.activeElement).toBe(screen.getByLabelText('Username'));
  expect(screen.getByLabelText('Username').getAttribute('aria-invalid')).toBe('true');
  expect(screen.getByLabelText('Username').getAttribute('aria-describedby')).toContain('username-error');
  expect(api.register).not.toHaveBeenCalled();
});

test('a wrong password is an alert under the button; a taken name is said at the name', async () => {
  const api = fakeApi({
    login: vi.fn(async () => {
      throw refused('Wrong username or password.', 'BAD_CREDENTIALS', 401);
    }),
    register: vi.fn(async () => {
      throw refused('The username alice is taken.', 'USERNAME_TAKEN');
    }),
  });
  renderApp({ api, session: null, path: '/login' });
  type('Username', 'alice');
  type('Password', 'nope-nope');
  fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
  expect((await screen.findByRole('alert')).textContent).toMatch('Wrong username or password.');

  fireEvent.click(screen.getByRole('link', { name: 'Create an account' }));
  await screen.findByRole('heading', { name: 'Create your DTS account' });
  type('Username', 'alice');
  type('Password', 'long enough');
  fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
  expect(await screen.findByText('The username alice is taken.')).toBeTruthy();
  expect(screen.getByLabelText('Username').getAttribute('aria-invalid')).toBe('true');
});

test('registering opens the dashboard and keeps the session for the next page load', async () => {
  const { api } = renderApp({ session: null, path: '/register' });
  type('Username', ' bob ');
  type('Password', 'long enough');
  fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
  await screen.findByRole('heading', { name: 'Dashboard' });
  expect(api.register).toHaveBeenCalledWith('bob', 'long enough');
  expect(JSON.parse(localStorage.getItem('dts.session') ?? 'null')).toEqual({ token: 'tok', username: 'bob' });
  await waitFor(() => expect(window.location.pathname).toBe('/'));
});
