/**
 * The server state's cache (TanStack Query). Every query and every command fails with an
 * `ApiError`; nothing is retried behind the user's back (each summary and quote is an audited
 * command, and a refusal will not change by asking again).
 */

import { QueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/errors';

declare module '@tanstack/react-query' {
  interface Register {
    defaultError: ApiError;
  }
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnReconnect: false },
      mutations: { retry: false },
    },
  });
}
