import { useEffect, useRef, useState } from 'react';
import { Field } from '../components/Field.jsx';
import { ErrorMessage, StatusMessage } from '../components/Messages.jsx';
import { TransactionTable } from '../components/TransactionList.jsx';
import { ViewHeading } from '../components/ViewHeading.jsx';
import { useAccount } from '../hooks/account.jsx';
import { useAction } from '../hooks/useAction.js';
import { useSession } from '../hooks/session.jsx';
import { commandLabel } from '../lib/format.js';
import { filenameError } from '../lib/validate.js';

export const PAGE_SIZE = 8;

function defaultLogName(username) {
  const day = new Date().toISOString().slice(0, 10);
  return `dts-${username}-${day}.xml`.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** Offers a Blob as a file download, the way a link with `download` would. */
function saveBlob(blob, filename) {
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
  const { api, username } = useSession();
  const [filename, setFilename] = useState(() => defaultLogName(username));
  const [fieldError, setFieldError] = useState(null);
  const [status, setStatus] = useState(null);
  const inputRef = useRef(null);
  const download = useAction((name) => api.dumplog(name));

  const onSubmit = async (event) => {
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
  const { api } = useSession();
  const { absorbTransactions } = useAccount();
  const [transactions, setTransactions] = useState(null);
  const [command, setCommand] = useState('');
  const [sym, setSym] = useState('');
  const [page, setPage] = useState(0);
  const load = useAction(async () => {
    const reply = await api.recentTransactions(20);
    setTransactions(reply.transactions);
    absorbTransactions(reply.transactions);
  });
  const reload = load.run;

  useEffect(() => {
    reload();
  }, [reload]);

  const all = transactions ?? [];
  const commands = [...new Set(all.map((t) => t.command))].sort();
  const symbols = [...new Set(all.map((t) => t.sym).filter(Boolean))].sort();
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
          <button type="button" className="btn btn-secondary btn-small" onClick={reload} disabled={load.busy}>
            {load.busy ? 'Refreshing…' : 'Refresh'}
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
            <Field
              id="filter-command"
              label="What"
              as="select"
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
            </Field>
            <Field
              id="filter-sym"
              label="Symbol"
              as="select"
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
            </Field>
          </form>
          <ErrorMessage error={load.error} />
          {transactions === null ? (
            <p aria-busy="true">{load.error ? 'The history could not be loaded.' : 'Loading…'}</p>
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
