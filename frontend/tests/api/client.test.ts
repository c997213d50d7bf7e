// @vitest-environment node
import { AxiosError, type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, test, vi } from 'vitest';
import { createApiClient } from '../../src/api/client';
import { dtsApi } from '../../src/api/dts';
import { ApiError, plainWords } from '../../src/api/errors';

interface Answer {
  status?: number;
  data?: unknown;
  headers?: Record<string, string>;
  networkError?: string;
}

interface Call {
  url: string | undefined;
  body: Record<string, unknown>;
  headers: InternalAxiosRequestConfig['headers'];
}

/** An Axios adapter that answers from a table, the way the real server would. */
function fakeServer(answer: (config: InternalAxiosRequestConfig) => Answer | Promise<Answer>) {
  const calls: Call[] = [];
  const adapter: AxiosAdapter = async (config) => {
    calls.push({ url: config.url, body: config.data ? JSON.parse(String(config.data)) : {}, headers: config.headers });
    const { status = 200, data, headers = {}, networkError } = await answer(config);
    if (networkError) throw new AxiosError('Network Error', networkError, config, {});
    const response = { data, status, statusText: String(status), headers, config, request: {} };
    if (status >= 400) {
      throw new AxiosError(`status ${status}`, AxiosError.ERR_BAD_REQUEST, config, {}, response);
    }
    return response;
  };
  return { adapter, calls };
}

/** The ApiError a request fails with (a request that succeeds fails the test). */
async function failure(request: Promise<unknown>): Promise<ApiError> {
  const outcome = await request.then(
    () => new Error('the request succeeded'),
    (thrown: unknown) => thrown,
  );
  expect(outcome).toBeInstanceOf(ApiError);
  return outcome as ApiError;
}

const refusal = (status: number, code: string, error: string): Answer => ({ status, data: JSON.stringify({ ok: false, error, code }) });

