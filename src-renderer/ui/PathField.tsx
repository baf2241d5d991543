/** A host path: a text field plus "Browse…", which opens the host's file chooser. */
import { useState, type ReactNode } from "react";
import { Button } from "./Button.js";
import { Field } from "./Field.js";
import { FileChooser, type ChooserMode } from "./FileChooser.js";

export interface PathFieldProps {
  label: string;
  value: string;
  onChange: (path: string) => void;
  mode?: ChooserMode;
  extensions?: readonly string[];
  hint?: ReactNode;
  error?: ReactNode;
  placeholder?: string;
  disabled?: boolean;
  className?: string;
  /** Called after a path is picked in the chooser (not on typing). */
  onPicked?: (path: string) => void;
}

export function PathField(props: PathFieldProps) {
  const {
    label,
    value,
    onChange,
    mode = "file",
    extensions,
    hint,
    error,
    placeholder,
    disabled,
    className,
  } = props;
  const [open, setOpen] = useState(false);
  return (
    <Field label={label} hint={hint} error={error} className={className}>
      {({ id, describedBy, invalid }) => (
        <div className="ui-path">
          <input
            id={id}
            className="ui-input"
            value={value}
            placeholder={placeholder ?? (mode === "folder" ? "/path/to/folder" : "/path/to/file")}
            disabled={disabled}
            spellCheck={false}
            aria-describedby={describedBy}
            aria-invalid={invalid || undefined}
            onChange={(e) => onChange(e.target.value)}
          />
          <Button aria-label={`Browse for ${label}`} disabled={disabled} onClick={() => setOpen(true)}>
            Browse…
          </Button>
          <FileChooser
            open={open}
            title={`Choose: ${label}`}
            mode={mode}
            extensions={extensions}
            start={value}
            onPick={(path) => {
              onChange(path);
              props.onPicked?.(path);
            }}
            onClose={() => setOpen(false)}
          />
        </div>
      )}
    </Field>
  );
}
