// The one dialog frame: a modal built on <dialog> (focus trapping and Escape come from the browser),
// with a title, a body, the error of its action in place, and a footer of actions. Focus goes to the
// first field, so a form can be typed into at once.
import { useEffect, useRef, useState, type ReactNode } from 'react';

const FIRST_FIELD = 'input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled])';

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  /** Makes the body a form: Enter in a field submits it, as the submit button in `actions` does. */
  onSubmit?: () => void;
  /** Why the last action failed, shown above the footer; a cancelled action is a warning, not an error. */
  error?: ReactNode;
  errorTone?: 'error' | 'warning';
  /** The footer's buttons at the right, after the Cancel button. */
  actions?: ReactNode;
  /** The footer's buttons at the left (Delete). */
  leadingActions?: ReactNode;
  /** The label of the button that closes the dialog; null for none. */
  cancelLabel?: string | null;
  /** The body is laid out by the dialog's content itself, not as a form column. */
  plain?: boolean;
}

export function Dialog({
  title,
  onClose,
  children,
  wide,
  onSubmit,
  error,
  errorTone = 'error',
  actions,
  leadingActions,
  cancelLabel = 'Cancel',
  plain,
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || dialog.open) return;
    dialog.showModal();
    // showModal focuses the first focusable element, the header's close button; a field is what the
    // user came for.
    dialog.querySelector<HTMLElement>(FIRST_FIELD)?.focus();
  }, []);
  const errorBlock = error ? (
    <div className={errorTone === 'warning' ? 'warning' : 'form-error'} role="alert">
      {error}
    </div>
  ) : null;
  const footer =
    actions || leadingActions || cancelLabel ? (
      <footer className="dialog-actions">
        {leadingActions}
        <span className="spacer" />
        {cancelLabel ? (
          <button type="button" className="button" onClick={onClose}>
            {cancelLabel}
          </button>
        ) : null}
        {actions}
      </footer>
    ) : null;
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
      {onSubmit ? (
        <form
          className="form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            onSubmit();
          }}
        >
          {children}
          {errorBlock}
          {footer}
        </form>
      ) : plain ? (
        <>
          {children}
          {errorBlock}
          {footer}
        </>
      ) : (
        <>
          <div className="form">
            {children}
            {errorBlock}
          </div>
          {footer}
        </>
      )}
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
  typeToConfirm,
  children,
}: {
  title: string;
  confirmLabel: string;
  action: () => Promise<ActionResult>;
  onDone?: () => void;
  onClose: () => void;
  /** The action runs only once this text is typed (a topic's name before deleting it). */
  typeToConfirm?: string;
  children: ReactNode;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [typed, setTyped] = useState('');
  const confirmed = typeToConfirm === undefined || typed === typeToConfirm;
  return (
    <Dialog
      title={title}
      onClose={onClose}
      plain
      error={error}
      actions={
        <button
          type="button"
          className="button button-danger"
          disabled={busy || !confirmed}
          title={confirmed ? undefined : `Type ${typeToConfirm} to confirm`}
          onClick={() => {
            setBusy(true);
            void action().then((result) => {
              setBusy(false);
              if (result.ok) onDone?.();
              else setError(result.error.message);
            });
          }}
        >
          {confirmLabel}
        </button>
      }
    >
      {children}
      {typeToConfirm !== undefined ? <TypeToConfirm word={typeToConfirm} typed={typed} onType={setTyped} /> : null}
    </Dialog>
  );
}

/** The field a destructive action waits on until `word` is typed (topic names, 'delete 3'). */
export function TypeToConfirm({ word, typed, onType }: { word: string; typed: string; onType: (typed: string) => void }) {
  return (
    <label className="type-to-confirm">
      <span>
        Type <code>{word}</code> to confirm
      </span>
      <input value={typed} spellCheck={false} autoComplete="off" onChange={(event) => onType(event.target.value)} aria-label={`Type ${word} to confirm`} />
    </label>
  );
}