describe('the one client', () => {
  test('sends the bearer token and JSON, and resolves with the reply', async () => {
    const { adapter, calls } = fakeServer(() => ({ data: JSON.stringify({ ok: true, funds: '10.00' }) }));
    const client = createApiClient({ getToken: () => 'tok123', adapter });
    expect(await client.post('/user_utils/add', { amount: '10.00' })).toEqual({ ok: true, funds: '10.00' });
    expect(calls[0]?.headers.Authorization).toBe('Bearer tok123');
    expect(calls[0]?.headers['Content-Type']).toBe('application/json');
    expect(calls[0]?.body).toEqual({ amount: '10.00' });
  });

  test('a refusal becomes an ApiError in plain words, with its code and status', async () => {
    const { adapter } = fakeServer(() =>
      refusal(409, 'INSUFFICIENT_FUNDS', 'insufficient funds: 500.00 needed, 0.00 available'),
    );
    const client = createApiClient({ getToken: () => 't', adapter });
    const error = await failure(client.post('/buy/buy', { sym: 'ABC', amount: '500.00' }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe('Insufficient funds: 500.00 needed, 0.00 available.');
    expect(error.code).toBe('INSUFFICIENT_FUNDS');
    expect(error.status).toBe(409);
  });

  test('a 401 on a command ends the session; a 401 from logging in does not', async () => {
    const onUnauthorized = vi.fn();
    const { adapter } = fakeServer((config) =>
      config.url?.startsWith('/auth/')
        ? refusal(401, 'BAD_CREDENTIALS', 'wrong username or password')
        : refusal(401, 'TOKEN_EXPIRED', 'the token has expired, log in again'),
    );
    const client = createApiClient({ getToken: () => 't', onUnauthorized, adapter });
    const loginError = await failure(client.post('/auth/login', { username: 'alice', password: 'wrong' }));
    expect(loginError.message).toBe('Wrong username or password.');
    expect(onUnauthorized).not.toHaveBeenCalled();
    const commandError = await failure(client.post('/user_utils/display_summary', {}));
    expect(commandError.message).toBe('Your session has expired. Please log in again.');
    expect(onUnauthorized).toHaveBeenCalledWith(commandError);
  });

  test('no network, a timeout or an outage are said in words too', async () => {
    const answers: Answer[] = [
      { networkError: AxiosError.ERR_NETWORK },
      { networkError: AxiosError.ECONNABORTED },
      refusal(503, 'UNAVAILABLE', 'service temporarily unavailable'),
      { status: 502, data: '<html>bad gateway</html>' },
      refusal(429, 'RATE_LIMITED', ''),
    ];
    const { adapter } = fakeServer(() => answers.shift() ?? {});
    const client = createApiClient({ getToken: () => 't', adapter });
    const messages: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      messages.push((await failure(client.post('/user_utils/display_summary', {}))).message);
    }
    expect(messages).toEqual([
      'Could not reach DTS. Check your connection and try again.',
      'DTS took too long to answer. Refresh to see whether it went through.',
      'DTS is temporarily unavailable and nothing was changed. Try again in a moment.',
      'DTS is temporarily unavailable and nothing was changed. Try again in a moment.',
      'Too many requests right now. Wait a moment and try again.',
    ]);
  });

  test('a download answers a Blob and its file name; its refusal (a JSON Blob) reads like any other', async () => {
    const answers: Answer[] = [
      {
        data: new Blob(['<?xml version="1.0"?><log/>'], { type: 'application/xml' }),
        headers: { 'content-disposition': 'attachment; filename=mine.xml' },
      },
      { status: 400, data: new Blob([JSON.stringify({ ok: false, error: 'filename must name a file', code: 'BAD_FILENAME' })]) },
    ];
    const { adapter } = fakeServer(() => answers.shift() ?? {});
    const client = createApiClient({ getToken: () => 't', adapter });
    const file = await client.download('/user_utils/dumplog', { filename: 'mine.xml' });
    expect(file.filename).toBe('mine.xml');
    expect(await file.blob.text()).toContain('<log/>');
    const error = await failure(client.download('/user_utils/dumplog', { filename: '..' }));
    expect(error.message).toBe('The file name must name a file.');
    expect(error.code).toBe('BAD_FILENAME');
  });
});

describe('the DTS commands', () => {
  test('buy and sell are the same commands on their own paths, amounts as 2-decimal strings', async () => {
    const { adapter, calls } = fakeServer(() => ({ data: JSON.stringify({ ok: true }) }));
    const api = dtsApi(createApiClient({ getToken: () => 't', adapter }));
    await api.startTrade('BUY', 'ABC', 50000n);
    await api.commitTrade('BUY');
    await api.startTrade('SELL', 'ABC', 5n);
    await api.cancelTrade('SELL');
    await api.setAmount('SELL', 'ABC', 100n);
    await api.setTrigger('BUY', 'ABC', 4000n);
    await api.cancelOrder('BUY', 'ABC');
    await api.addFunds(123456n);
    expect(calls.map((c) => [c.url, c.body])).toEqual([
      ['/buy/buy', { sym: 'ABC', amount: '500.00' }],
      ['/buy/commit_buy', {}],
      ['/sell/sell', { sym: 'ABC', amount: '0.05' }],
      ['/sell/cancel_sell', {}],
      ['/sell/set_sell_amount', { sym: 'ABC', amount: '1.00' }],
      ['/buy/set_buy_trigger', { sym: 'ABC', amount: '40.00' }],
      ['/buy/cancel_set_buy', { sym: 'ABC' }],
      ['/user_utils/add', { amount: '1234.56' }],
    ]);
    expect(calls.every((c) => !('username' in c.body))).toBe(true);
  });
});

test('paths and bodies are those of dts/openapi.yaml: anything else does not compile', async () => {
  const { adapter, calls } = fakeServer(() => ({ data: JSON.stringify({ ok: true }) }));
  const client = createApiClient({ getToken: () => 't', adapter });
  // @ts-expect-error: the API has no such command
  await client.post('/buy/buy_now', { sym: 'ABC', amount: '1.00' });
  // @ts-expect-error: BUY needs an amount
  await client.post('/buy/buy', { sym: 'ABC' });
  // @ts-expect-error: DUMPLOG answers a file, not JSON: it is a download
  await client.post('/user_utils/dumplog', { filename: 'x.xml' });
  expect(calls).toHaveLength(3);
});

test('server messages that name a field say it in words', () => {
  expect(plainWords('sym must be 1-5 letters or digits')).toBe('The symbol must be 1-5 letters or digits.');
  expect(plainWords('amount must be greater than 0')).toBe('The amount must be greater than 0.');
  expect(plainWords('there is no pending BUY to act on')).toBe('There is no pending BUY to act on.');
});
