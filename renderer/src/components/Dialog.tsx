// A modal built on <dialog>, so focus trapping and Escape come from the browser.
import { useEffect, useRef, useState, type ReactNode } from 'react';

export function Dialog({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-label={title}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <header className="dialog-header">
        <h2>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {children}
    </dialog>
  );
}

/** What a store action answers: done, or an error in words a user understands. */
type ActionResult = { ok: true } | { ok: false; error: { message: string } };

/**
 * A dialog that asks before a destructive action: the question, Cancel, and a danger button that runs
 * `action`, shows its error in place, and calls `onDone` when it succeeded.
 */
export function ConfirmDialog({
  title,
  confirmLabel,
  action,
  onDone,
  onClose,
  children,
}: {
  title: string;
  confirmLabel: string;
  action: () => Promise<ActionResult>;
  onDone?: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={title} onClose={onClose}>
      {children}
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
      <footer className="dialog-actions">
        <span className="spacer" />
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="button button-danger"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            const result = await action();
            setBusy(false);
            if (result.ok) onDone?.();
            else setError(result.error.message);
          }}
        >
          {confirmLabel}
        </button>
      </footer>
    </Dialog>
  );
}
