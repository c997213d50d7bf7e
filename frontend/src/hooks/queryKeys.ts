/**
 * The keys of the server state cache. Everything is under the user's name; what a command can
 * change is under `account` (invalidated after every command), quotes are apart (each quote is a
 * command of its own, fetched only when a view asks for it).
 */
export const queryKeys = {
  account: (username: string) => ['dts', username, 'account'] as const,
  summary: (username: string) => ['dts', username, 'account', 'summary'] as const,
  transactions: (username: string, limit: number) => ['dts', username, 'account', 'transactions', limit] as const,
  quotes: (username: string) => ['dts', username, 'quote'] as const,
  quote: (username: string, sym: string) => ['dts', username, 'quote', sym] as const,
};
