import { useQuery } from '@tanstack/react-query';
import { queryKeys } from './queryKeys';
import { useSignedIn } from './useSession';

/** The account's most recent transactions (it keeps 20), newest first. */
export function useTransactions(limit = 20) {
  const { api, username } = useSignedIn();
  return useQuery({
    queryKey: queryKeys.transactions(username, limit),
    queryFn: async () => (await api.recentTransactions(limit)).transactions,
    staleTime: 2_000,
  });
}
