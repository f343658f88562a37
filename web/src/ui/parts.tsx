import { useId, useState, type ReactNode } from 'react';
import { ApiProblem } from '../api/client';
import { useAction, type Paged } from './load';

/** An error in words: the API problem's title and detail, and each bad field. */
/** Where a refused field is, in the words of the form it came from: `settings.ipAllowlist.0` → "IP allowlist, line 1". */
export function fieldInWords(path: string, labels: Record<string, string> = {}): string {
  const parts = path.split('.');
  const index = /^\d+$/.test(parts.at(-1) ?? '') ? Number(parts.pop()) : undefined;
  const name = parts.join('.');
  const label = labels[name] ?? parts.at(-1) ?? path;
  return index === undefined ? label : `${label}, line ${index + 1}`;
}

/**
 * An API refusal in words: its title, then the page's own sentence for the code where the page has
 * one (`explain`: what to do on this page, not which field to send), else the API's detail; each bad
 * field named as the form names it (`fields`: the path, without indexes, to the field's label).
 */
export function ErrorBox({
  error,
  explain,
  fields,
}: {
  error: unknown;
  explain?: Partial<Record<string, string>>;
  fields?: Record<string, string>;
}) {
  if (!error) return null;
  const problem = error instanceof ApiProblem ? error : undefined;
  const title = problem?.title ?? 'That did not work';
  const own = problem?.code ? explain?.[problem.code] : undefined;
  const detail = own ?? (problem ? problem.detail : error instanceof Error ? error.message : String(error));
  return (
    <div className="error" role="alert">
      <strong>{title}</strong>
      {detail && <p>{detail}</p>}
      {problem && problem.fieldErrors.length > 0 && (
        <ul>
          {problem.fieldErrors.map((field) => (
            <li key={field.path}>
              {fieldInWords(field.path, fields)}: {field.message}
            </li>
          ))}
        </ul>
      )}
      {problem?.code && <p className="muted">Code: {problem.code}</p>}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

/** A form control with its label (and a hint read out with it). */
export function Field({
  label,
  hint,
  children,
}: {
  label: string;
  hint?: string;
  children: (id: string, describedBy?: string) => ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id, hintId)}
      {hint && (
        <small id={hintId} className="muted">
          {hint}
        </small>
      )}
    </div>
  );
}

/**
 * Asks before something that cannot be taken back: the question (also the group's accessible name)
 * and Yes / No, in place of what asked.
 */
export function Confirm({ question, onYes, onNo }: { question: string; onYes(): void; onNo(): void }) {
  return (
    // Spans, not blocks: it stands where a button stood, in a paragraph or a table cell alike.
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm-question">{question}</span>
      <button type="button" className="danger" onClick={onYes}>
        Yes
      </button>{' '}
      <button type="button" onClick={onNo}>
        No
      </button>
    </span>
  );
}

/**
 * A button that runs an action, shows that it is running, and shows its refusal in words. With
 * `confirm`, it asks first (the question and two buttons, in place).
 */
export function ActionButton({
  children,
  action,
  confirm,
  className,
  disabled,
}: {
  children: ReactNode;
  action: () => Promise<unknown>;
  confirm?: string;
  className?: string;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const { busy, error, run: runAction } = useAction();
  const run = () => {
    setAsking(false);
    void runAction(action);
  };
  return (
    <span className="action">
      {asking && confirm ? (
        <Confirm question={confirm} onYes={run} onNo={() => setAsking(false)} />
      ) : (
        <button
          type="button"
          className={className}
          disabled={busy || disabled}
          aria-busy={busy}
          onClick={() => (confirm ? setAsking(true) : void run())}
        >
          {busy ? 'Working…' : children}
        </button>
      )}
      <ErrorBox error={error} />
    </span>
  );
}

/** A form's submit button: disabled and saying so while the form's action runs. */
export function SubmitButton({
  busy,
  children,
  busyText = 'Working…',
  className = 'primary',
}: {
  busy: boolean;
  children: ReactNode;
  busyText?: string;
  className?: string;
}) {
  return (
    <button type="submit" className={className} disabled={busy} aria-busy={busy}>
      {busy ? busyText : children}
    </button>
  );
}

/** Copies `text`; `name` is its accessible name where the visible `label` alone would be ambiguous. */
export function CopyButton({ text, label = 'Copy', name }: { text: string; label?: string; name?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      {...(name ? { 'aria-label': copied ? `${name}: copied` : name } : {})}
      onClick={async () => {
        await navigator.clipboard.writeText(text);
        setCopied(true);
      }}
    >
      {copied ? 'Copied' : label}
      <span className="visually-hidden" aria-live="polite">
        {copied ? ' to the clipboard' : ''}
      </span>
    </button>
  );
}

/** A secret the API shows once (a key, a signing secret): copy it, then say it is stored. */
export function SecretOnce({
  heading,
  secret,
  testId,
  copyLabel,
  children,
  onStored,
}: {
  heading: ReactNode;
  secret: string;
  testId: string;
  copyLabel: string;
  /** How it is used, after "Copy it now: this is the only time it is shown." */
  children: ReactNode;
  onStored(): void;
}) {
  return (
    <section className="secret" aria-labelledby="secret-heading">
      <h2 id="secret-heading">{heading}</h2>
      <p>Copy it now: this is the only time it is shown. {children}</p>
      <p>
        <code className="secret-value" data-testid={testId}>
          {secret}
        </code>{' '}
        <CopyButton text={secret} label={copyLabel} />
      </p>
      <button type="button" onClick={onStored}>
        I have stored it
      </button>
    </section>
  );
}

/** Previous and next along the API's cursors. */
/** A record's edit form in place of its facts: a heading, the form, Cancel, and what went wrong. */
export function EditSection({
  title,
  error,
  onCancel,
  children,
}: {
  title: string;
  error: unknown;
  onCancel: () => void;
  children: ReactNode;
}) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      <ErrorBox error={error} />
    </section>
  );
}

/** A column of a {@link DataTable}: its heading, or one with a class (`number`) or read by screen readers only. */
export type Column = string | { label: string; className?: string; hidden?: boolean };

/** Columns of figures: right-aligned, in tabular digits. */
export function numberColumns(...labels: string[]): Column[] {
  return labels.map((label) => ({ label, className: 'number' }));
}

/**
 * The console's table: headed columns, a caption for screen readers, and a box that scrolls on its
 * own when the table is wider than the page (a phone). The rows are the page's.
 */
export function DataTable({
  caption,
  columns,
  className,
  children,
}: {
  caption?: string;
  columns: Column[];
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-scroll">
      <table className={className}>
        {caption && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column) => {
              const {
                label,
                className: columnClass,
                hidden,
              } = typeof column === 'string' ? { label: column } : column;
              return (
                <th key={label} scope="col" className={columnClass}>
                  {hidden ? <span className="visually-hidden">{label}</span> : label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function Pager<T>({ list, label }: { list: Paged<T>; label: string }) {
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={list.previous} disabled={!list.hasPrevious || list.loading}>
        Previous
      </button>
      <span>Page {list.pageNumber}</span>
      <button type="button" onClick={list.next} disabled={!list.data?.nextCursor || list.loading}>
        Next
      </button>
    </nav>
  );
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  return new Date(value).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'unlimited';
  return value.toLocaleString();
}

export function formatMoney(money: { amount: number; currency: string } | null | undefined): string {
  if (!money) return '—';
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency: money.currency.toUpperCase(),
  }).format(money.amount / 100);
}
