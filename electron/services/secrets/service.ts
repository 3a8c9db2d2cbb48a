// Where saved connection passwords live. In Electron with an OS keyring they are encrypted with
// safeStorage and written to disk; otherwise (web mode, or no keyring) they stay in memory for this
// run only and are never written in clear. Either way they are never sent back to the renderer.
export interface SecretStore {
  readonly kind: 'encrypted' | 'memory';
  /** Returns what to write to disk for this secret, or null if it must not be written. */
  seal(plain: string): string | null;
  /** Reads back what seal() returned. */
  open(sealed: string): string;
}

export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  seal(): null {
    return null;
  }
  open(): string {
    throw new Error('This secret store keeps nothing on disk.');
  }
}
