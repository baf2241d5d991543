/** Titled regions: a Panel is a screen's block (a landmark with its heading), a Section a sub-block. */
import { useId, type ReactNode } from "react";

export interface PanelProps {
  title: ReactNode;
  /** Buttons shown at the right of the title. */
  actions?: ReactNode;
  className?: string;
  children?: ReactNode;
}

export function Panel({ title, actions, className, children }: PanelProps) {
  const id = useId();
  return (
    <section className={`ui-panel ${className ?? ""}`} aria-labelledby={id}>
      <header className="ui-panel__header">
        <h2 id={id} className="ui-panel__title">
          {title}
        </h2>
        {actions && <div className="ui-panel__actions">{actions}</div>}
      </header>
      <div className="ui-panel__body">{children}</div>
    </section>
  );
}

export function Section({ title, actions, className, children }: PanelProps) {
  const id = useId();
  return (
    <section className={`ui-section ${className ?? ""}`} aria-labelledby={id}>
      <header className="ui-section__header">
        <h3 id={id} className="ui-section__title">
          {title}
        </h3>
        {actions && <div className="ui-panel__actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}
