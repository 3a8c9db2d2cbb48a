// Processes the tests start (clusters, web apps) never outlive the test run, on any path. `tsx` runs a
// script in a child process of its own, so a kill of the process the test spawned left the script (a
// whole cluster) running; and a start that timed out, or a hook that failed half way, left what it had
// started. So each child leads its own process group, stopping signals the whole group (SIGTERM, then
// SIGKILL after a grace period), and whatever is still running when the test process exits is killed.
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams, type SpawnOptions, type SpawnOptionsWithoutStdio } from 'node:child_process';

/** Children whose process group may still run: removed once every process holding their output has ended. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** `spawn`, in a process group of its own that stopChild (or the test process's exit) ends whole. */
export function spawnChild(command: string, args: readonly string[], options?: SpawnOptionsWithoutStdio): ChildProcessWithoutNullStreams;
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions): ChildProcess;
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Synchronous, the only kind that runs on exit: a worker torn down after a timeout still gets here.
    process.on('exit', () => {
      for (const child of running) signalGroup(child, 'SIGKILL');
    });
  }
  const child = spawn(command, args, { ...options, detached: true });
  running.add(child);
  // 'close' comes once every process holding the child's stdio has ended (tsx's script child included).
  child.once('close', () => running.delete(child));
  child.once('error', () => running.delete(child));
  return child;
}

/**
 * Stops a child started with spawnChild and everything in its group: SIGTERM, then SIGKILL if it has
 * not ended after `graceMs` (0: SIGKILL at once, kill -9).
 */
export async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (!running.has(child)) return;
  const closed = new Promise<true>((resolve) => child.once('close', () => resolve(true)));
  const within = (ms: number) => Promise.race([closed, new Promise<false>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
  if (graceMs > 0) {
    signalGroup(child, 'SIGTERM');
    if (await within(graceMs)) return;
  }
  signalGroup(child, 'SIGKILL');
  if (!(await within(5_000))) running.delete(child);
}
