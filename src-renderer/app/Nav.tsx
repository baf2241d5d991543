/** The left navigation: one link per screen, the current one marked with aria-current. */
import type { ScreenEntry } from "../screens/index.js";

export function Nav({
  screens,
  current,
  onGo,
}: {
  screens: readonly ScreenEntry[];
  current: string;
  onGo: (id: string) => void;
}) {
  return (
    <nav className="app-nav" aria-label="Screens">
      <div className="app-nav__brand" aria-hidden="true">
        <span className="app-nav__logo">◈</span> Azaion
      </div>
      <ul>
        {screens.map((s, i) => (
          <li key={s.id}>
            <a
              href={`#/${s.id}`}
              className={`app-nav__link ${s.id === current ? "app-nav__link--current" : ""}`}
              aria-current={s.id === current ? "page" : undefined}
              aria-keyshortcuts={`Alt+${i + 1} Control+${i + 1}`}
              title={`${s.description} (Alt+${i + 1})`}
              onClick={(e) => {
                e.preventDefault();
                onGo(s.id);
              }}
            >
              <span className="app-nav__icon" aria-hidden="true">
                {s.icon}
              </span>
              <span className="app-nav__title">{s.title}</span>
              <kbd className="app-nav__key" aria-hidden="true">
                {i + 1}
              </kbd>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
