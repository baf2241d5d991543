/** Buttons: a text button and an icon-only button that always carries an accessible name. */
import type { ButtonHTMLAttributes, ReactNode, Ref } from "react";

export type ButtonVariant = "primary" | "secondary" | "danger" | "ghost";

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: "sm" | "md";
  ref?: Ref<HTMLButtonElement>;
}

export function Button({ variant = "secondary", size = "md", className, type, ...rest }: ButtonProps) {
  const cls = ["ui-btn", `ui-btn--${variant}`, size === "sm" ? "ui-btn--sm" : "", className ?? ""];
  return <button type={type ?? "button"} className={cls.filter(Boolean).join(" ")} {...rest} />;
}

export interface IconButtonProps extends Omit<ButtonProps, "children" | "aria-label"> {
  /** The accessible name (also the tooltip). */
  label: string;
  icon: ReactNode;
}

export function IconButton({ label, icon, className, title, ...rest }: IconButtonProps) {
  return (
    <Button
      aria-label={label}
      title={title ?? label}
      className={`ui-icon-btn ${className ?? ""}`}
      variant="ghost"
      {...rest}
    >
      <span aria-hidden="true">{icon}</span>
    </Button>
  );
}
