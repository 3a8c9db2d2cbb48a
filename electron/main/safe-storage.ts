import { safeStorage } from 'electron';
import { MemorySecretStore, type SecretStore } from '../services/secrets/service';

/** Passwords encrypted with the OS keychain through safeStorage; in memory only when there is none. */
export function createElectronSecretStore(): SecretStore {
  if (!safeStorage.isEncryptionAvailable()) return new MemorySecretStore();
  return {
    kind: 'encrypted',
    seal: (plain) => safeStorage.encryptString(plain).toString('base64'),
    open: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
