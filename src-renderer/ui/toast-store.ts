/** Notifications any screen can raise (`notify.error(...)`); the app shell renders them as toasts. */
import { create } from "zustand";

export type ToastKind = "info" | "success" | "warning" | "error";

export interface ToastItem {
  id: number;
  kind: ToastKind;
  title: string;
  message?: string;
  /** A button on the toast (e.g. "Reload"). */
  action?: { label: string; run: () => void };
}

interface ToastState {
  toasts: ToastItem[];
  push: (toast: Omit<ToastItem, "id">) => number;
  dismiss: (id: number) => void;
}

let nextId = 1;
const MAX_TOASTS = 5;
/** Errors stay until dismissed; the rest fade after a while. */
const AUTO_DISMISS_MS: Record<ToastKind, number | null> = {
  info: 5000,
  success: 4000,
  warning: 8000,
  error: null,
};

export const useToastStore = create<ToastState>((set, get) => ({
  toasts: [],
  push: (toast) => {
    const id = nextId++;
    set((s) => ({ toasts: [...s.toasts, { ...toast, id }].slice(-MAX_TOASTS) }));
    const ms = AUTO_DISMISS_MS[toast.kind];
    if (ms !== null) setTimeout(() => get().dismiss(id), ms);
    return id;
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export const notify = {
  info: (title: string, message?: string) => useToastStore.getState().push({ kind: "info", title, message }),
  success: (title: string, message?: string) =>
    useToastStore.getState().push({ kind: "success", title, message }),
  warning: (title: string, message?: string) =>
    useToastStore.getState().push({ kind: "warning", title, message }),
  /** An error toast; `error` may be an ApiError, an Error or anything thrown. */
  error: (title: string, error?: unknown, action?: ToastItem["action"]) =>
    useToastStore
      .getState()
      .push({ kind: "error", title, message: error === undefined ? undefined : errorText(error), action }),
};
