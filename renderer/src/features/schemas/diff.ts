// A side-by-side line diff of two schema texts (longest common subsequence of lines). Avro and JSON
// schemas are laid out one property per line first, so a diff of two versions registered as compact
// JSON shows the fields that changed rather than one changed line.

export interface DiffRow {
  left: string | null;
  right: string | null;
  kind: 'same' | 'removed' | 'added' | 'changed';
}

/** The schema as the diff and the viewer show it: JSON indented, Protobuf as written. */
export function displaySchema(text: string, schemaType: string): string {
  if (schemaType === 'PROTOBUF') return text.trim();
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Texts longer than this many lines are compared line by line without the LCS table (kept bounded). */
const MAX_LCS_LINES = 4000;

export function diffLines(oldText: string, newText: string): DiffRow[] {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  if (a.length > MAX_LCS_LINES || b.length > MAX_LCS_LINES) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => {
      const left = a[i] ?? null;
      const right = b[i] ?? null;
      return { left, right, kind: left === right ? 'same' : left === null ? 'added' : right === null ? 'removed' : 'changed' };
    });
  }
  // lengths[i][j]: the LCS of a[i..] and b[j..].
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i]![j] = a[i] === b[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
    }
  }
  const rows: DiffRow[] = [];
  let removed: string[] = [];
  let added: string[] = [];
  // A run of removed lines next to a run of added ones pairs up as changed lines, side by side.
  const flush = () => {
    const pairs = Math.max(removed.length, added.length);
    for (let k = 0; k < pairs; k++) {
      const left = removed[k] ?? null;
      const right = added[k] ?? null;
      rows.push({ left, right, kind: left !== null && right !== null ? 'changed' : left !== null ? 'removed' : 'added' });
    }
    removed = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      flush();
      rows.push({ left: a[i]!, right: b[j]!, kind: 'same' });
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lengths[i]![j + 1]! >= lengths[i + 1]![j]!)) {
      added.push(b[j]!);
      j++;
    } else {
      removed.push(a[i]!);
      i++;
    }
  }
  flush();
  return rows;
}
