/** The shell: skip link, left navigation, top bar, the current screen, the jobs area and the toasts. */
import { useEffect, useRef, useState } from "react";
import { useApi } from "../api/context.js";
import { screens } from "../screens/index.js";
import { Toaster } from "../ui/Toast.js";
import { useJobsConnection } from "../state/jobs.js";
import { connectAppStore } from "./app-store.js";
import { JobsPanel } from "./JobsPanel.js";
import { Nav } from "./Nav.js";
import { useScreenRoute } from "./route.js";
import { ScreenBoundary } from "./ScreenBoundary.js";
import { TopBar } from "./TopBar.js";

const ids = screens.map((s) => s.id);

export function App() {
  const api = useApi();
  const [current, go] = useScreenRoute(ids);
  const [jobsOpen, setJobsOpen] = useState(false);
  const mainRef = useRef<HTMLElement>(null);

  useEffect(() => connectAppStore(api), [api]);
  // The jobs store outlives screens (the Train screen reads it too); it is connected once, here.
  useJobsConnection();

  // Ctrl+1..6 (Electron; a browser keeps Ctrl+digit for its tabs) and Alt+1..6 switch screens.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.altKey) || e.shiftKey || e.metaKey) return;
      const n = Number(e.key);
      const target = Number.isInteger(n) && n >= 1 ? screens[n - 1] : undefined;
      if (!target) return;
      e.preventDefault();
      go(target.id);
      mainRef.current?.focus();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const screen = screens.find((s) => s.id === current) ?? screens[0];
  useEffect(() => {
    document.title = screen ? `${screen.title} · Azaion Workstation` : "Azaion Workstation";
  }, [screen]);
  if (!screen) return null;
  const { Component } = screen;

  return (
    <div className={`app ${jobsOpen ? "app--jobs" : ""}`}>
      <a
        className="app-skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to content
      </a>
      <Nav screens={screens} current={screen.id} onGo={go} />
      <div className="app-body">
        <TopBar title={screen.title} jobsOpen={jobsOpen} onToggleJobs={() => setJobsOpen((v) => !v)} />
        <main id="main" ref={mainRef} className="app-main" tabIndex={-1} aria-label={screen.title}>
          <ScreenBoundary key={screen.id} name={screen.title}>
            <Component />
          </ScreenBoundary>
        </main>
      </div>
      {jobsOpen && <JobsPanel onClose={() => setJobsOpen(false)} />}
      <Toaster />
    </div>
  );
}
