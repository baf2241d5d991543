/** Text, number, select, checkbox, switch and slider controls; each takes a visible label. */
import { useEffect, useState, type InputHTMLAttributes, type ReactNode } from "react";
import { Field } from "./Field.js";

interface Common {
  label: ReactNode;
  hint?: ReactNode;
  error?: ReactNode;
  className?: string;
  disabled?: boolean;
}

type NativeInput = Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "type" | "id">;

export interface TextFieldProps extends Common, Omit<NativeInput, "className" | "disabled"> {
  value: string;
  onChange: (value: string) => void;
  type?: "text" | "search" | "password" | "url";
}

export function TextField({ label, hint, error, className, value, onChange, type, ...rest }: TextFieldProps) {
  return (
    <Field label={label} hint={hint} error={error} className={className}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          className="ui-input"
          type={type ?? "text"}
          value={value}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onChange={(e) => onChange(e.target.value)}
          {...rest}
        />
      )}
    </Field>
  );
}

export interface NumberFieldProps extends Common {
  value: number | undefined;
  /** Called with the parsed number, or undefined when the field is emptied. */
  onChange: (value: number | undefined) => void;
  min?: number;
  max?: number;
  step?: number;
  integer?: boolean;
  placeholder?: string;
}

/** Keeps the typed text while it is not (yet) a number, so "0." or "-" can be typed. */
export function NumberField(props: NumberFieldProps) {
  const { label, hint, error, className, value, onChange, min, max, step, integer, placeholder, disabled } =
    props;
  const [text, setText] = useState(value === undefined ? "" : String(value));
  useEffect(() => {
    setText((t) => (Number(t) === value && t !== "" ? t : value === undefined ? "" : String(value)));
  }, [value]);
  const parsed = text.trim() === "" ? undefined : Number(text);
  let ownError: string | undefined;
  if (parsed !== undefined) {
    if (!Number.isFinite(parsed)) ownError = "Not a number";
    else if (integer && !Number.isInteger(parsed)) ownError = "A whole number";
    else if (min !== undefined && parsed < min) ownError = `At least ${min}`;
    else if (max !== undefined && parsed > max) ownError = `At most ${max}`;
  }
  return (
    <Field label={label} hint={hint} error={error ?? ownError} className={className}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          className="ui-input ui-input--number"
          type="number"
          inputMode={integer ? "numeric" : "decimal"}
          value={text}
          min={min}
          max={max}
          step={step ?? (integer ? 1 : "any")}
          placeholder={placeholder}
          disabled={disabled}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onChange={(e) => {
            const t = e.target.value;
            setText(t);
            const n = t.trim() === "" ? undefined : Number(t);
            if (n === undefined) onChange(undefined);
            else if (Number.isFinite(n) && (!integer || Number.isInteger(n))) onChange(n);
          }}
        />
      )}
    </Field>
  );
}

export interface SelectOption<T extends string> {
  value: T;
  label: string;
  disabled?: boolean;
}

export interface SelectProps<T extends string> extends Common {
  value: T;
  options: readonly SelectOption<T>[];
  onChange: (value: T) => void;
}

export function Select<T extends string>({
  label,
  hint,
  error,
  className,
  value,
  options,
  onChange,
  disabled,
}: SelectProps<T>) {
  return (
    <Field label={label} hint={hint} error={error} className={className}>
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          className="ui-input ui-select"
          value={value}
          disabled={disabled}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onChange={(e) => {
            const next = options.find((o) => o.value === e.target.value);
            if (next) onChange(next.value);
          }}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value} disabled={o.disabled}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export interface CheckboxProps extends Common {
  checked: boolean;
  onChange: (checked: boolean) => void;
}

export function Checkbox({ label, hint, error, className, checked, onChange, disabled }: CheckboxProps) {
  return (
    <Field label={label} hint={hint} error={error} className={className} inline>
      {({ id, describedBy }) => (
        <input
          id={id}
          type="checkbox"
          className="ui-checkbox"
          checked={checked}
          disabled={disabled}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.checked)}
        />
      )}
    </Field>
  );
}

/** An on/off switch (role="switch"): for settings that act at once. */
export function Toggle({ label, hint, className, checked, onChange, disabled }: CheckboxProps) {
  return (
    <Field label={label} hint={hint} className={className} inline>
      {({ id, describedBy }) => (
        <button
          id={id}
          type="button"
          role="switch"
          aria-checked={checked}
          aria-describedby={describedBy}
          disabled={disabled}
          className={`ui-switch ${checked ? "ui-switch--on" : ""}`}
          onClick={() => onChange(!checked)}
        >
          <span className="ui-switch__thumb" aria-hidden="true" />
        </button>
      )}
    </Field>
  );
}

export interface RangeFieldProps extends Common {
  value: number;
  onChange: (value: number) => void;
  min: number;
  max: number;
  step?: number;
  /** How the current value reads (e.g. percent). */
  format?: (value: number) => string;
}

export function RangeField({
  label,
  hint,
  className,
  value,
  onChange,
  min,
  max,
  step,
  format,
  disabled,
}: RangeFieldProps) {
  const shown = format ? format(value) : String(value);
  return (
    <Field label={label} hint={hint} className={className}>
      {({ id, describedBy }) => (
        <div className="ui-range">
          <input
            id={id}
            type="range"
            min={min}
            max={max}
            step={step ?? 1}
            value={value}
            disabled={disabled}
            aria-describedby={describedBy}
            aria-valuetext={shown}
            onChange={(e) => onChange(Number(e.target.value))}
          />
          <output htmlFor={id} className="ui-range__value">
            {shown}
          </output>
        </div>
      )}
    </Field>
  );
}
