/** A labelled form row: label, the control, a hint and an error, wired with ids for screen readers. */
import { useId, type ReactNode } from "react";

export interface FieldIds {
  id: string;
  /** For aria-describedby: the hint and error ids that exist. */
  describedBy: string | undefined;
  invalid: boolean;
}

export interface FieldProps {
  label: ReactNode;
  hint?: ReactNode;
  error?: ReactNode;
  className?: string;
  /** Label beside the control (checkboxes) instead of above it. */
  inline?: boolean;
  children: (ids: FieldIds) => ReactNode;
}

export function Field({ label, hint, error, className, inline, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  const control = children({ id, describedBy, invalid: Boolean(error) });
  return (
    <div className={`ui-field ${inline ? "ui-field--inline" : ""} ${className ?? ""}`}>
      {inline ? (
        <>
          {control}
          <label htmlFor={id}>{label}</label>
        </>
      ) : (
        <>
          <label htmlFor={id}>{label}</label>
          {control}
        </>
      )}
      {hint && (
        <div id={hintId} className="ui-field__hint">
          {hint}
        </div>
      )}
      {error && (
        <div id={errorId} className="ui-field__error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
