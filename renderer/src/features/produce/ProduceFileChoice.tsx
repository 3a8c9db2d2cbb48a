// The produce form's file. The renderer never names a path for the main process to read: on the desktop
// the main process asks with the system's open dialog; in web mode the browser reads the file the user
// picked and uploads its text. Either way the form keeps only the handle the main process answers.
import { useState } from 'react';
import { formatByteSize, MAX_UPLOAD_BYTES, type ChosenFile } from '../../../../shared/model/schemas';
import { Field } from '../../components/Field';
import { useAppStore } from '../../store/hooks';
import type { ValueSource } from './produce-form';

export function ProduceFileChoice({
  source,
  file,
  error,
  onChosen,
}: {
  source: Exclude<ValueSource, 'typed'>;
  file: ChosenFile | null;
  /** The form's own error (no file chosen yet), shown once the user tried to send. */
  error: string | undefined;
  onChosen: (file: ChosenFile) => void;
}) {
  const mode = useAppStore((state) => state.appInfo.data?.mode);
  const chooseProduceFile = useAppStore((state) => state.chooseProduceFile);
  const uploadProduceFile = useAppStore((state) => state.uploadProduceFile);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const chooseOnDesktop = async () => {
    setBusy(true);
    setFailure(null);
    const result = await chooseProduceFile();
    setBusy(false);
    if (!result.ok) setFailure(result.error.message);
    else if (result.value.file) onChosen(result.value.file);
  };

  const upload = async (picked: File | undefined) => {
    if (!picked) return;
    setFailure(null);
    // Said here, before a large file is read into the page: the main process refuses it too.
    if (picked.size > MAX_UPLOAD_BYTES) {
      setFailure(`"${picked.name}" is ${formatByteSize(picked.size)}; a file sent from the browser can be at most ${formatByteSize(MAX_UPLOAD_BYTES)}.`);
      return;
    }
    setBusy(true);
    let text: string;
    try {
      // Strict: a binary file is refused in words rather than sent with replacement characters.
      text = new TextDecoder('utf-8', { fatal: true }).decode(await picked.arrayBuffer());
    } catch {
      setBusy(false);
      setFailure(`"${picked.name}" is not UTF-8 text.`);
      return;
    }
    const result = await uploadProduceFile(picked.name, text);
    setBusy(false);
    if (result.ok) onChosen(result.value);
    else setFailure(result.error.message);
  };

  const limits =
    source === 'file-lines' ? 'Each line with text is one record (up to 10,000 lines); blank lines are skipped.' : 'The whole file, UTF-8 text, is the value.';
  const chosen = file ? `${file.name} · ${formatByteSize(file.size)}` : null;
  return (
    <Field
      label="File"
      error={failure ?? error}
      hint={
        <>
          {chosen ? <span className="produce-file-chosen">Chosen: {chosen}. </span> : null}
          {limits}
          {mode === 'web' ? ` In web mode the browser sends the file's text, at most ${formatByteSize(MAX_UPLOAD_BYTES)}.` : null}
        </>
      }
    >
      {(props) =>
        mode === 'web' ? (
          <input {...props} type="file" disabled={busy} onChange={(event) => void upload(event.target.files?.[0])} />
        ) : (
          <button {...props} type="button" className="button" disabled={busy || mode === undefined} onClick={() => void chooseOnDesktop()}>
            {busy ? 'Choosing…' : file ? 'Choose another file…' : 'Choose a file…'}
          </button>
        )
      }
    </Field>
  );
}
