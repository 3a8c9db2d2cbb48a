// The broker logs through the app's one logger (electron/core/logger.ts), so the CLI prints readable
// lines and the app can route them elsewhere.
export { createLogger, silentLogger, type Logger, type LogLevel } from '../../core/logger';
