/**
 * Reusable buffers for segment reads that serve fetch responses.
 *
 * A consumer behind the tail cache gets its records by pread(2) into a window buffer of ~maxBytes; a
 * fresh buffer per fetch means fresh memory to fault in and, at hundreds of MiB/s, garbage collections
 * driven by external memory alone. A {@link ReadLease} hands out buffers from a process-wide pool and
 * gives them back in one go once the response that carries them has been written to the socket (see
 * Connection.afterResponse); nothing else may keep a reference past that point. Reads with no lease (the
 * in-process replica fetcher, whose follower keeps the bytes in its own tail cache) allocate as before.
 */

/** Reads smaller than this are not pooled (the window minimum is 16 KiB; such buffers are cheap). */
const MIN_POOLED = 64 << 10;
/** Larger windows than this are not pooled (the window maximum is 8 MiB). */
const MAX_POOLED = 8 << 20;
const GRANULE = 64 << 10;

const idle = new Map<number, Buffer[]>();
let idleBytes = 0;
/** Idle bytes kept in the pool at most, process-wide; beyond it released buffers go to the GC. */
let idleLimit = 32 << 20;

const sizeClass = (size: number): number => Math.ceil(size / GRANULE) * GRANULE;

function take(size: number): Buffer | null {
  if (size < MIN_POOLED || size > MAX_POOLED) return null;
  const cls = sizeClass(size);
  const list = idle.get(cls);
  const buf = list?.pop();
  if (buf) {
    idleBytes -= cls;
    return buf;
  }
  return Buffer.allocUnsafeSlow(cls);
}

function give(buf: Buffer): void {
  const cls = buf.length;
  if (idleBytes + cls > idleLimit) return;
  let list = idle.get(cls);
  if (!list) idle.set(cls, (list = []));
  list.push(buf);
  idleBytes += cls;
}

/** Bytes sitting idle in the pool (tests). */
export function idleReadBufferBytes(): number {
  return idleBytes;
}

/** Changes the idle limit (tests); returns the previous one. */
export function setIdleReadBufferLimit(bytes: number): number {
  const previous = idleLimit;
  idleLimit = bytes;
  return previous;
}

/** Allocates a buffer of exactly `size` bytes for a segment read. */
export type ReadAllocator = (size: number) => Buffer;

/**
 * The buffers one response borrows. `alloc` may be passed to reads; `release` returns every buffer it
 * handed out to the pool and must run only once nothing refers to them any more (the response written,
 * or dropped). Releasing twice is harmless.
 */
export class ReadLease {
  #held: Buffer[] = [];

  readonly alloc: ReadAllocator = (size) => {
    const pooled = take(size);
    if (!pooled) return Buffer.allocUnsafe(size);
    this.#held.push(pooled);
    return pooled.subarray(0, size);
  };

  release(): void {
    const held = this.#held;
    this.#held = [];
    for (const buf of held) give(buf);
  }
}
