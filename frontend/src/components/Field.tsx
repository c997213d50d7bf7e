/** A labelled control with its hint and its error, wired for screen readers. */

import type { ComponentPropsWithRef, ReactNode } from 'react';

interface FrameProps {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  className?: string;
}

function describedBy(id: string, hint: ReactNode, error: string | null | undefined) {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return {
    'aria-invalid': error ? true : undefined,
    'aria-describedby': ids.length > 0 ? ids.join(' ') : undefined,
  } as const;
}

function Frame({ id, label, hint, error, className, children }: FrameProps & { children: ReactNode }) {
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
}

export function Field({ id, label, hint, error, className, ...input }: FrameProps & Omit<ComponentPropsWithRef<'input'>, 'id'>) {
  return (
    <Frame id={id} label={label} hint={hint} error={error} className={className}>
      <input id={id} {...describedBy(id, hint, error)} {...input} />
    </Frame>
  );
}

export function SelectField({
  id,
  label,
  hint,
  error,
  className,
  children,
  ...select
}: FrameProps & Omit<ComponentPropsWithRef<'select'>, 'id'>) {
  return (
    <Frame id={id} label={label} hint={hint} error={error} className={className}>
      <select id={id} {...describedBy(id, hint, error)} {...select}>
        {children}
      </select>
    </Frame>
  );
}
