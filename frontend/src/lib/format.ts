/** Times and command names as people read them. */

export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return new Date(ms).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function formatDateTime(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return new Date(ms).toLocaleString([], {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** "just now", "12 s ago", "3 min ago". */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 2) return 'just now';
  if (seconds < 120) return `${seconds} s ago`;
  return `${Math.floor(seconds / 60)} min ago`;
}

const COMMAND_LABELS: Record<string, string> = {
  ADD: 'Funds added',
  BUY: 'Buy started',
  COMMIT_BUY: 'Buy committed',
  CANCEL_BUY: 'Buy cancelled',
  EXPIRED_BUY: 'Buy expired',
  SELL: 'Sell started',
  COMMIT_SELL: 'Sell committed',
  CANCEL_SELL: 'Sell cancelled',
  EXPIRED_SELL: 'Sell expired',
  SET_BUY_AMOUNT: 'Buy amount set',
  SET_BUY_TRIGGER: 'Buy trigger set',
  CANCEL_SET_BUY: 'Buy order cancelled',
  BUY_TRIGGER_FIRED: 'Buy trigger fired',
  SET_SELL_AMOUNT: 'Sell amount set',
  SET_SELL_TRIGGER: 'Sell trigger set',
  CANCEL_SET_SELL: 'Sell order cancelled',
  SELL_TRIGGER_FIRED: 'Sell trigger fired',
};

export function commandLabel(command: string): string {
  return COMMAND_LABELS[command] ?? command;
}
