/**
 * The one Axios client: JSON POSTs, the bearer token on every request, one error path (every
 * failure is thrown as an `ApiError`), and a 401 outside /auth/ sends the user back to log in.
 */

import axios from 'axios';
import { ApiError, toApiError } from './errors.js';

const TIMEOUT_MS = 15_000;

export function createApiClient({ getToken, onUnauthorized, baseURL = '', adapter } = {}) {
  const http = axios.create({
    baseURL,
    timeout: TIMEOUT_MS,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    ...(adapter ? { adapter } : {}),
  });

  http.interceptors.request.use((config) => {
    const token = getToken?.();
    if (token) config.headers.Authorization = `Bearer ${token}`;
    return config;
  });

  http.interceptors.response.use(
    (response) => {
      const body = response.data;
      if (body && typeof body === 'object' && !(body instanceof Blob) && body.ok === false) {
        throw new ApiError(body.error || 'The request failed.', {
          code: body.code,
          status: response.status,
        });
      }
      return response;
    },
    async (error) => {
      const apiError = await toApiError(error);
      const url = error?.config?.url ?? '';
      if (apiError.status === 401 && !url.startsWith('/auth/')) onUnauthorized?.(apiError);
      throw apiError;
    },
  );

  return {
    /** POST a command; resolves with the reply body (`{ok: true, ...}`). */
    async post(path, body = {}) {
      const response = await http.post(path, body);
      return response.data;
    },
    /** POST a command whose reply is a file; resolves with `{ blob, filename }`. */
    async download(path, body = {}) {
      const response = await http.post(path, body, {
        responseType: 'blob',
        headers: { Accept: 'application/xml, application/json' },
      });
      return { blob: response.data, filename: attachmentName(response.headers) };
    },
  };
}

function attachmentName(headers) {
  const disposition = headers?.['content-disposition'] ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  return match ? decodeURIComponent(match[1]) : null;
}
