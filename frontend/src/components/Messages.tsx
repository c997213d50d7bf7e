/** What happened, said where it happened: errors are alerts, outcomes are polite status lines. */

export function ErrorMessage({ error, id }: { error: { message: string } | string | null | undefined; id?: string }) {
  if (!error) return null;
  const text = typeof error === 'string' ? error : error.message;
  return (
    <p className="error" role="alert" id={id}>
      <span aria-hidden="true">⚠ </span>
      {text}
    </p>
  );
}

/** Always in the page (empty when quiet), so screen readers announce each new message. */
export function StatusMessage({ message, id }: { message: string | null | undefined; id?: string }) {
  return (
    <p className={message ? 'status' : 'status status-empty'} role="status" id={id}>
      {message ?? ''}
    </p>
  );
}
