import { type ReactNode, useEffect, useState } from 'react';

/** A loading message, shown only when the wait passes 300 ms (issue 19.7): quick answers do not flicker. */
export function Loading({ active, children = 'Loading…' }: { active: boolean; children?: ReactNode }) {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!active) {
      setShown(false);
      return;
    }
    const timer = window.setTimeout(() => setShown(true), 300);
    return () => window.clearTimeout(timer);
  }, [active]);
  return (
    <div role="status" aria-live="polite" className="app-loading">
      {shown ? (
        <p className="govuk-body app-loading__message">
          <span className="app-loading__spinner" aria-hidden="true" />
          {children}
        </p>
      ) : null}
    </div>
  );
}
