/** A screen that throws while rendering shows what went wrong and can be reloaded, without taking the shell down. */
import { Component, type ErrorInfo, type ReactNode } from "react";

interface Props {
  name: string;
  children: ReactNode;
}

export class ScreenBoundary extends Component<Props, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`The ${this.props.name} screen failed`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="app-screen-error" role="alert">
        <h2>The {this.props.name} screen failed</h2>
        <pre>{this.state.error.message}</pre>
        <button
          type="button"
          className="ui-btn ui-btn--primary"
          onClick={() => this.setState({ error: null })}
        >
          Reload screen
        </button>
      </div>
    );
  }
}
