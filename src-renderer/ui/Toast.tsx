/** One notification, and the live region that stacks them (rendered once by the app shell). */
import { useToastStore, type ToastItem } from "./toast-store.js";

export function Toast({ toast, onDismiss }: { toast: ToastItem; onDismiss: () => void }) {
  return (
    <div
      className={`ui-toast ui-toast--${toast.kind}`}
      role={toast.kind === "error" ? "alert" : "status"}
      aria-label={toast.title}
    >
      <div className="ui-toast__text">
        <div className="ui-toast__title">{toast.title}</div>
        {toast.message && <div className="ui-toast__message">{toast.message}</div>}
      </div>
      <div className="ui-toast__actions">
        {toast.action && (
          <button
            type="button"
            className="ui-btn ui-btn--secondary ui-btn--sm"
            onClick={() => {
              toast.action?.run();
              onDismiss();
            }}
          >
            {toast.action.label}
          </button>
        )}
        <button
          type="button"
          className="ui-btn ui-btn--ghost ui-btn--sm ui-icon-btn"
          aria-label={`Dismiss: ${toast.title}`}
          onClick={onDismiss}
        >
          <span aria-hidden="true">✕</span>
        </button>
      </div>
    </div>
  );
}

export function Toaster() {
  const toasts = useToastStore((s) => s.toasts);
  const dismiss = useToastStore((s) => s.dismiss);
  return (
    <div className="ui-toaster" aria-label="Notifications" role="region">
      {toasts.map((t) => (
        <Toast key={t.id} toast={t} onDismiss={() => dismiss(t.id)} />
      ))}
    </div>
  );
}
