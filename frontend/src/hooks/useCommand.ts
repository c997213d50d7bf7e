/**
 * One user action against the API (a TanStack Query mutation): `busy` while it runs (its button
 * says so; nothing else is blocked), its own `error`, shown next to the control that caused it,
 * and afterwards, succeeded or refused, the account is asked again.
 */

import { useMutation } from '@tanstack/react-query';
import { useCallback } from 'react';
import { toApiError, type ApiError } from '../api/errors';
import { useInvalidateAccount } from './useAccount';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface Command<Args extends unknown[], T> {
  run: (...args: Args) => Promise<Outcome<T>>;
  busy: boolean;
  error: ApiError | null;
  clearError: () => void;
}

export function useCommand<Args extends unknown[], T>(
  command: (...args: Args) => Promise<T>,
  { invalidates = true }: { invalidates?: boolean } = {},
): Command<Args, T> {
  const invalidate = useInvalidateAccount();
  const mutation = useMutation<T, ApiError, Args>({
    mutationFn: async (args) => {
      try {
        return await command(...args);
      } catch (thrown) {
        throw await toApiError(thrown);
      }
    },
    onSettled: invalidates ? () => invalidate() : undefined,
  });
  const { mutateAsync, reset } = mutation;
  const run = useCallback(
    async (...args: Args): Promise<Outcome<T>> => {
      try {
        return { ok: true, value: await mutateAsync(args) };
      } catch (thrown) {
        return { ok: false, error: await toApiError(thrown) };
      }
    },
    [mutateAsync],
  );
  return { run, busy: mutation.isPending, error: mutation.error, clearError: reset };
}
