/**
 * A modal dialog on the native <dialog> (showModal): the browser traps focus, makes the page inert and
 * restores focus on close. Escape asks the owner to close (onClose), which decides. React events from
 * inside still bubble to the owner's React ancestors: stop them here so a dialog's Enter never
 * submits a form it was opened from.
 */
import { useEffect, useId, useRef, type ReactNode } from "react";
import { createPortal } from "react-dom";

export interface ModalProps {
  open: boolean;
  title: ReactNode;
  onClose: () => void;
  children?: ReactNode;
  /** Buttons at the bottom (right-aligned). */
  footer?: ReactNode;
  size?: "sm" | "md" | "lg";
  className?: string;
}

export function Modal({ open, title, onClose, children, footer, size = "md", className }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const onCancel = (e: Event) => {
      e.preventDefault();
      onCloseRef.current();
    };
    dialog.addEventListener("cancel", onCancel);
    return () => dialog.removeEventListener("cancel", onCancel);
  }, []);

  // In a portal: a dialog opened from inside a form (a PathField) must not nest its own controls in it.
  return createPortal(
    <dialog
      ref={ref}
      className={`ui-modal ui-modal--${size} ${className ?? ""}`}
      aria-labelledby={titleId}
      onSubmit={(e) => e.stopPropagation()}
    >
      {open && (
        <>
          <header className="ui-modal__header">
            <h2 id={titleId} className="ui-modal__title">
              {title}
            </h2>
            <button
              type="button"
              className="ui-btn ui-btn--ghost ui-icon-btn"
              aria-label="Close"
              onClick={onClose}
            >
              <span aria-hidden="true">✕</span>
            </button>
          </header>
          <div className="ui-modal__body">{children}</div>
          {footer && <footer className="ui-modal__footer">{footer}</footer>}
        </>
      )}
    </dialog>,
    document.body,
  );
}
