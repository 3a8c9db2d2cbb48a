// The one logger of the main process: the app's services, the IPC registry, the web server and the
// embedded broker (electron/broker/server/logger.ts re-exports this) all log through `Logger`, one
// readable line per event: `time LEVEL message key=value ...`. Tests pass their own `write` to read
// what was logged.

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  fields?: LogFields;
  /** Error lines also carry the stack of an Error field (the app's unexpected failures; the
   * broker's error lines stay one line each, as its log rates count lines). */
  stacks?: boolean;
}

function formatFields(fields: LogFields): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = value instanceof Error ? value.message : typeof value === 'string' ? value : JSON.stringify(value);
    parts.push(`${key}=${text}`);
  }
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/** A logger writing one readable line per event: `time LEVEL message key=value ...`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const base = options.fields ?? {};
  const log = (level: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields) => {
    if (LEVELS[level] < threshold) return;
    const all = { ...base, ...fields };
    let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${formatFields(all)}`;
    if (options.stacks && level === 'error') {
      for (const value of Object.values(all)) if (value instanceof Error && value.stack) line += `\n${value.stack}`;
    }
    write(line);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

export const silentLogger: Logger = createLogger({ level: 'silent' });

/** The app's own log (services, IPC, web server) when no other is given: stderr, with stacks. */
export const appLogger: Logger = createLogger({ fields: { component: 'app' }, stacks: true });
