/**
 * The one error path of the UI: whatever went wrong (a refusal `{ok:false,error,code}`, an outage,
 * no network, a timeout), it becomes one `ApiError` with a sentence a person can act on.
 */

import { isAxiosError } from 'axios';

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(message: string, { code = 'UNKNOWN', status = 0 }: { code?: string; status?: number } = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

// The API names fields in its messages ("sym must be 1-5 letters or digits"); say them in words.
const FIELD_WORDS: [RegExp, string][] = [
  [/^sym\b/, 'The symbol'],
  [/^amount\b/, 'The amount'],
  [/^password\b/, 'The password'],
  [/^username\b/, 'The username'],
  [/^filename\b/, 'The file name'],
  [/^limit\b/, 'The limit'],
];

const BY_CODE: Record<string, string> = {
  UNAUTHORIZED: 'Your session has ended. Please log in again.',
  TOKEN_EXPIRED: 'Your session has expired. Please log in again.',
  FORBIDDEN: 'You may act only for your own account.',
  BODY_TOO_LARGE: 'That request is too large.',
  UNAVAILABLE: 'DTS is temporarily unavailable and nothing was changed. Try again in a moment.',
  INTERNAL: 'Something went wrong on the server. Nothing you can fix: try again later.',
  METHOD_NOT_ALLOWED: 'The UI asked the server in a way it does not accept (a bug in the UI).',
};

const BY_STATUS: Record<number, string> = {
  400: 'The server could not read that request.',
  401: 'Your session has ended. Please log in again.',
  403: 'You may act only for your own account.',
  404: 'Not found.',
  409: 'The server refused that.',
  413: 'That request is too large.',
  422: 'A value is out of range.',
  429: 'Too many requests right now. Wait a moment and try again.',
  502: 'DTS is temporarily unavailable and nothing was changed. Try again in a moment.',
  503: 'DTS is temporarily unavailable and nothing was changed. Try again in a moment.',
  504: 'DTS took too long to answer. Refresh to see whether it went through.',
};

/** A server message in plain words: field names spelled out, a capital first letter, a stop. */
export function plainWords(message: unknown): string {
  let text = String(message ?? '').trim();
  if (!text) return '';
  for (const [pattern, words] of FIELD_WORDS) {
    if (pattern.test(text)) {
      text = text.replace(pattern, words);
      break;
    }
  }
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

interface ErrorBody {
  error?: unknown;
  code?: unknown;
}

async function readBody(data: unknown): Promise<ErrorBody | null> {
  let value = data;
  try {
    if (typeof Blob !== 'undefined' && value instanceof Blob) value = JSON.parse(await value.text());
    else if (typeof value === 'string') value = JSON.parse(value);
  } catch {
    return null;
  }
  return value && typeof value === 'object' ? (value as ErrorBody) : null;
}

/** Any thrown value from a request -> `ApiError`. */
export async function toApiError(error: unknown): Promise<ApiError> {
  if (error instanceof ApiError) return error;
  if (!isAxiosError(error)) {
    const text = error instanceof Error ? error.message : String(error);
    return new ApiError(`Something went wrong in this page: ${text}.`, { code: 'CLIENT' });
  }
  const response = error.response;
  if (!response) {
    if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') {
      return new ApiError('DTS took too long to answer. Refresh to see whether it went through.', {
        code: 'TIMEOUT',
      });
    }
    if (error.code === 'ERR_CANCELED') {
      return new ApiError('The request was cancelled.', { code: 'CANCELLED' });
    }
    return new ApiError('Could not reach DTS. Check your connection and try again.', { code: 'NETWORK' });
  }
  const { status } = response;
  const body = await readBody(response.data);
  const code = typeof body?.code === 'string' ? body.code : `HTTP_${status}`;
  const serverMessage = typeof body?.error === 'string' ? body.error : '';
  const message =
    BY_CODE[code] ??
    (serverMessage ? plainWords(serverMessage) : null) ??
    BY_STATUS[status] ??
    (status >= 500 ? BY_CODE.UNAVAILABLE : 'The request failed.');
  return new ApiError(message ?? 'The request failed.', { code, status });
}
