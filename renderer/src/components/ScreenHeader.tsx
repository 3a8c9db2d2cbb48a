import type { ReactNode } from 'react';

export function ScreenHeader({
  title,
  children,
  onRefresh,
  refreshing,
}: {
  title: ReactNode;
  children?: ReactNode;
  onRefresh?: () => void;
  refreshing?: boolean;
}) {
  return (
    <header className="screen-header">
      <h1>{title}</h1>
      <div className="screen-actions">
        {children}
        {onRefresh ? (
          <button type="button" className="button" onClick={onRefresh} disabled={refreshing}>
            {refreshing ? 'Refreshing…' : 'Refresh'}
          </button>
        ) : null}
      </div>
    </header>
  );
}
