import { useRef, useState, type FormEvent } from 'react';
import { Field, SelectField } from '../components/Field';
import { ErrorMessage, StatusMessage } from '../components/Messages';
import { TransactionTable } from '../components/TransactionList';
import { ViewHeading } from '../components/ViewHeading';
import { useCommand } from '../hooks/useCommand';
import { useSignedIn } from '../hooks/useSession';
import { useTransactions } from '../hooks/useTransactions';
import { commandLabel } from '../lib/format';
import { filenameError } from '../lib/validate';

export const PAGE_SIZE = 8;

function defaultLogName(username: string): string {
  const day = new Date().toISOString().slice(0, 10);
  return `dts-${username}-${day}.xml`.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** Offers a Blob as a file download, the way a link with `download` would. */
function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function DumplogForm() {
  const { api, username } = useSignedIn();
  const [filename, setFilename] = useState(() => defaultLogName(username));
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const download = useCommand((name: string) => api.dumplog(name), { invalidates: false });

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    const error = filenameError(filename);
    setFieldError(error);
    if (error) return inputRef.current?.focus();
    const result = await download.run(filename.trim());
    if (result.ok) {
      const name = result.value.filename ?? filename.trim();
      saveBlob(result.value.blob, name);
      setStatus(`Your log was downloaded as ${name}.`);
    }
  };

  return (
    <section className="card card-wide" aria-labelledby="dumplog-title">
      <h2 id="dumplog-title">Your audit log</h2>
      <p className="hint">
        Every command you sent, each change of your cash and every quote fetched for you, as an XML
        file (DUMPLOG).
      </p>
      <form className="inline-form" onSubmit={onSubmit} noValidate aria-labelledby="dumplog-title">
        <Field
          id="dumplog-name"
          label="File name"
          ref={inputRef}
          autoComplete="off"
          spellCheck={false}
          value={filename}
          error={fieldError}
          onChange={(e) => setFilename(e.target.value)}
        />
        <button type="submit" className="btn btn-primary" disabled={download.busy}>
          {download.busy ? 'Preparing…' : 'Download my log'}
        </button>
      </form>
      <ErrorMessage error={download.error} />
      <StatusMessage message={status} />
    </section>
  );
}

/** The account's recent transactions (it keeps the last 20), filtered and paged here. */
export function HistoryView() {
  const history = useTransactions(20);
  const transactions = history.data ?? null;
  const [command, setCommand] = useState('');
  const [sym, setSym] = useState('');
  const [page, setPage] = useState(0);
  const reload = () => void history.refetch();

  const all = transactions ?? [];
  const commands = [...new Set(all.map((t) => t.command))].sort();
  const symbols = [...new Set(all.flatMap((t) => (t.sym ? [t.sym] : [])))].sort();
  const shown = all.filter((t) => (!command || t.command === command) && (!sym || t.sym === sym));
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const pageRows = shown.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  const from = shown.length === 0 ? 0 : current * PAGE_SIZE + 1;
  const to = current * PAGE_SIZE + pageRows.length;

  return (
    <>
      <div className="view-head">
        <ViewHeading>History</ViewHeading>
        <div className="view-tools">
          <button type="button" className="btn btn-secondary btn-small" onClick={reload} disabled={history.isFetching}>
            {history.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </div>
      <p className="lead">Your account keeps its last 20 transactions; fired automatic orders show up here too.</p>
      <div className="grid">
        <section className="card card-wide" aria-labelledby="trx-title">
          <h2 id="trx-title" className="sr-only">
            Transactions
          </h2>
          <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter transactions">
            <SelectField
              id="filter-command"
              label="What"
              value={command}
              onChange={(e) => {
                setCommand(e.target.value);
                setPage(0);
              }}
            >
              <option value="">All kinds</option>
              {commands.map((c) => (
                <option key={c} value={c}>
                  {commandLabel(c)}
                </option>
              ))}
            </SelectField>
            <SelectField
              id="filter-sym"
              label="Symbol"
              value={sym}
              onChange={(e) => {
                setSym(e.target.value);
                setPage(0);
              }}
            >
              <option value="">All symbols</option>
              {symbols.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </SelectField>
          </form>
          <ErrorMessage error={history.error} />
          {transactions === null ? (
            <p aria-busy="true">{history.error ? 'The history could not be loaded.' : 'Loading…'}</p>
          ) : shown.length === 0 ? (
            <p className="empty">{all.length === 0 ? 'No transactions yet.' : 'No transactions match these filters.'}</p>
          ) : (
            <TransactionTable
              transactions={pageRows}
              caption={`Transactions ${from}–${to} of ${shown.length}${shown.length < all.length ? ` (filtered from ${all.length})` : ''}`}
            />
          )}
          {pages > 1 && (
            <nav className="pager" aria-label="Pages">
              <button
                type="button"
                className="btn btn-secondary btn-small"
                disabled={current === 0}
                aria-label="Previous page"
                onClick={() => setPage(current - 1)}
              >
                Previous
              </button>
              <span aria-live="polite">
                Page {current + 1} of {pages}
              </span>
              <button
                type="button"
                className="btn btn-secondary btn-small"
                disabled={current >= pages - 1}
                aria-label="Next page"
                onClick={() => setPage(current + 1)}
              >
                Next
              </button>
            </nav>
          )}
        </section>
        <DumplogForm />
      </div>
    </>
  );
}
