/**
 * The one Axios client, typed by the API's own description: `post('/buy/buy', body)` takes the
 * body that path's operation declares and resolves with its 200 reply, both from the types
 * generated from dts/openapi.yaml. JSON POSTs, the bearer token on every request, one error path
 * (every failure is thrown as an `ApiError`), and a 401 outside /auth/ sends the user back to log in.
 */

import axios, { type AxiosAdapter, type AxiosResponseHeaders, type RawAxiosResponseHeaders } from 'axios';
import { ApiError, toApiError } from './errors';
import type { FilePostPath, JsonPostPath, Reply, RequestBody } from './types';

const TIMEOUT_MS = 15_000;

export interface ApiClientOptions {
  getToken?: () => string | null;
  onUnauthorized?: (error: ApiError) => void;
  baseURL?: string;
  adapter?: AxiosAdapter;
}

export interface ApiClient {
  /** POST a command; resolves with the reply body (`{ok: true, ...}`). */
  post<P extends JsonPostPath>(path: P, body: RequestBody<P>): Promise<Reply<P>>;
  /** POST a command whose reply is a file; resolves with `{ blob, filename }`. */
  download<P extends FilePostPath>(path: P, body: RequestBody<P>): Promise<{ blob: Blob; filename: string | null }>;
}

export function createApiClient({ getToken, onUnauthorized, baseURL = '', adapter }: ApiClientOptions = {}): ApiClient {
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
      const body: unknown = response.data;
      if (body && typeof body === 'object' && !(body instanceof Blob) && (body as { ok?: unknown }).ok === false) {
        const refusal = body as { error?: string; code?: string };
        throw new ApiError(refusal.error || 'The request failed.', { code: refusal.code, status: response.status });
      }
      return response;
    },
    async (error: unknown) => {
      const apiError = await toApiError(error);
      const url = axios.isAxiosError(error) ? (error.config?.url ?? '') : '';
      if (apiError.status === 401 && !url.startsWith('/auth/')) onUnauthorized?.(apiError);
      throw apiError;
    },
  );

  return {
    async post(path, body) {
      const response = await http.post(path, body);
      return response.data;
    },
    async download(path, body) {
      const response = await http.post<Blob>(path, body, {
        responseType: 'blob',
        headers: { Accept: 'application/xml, application/json' },
      });
      return { blob: response.data, filename: attachmentName(response.headers) };
    },
  };
}

function attachmentName(headers: RawAxiosResponseHeaders | AxiosResponseHeaders): string | null {
  const disposition = String(headers['content-disposition'] ?? '');
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}
