import type { Socket } from 'node:net';
import type { Logger } from './logger';
import { MemoryBudget } from './memory-budget';
import { refusalLog } from './refusal-log';

/** A complete response frame (INT32 size prefix included) as chunks, or null when the request gets no response. */
export type ResponseChunks = readonly Buffer[] | null;

/**
 * Thrown by a frame handler to close the connection on purpose (an unknown API key or version, an
 * unparseable header): the reason is logged, the other connections go on.
 */
export class CloseConnection extends Error {
  override readonly name = 'CloseConnection';
}

/**
 * A response that completes later, returned for a request whose effects are all done and only its
 * answer waits (an acks=all produce, appended, waiting for its followers): the connection may handle
 * the next request meanwhile if `FrameHandler.mayOverlap` allows it. Responses still go out in order.
 */
export class DeferredResponse {
  constructor(readonly response: Promise<ResponseChunks>) {}
}

export interface FrameHandler {
  /** Handles one request frame (the bytes after the size prefix). May complete later (long polls, acks=all). */
  handleFrame(frame: Buffer, connection: Connection): ResponseChunks | Promise<ResponseChunks> | DeferredResponse;
  /** Whether this frame may be handled while earlier requests' DeferredResponses are still pending. */
  mayOverlap?(frame: Buffer): boolean;
}

export interface ConnectionOptions {
  /** socket.request.max.bytes: a frame announcing more is refused and the connection closed. */
  maxRequestBytes: number;
  /** connections.max.idle.ms: a connection with no traffic this long is closed. */
  idleTimeoutMs: number;
  /**
   * socket.request.read.timeout.ms: a request must arrive in full within this time of its first byte
   * (counted while the broker is reading the connection); a client trickling a frame is disconnected.
   */
  requestReadTimeoutMs?: number;
  /** queued.max.request.bytes, shared by every connection of the process (see MemoryBudget); unlimited if not given. */
  memory?: MemoryBudget;
  logger: Logger;
}

/**
 * Frames up to this size are read without a reservation from the memory budget: a healthy client's
 * small requests are never held up by clients filling the budget. Larger frames reserve their size once
 * this much of them has arrived. Each connection holds at most this much unreserved, plus
 * READ_AHEAD_BYTES, so what they cost together is bounded by the number of connections.
 */
export const SMALL_FRAME_BYTES = 64 << 10;
/** Bytes of later requests read from a connection while its current request is handled or its responses wait. */
export const READ_AHEAD_BYTES = 64 << 10;

/** Kafka Desk's default for socket.request.read.timeout.ms. */
export const DEFAULT_REQUEST_READ_TIMEOUT_MS = 30_000;
const UNLIMITED = new MemoryBudget(-1);

let nextConnectionId = 1;

/** At most this many deferred responses wait on one connection; more requests wait for the oldest. */
const MAX_DEFERRED = 1000;

/** A request handled but not yet answered, in arrival order. */
interface Outstanding {
  ready: boolean;
  chunks: ResponseChunks;
  /** The afterResponse callbacks its handler registered. */
  hooks: Array<() => void>;
}

/** A request frame being received: its declared size and, for a large frame, the buffer it is copied into. */
interface IncomingFrame {
  size: number;
  /** Allocated once the reservation is granted (large frames); small frames are cut from the chunks. */
  body: Buffer | null;
  filled: number;
  /** Bytes reserved from the memory budget for this frame (0 for small frames). */
  reserved: number;
}

/** A received request, with the reservation it holds until it has been handled. */
interface ReceivedRequest {
  body: Buffer;
  reserved: number;
}

/**
 * One client connection: size-framed requests, handled one at a time in arrival order (as Kafka does, a
 * request is handled only after the previous one was answered), with responses written in the same
 * order.
 *
 * One exception to "after the previous one answered": a request that returned a DeferredResponse has
 * done all it will do, so the next request may be handled at once when the handler says it may overlap
 * (produce after an acks=all produce). A producer's pipelined acks=all requests are thus appended as
 * they arrive and replicated together, instead of one replication round trip each.
 *
 * Limits, so that no client can make the broker hold unbounded memory:
 * - a request is handled only once the previous response has drained to the kernel (writableNeedDrain):
 *   a client that does not read its responses has at most one response buffered here (or a few small
 *   produce answers, at most MAX_DEFERRED);
 * - pipelined requests are read ahead by at most READ_AHEAD_BYTES, the rest waits in the kernel;
 * - large frames reserve their size from the process-wide MemoryBudget before more than 64 KiB of their
 *   body is read;
 * - a frame must arrive within requestReadTimeoutMs of its first byte, and an idle connection is closed.
 */
export class Connection {
  readonly id = nextConnectionId++;
  readonly remote: string;
  clientId: string | null = null;
  /** The client's software name and version, as ApiVersions v3+ gave them (Kafka's ClientInformation, KIP-511). */
  clientSoftware: { name: string; version: string } | null = null;
  /** Set by handlers once SASL authentication succeeds (or for listeners without SASL). */
  principal = 'User:ANONYMOUS';

  /** Received bytes not yet part of a frame. */
  #chunks: Buffer[] = [];
  #chunkBytes = 0;
  #frame: IncomingFrame | null = null;
  /** The next request, complete, waiting for the current one to be answered and its response drained. */
  #ready: ReceivedRequest | null = null;
  /** The request being handled (its reservation is released once it has been answered). */
  #handling: ReceivedRequest | null = null;
  #cancelMemoryWait: (() => void) | null = null;
  /** Handling a request that must answer before the next one starts. */
  #busy = false;
  /** Requests handled and not yet answered (deferred ones, and any answered after them), in order. */
  #outstanding: Outstanding[] = [];
  #closed = false;
  #readPaused = false;
  /** When the client began to owe us the rest of a frame (while we read), for socket.request.read.timeout.ms. */
  #owingSince: number | null = null;
  #readTimer: NodeJS.Timeout | null = null;
  /** Run once when the connection closes (see onClose). */
  #closeListeners = new Set<() => void>();
  /** While throttled (KIP-219), no request is read or handled before this time (Date.now()). */
  #mutedUntil = 0;
  #muteTimer: NodeJS.Timeout | null = null;
  /** Callbacks for the request being handled, run once its response is written (see afterResponse). */
  #responseHooks: Array<() => void> = [];
  readonly #log: Logger;
  readonly #memory: MemoryBudget;
  readonly #requestReadTimeoutMs: number;
  readonly #handler: FrameHandler;
  readonly #options: ConnectionOptions;

  constructor(
    readonly socket: Socket,
    handler: FrameHandler,
    options: ConnectionOptions,
  ) {
    this.#handler = handler;
    this.#options = options;
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.#log = options.logger.child({ connection: this.id, remote: this.remote });
    this.#memory = options.memory ?? UNLIMITED;
    this.#requestReadTimeoutMs = options.requestReadTimeoutMs ?? DEFAULT_REQUEST_READ_TIMEOUT_MS;
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs);
    socket.on('timeout', () => this.close(`idle for longer than connections.max.idle.ms (${options.idleTimeoutMs} ms)`));
    socket.on('data', (data: Buffer) => this.#onData(data));
    socket.on('drain', () => this.#pump());
    socket.on('error', (error) => this.#log.debug('socket error', { error }));
    socket.on('close', () => {
      this.#closed = true;
      this.#releaseAll();
    });
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * How many response bytes a handler may add now without exceeding the memory budget: a fetch asks
   * for no more than this (but still returns its first batch, so a consumer always makes progress).
   */
  responseAllowance(): number {
    return this.#memory.available();
  }

  /**
   * Runs `listener` once the connection closes (at once if it is closed): a request waiting on its own
   * (a long-polling fetch) stops waiting for a client that is gone. Returns a function that removes it.
   */
  onClose(listener: () => void): () => void {
    if (this.#closed) {
      listener();
      return () => {};
    }
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /**
   * Runs `callback` once the response to the request being handled has been handed to the kernel, or
   * is known never to be sent (no response, the connection closed, the handler failed). Must be called
   * synchronously within handleFrame, which is what ties it to its request; a handler lends buffers to
   * its response this way (a fetch's read buffers go back to their pool).
   */
  afterResponse(callback: () => void): void {
    this.#responseHooks.push(callback);
  }

  #takeResponseHooks(): Array<() => void> {
    const hooks = this.#responseHooks;
    if (hooks.length > 0) this.#responseHooks = [];
    return hooks;
  }

  #runHooks(hooks: ReadonlyArray<() => void>): void {
    for (const hook of hooks) {
      try {
        hook();
      } catch (error) {
        this.#log.error('response hook failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    }
  }

  /**
   * Mutes the channel for `ms` (a client over its quota, KIP-13/KIP-219): requests already answered stay
   * answered, the next one is neither read nor handled until the time has passed. A longer mute extends
   * a shorter one, never the reverse.
   */
  mute(ms: number): void {
    if (this.#closed || ms <= 0) return;
    const until = Date.now() + ms;
    if (until <= this.#mutedUntil) return;
    this.#mutedUntil = until;
    if (this.#muteTimer) clearTimeout(this.#muteTimer);
    this.#muteTimer = setTimeout(() => {
      // The latest mute's timer (earlier ones were cleared): the clock may read a hair before its end.
      this.#muteTimer = null;
      this.#mutedUntil = 0;
      this.#pump();
    }, ms);
    this.#updateReadState();
  }

  get muted(): boolean {
    return Date.now() < this.#mutedUntil;
  }

  /** Closes the connection, logging why. Requests not yet answered get no answer. */
  close(reason: string, level: 'debug' | 'info' | 'warn' = 'info'): void {
    if (this.#closed) return;
    this.#closed = true;
    if (level === 'warn') {
      // Refusals of a client's bytes: rate-limited, since a hostile client can cause them by the thousand.
      refusalLog(this.#options.logger).warn('closing connection', { connection: this.id, remote: this.remote, reason, clientId: this.clientId ?? undefined });
    } else {
      this.#log[level]('closing connection', { reason, clientId: this.clientId ?? undefined });
    }
    this.#releaseAll();
    this.socket.destroy();
  }

  /** Gives back everything the connection holds: reservations, buffered bytes, the read timer. */
  #releaseAll(): void {
    this.#cancelMemoryWait?.();
    this.#cancelMemoryWait = null;
    const memory = this.#memory;
    if (this.#frame) memory.release(this.#frame.reserved);
    if (this.#ready) memory.release(this.#ready.reserved);
    if (this.#handling) {
      memory.release(this.#handling.reserved);
      this.#handling.reserved = 0;
    }
    // Answers that will never be sent give back what they borrowed now; those still pending do when they complete.
    for (const entry of this.#outstanding) {
      if (!entry.ready) continue;
      const hooks = entry.hooks;
      entry.hooks = [];
      this.#runHooks(hooks);
    }
    this.#frame = null;
    this.#ready = null;
    this.#chunks = [];
    this.#chunkBytes = 0;
    this.#owingSince = null;
    if (this.#readTimer) clearTimeout(this.#readTimer);
    this.#readTimer = null;
    if (this.#muteTimer) clearTimeout(this.#muteTimer);
    this.#muteTimer = null;
    const listeners = [...this.#closeListeners];
    this.#closeListeners.clear();
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        this.#log.error('close listener failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    }
  }

  #onData(data: Buffer): void {
    if (this.#closed) return;
    this.#chunks.push(data);
    this.#chunkBytes += data.length;
    this.#pump();
  }

  /** Handles every request that may be handled now, then decides whether to keep reading. */
  #pump(): void {
    while (!this.#closed) {
      if (!this.#ready) this.#receive();
      if (this.#closed) return;
      if (!this.#ready || this.#busy || this.socket.writableNeedDrain || this.muted) break;
      if (this.#outstanding.length > 0 && !(this.#outstanding.length < MAX_DEFERRED && this.#handler.mayOverlap?.(this.#ready.body) === true)) break;
      const request = this.#ready;
      this.#ready = null;
      this.#dispatch(request);
    }
    if (this.#closed) return;
    this.#updateReadState();
    this.#updateReadTimer();
  }

  /** Moves received bytes into the frame being received; sets `ready` once a frame is complete. */
  #receive(): void {
    while (!this.#ready && !this.#closed) {
      if (!this.#frame) {
        if (this.#chunkBytes < 4) return;
        const size = this.#take(4).readInt32BE(0);
        if (size < 0 || size > this.#options.maxRequestBytes) {
          this.close(`request size ${size} is outside 0..${this.#options.maxRequestBytes} (socket.request.max.bytes)`, 'warn');
          return;
        }
        this.#frame = { size, body: null, filled: 0, reserved: 0 };
      }
      const frame = this.#frame;
      if (this.#cancelMemoryWait) return;
      if (frame.body === null && frame.size > SMALL_FRAME_BYTES && this.#chunkBytes > SMALL_FRAME_BYTES) {
        // A large frame reserves its size once more than SMALL_FRAME_BYTES of it arrived, not at its
        // size prefix: a client announcing large frames and trickling them holds no memory of the budget.
        if (!this.#reserveFor(frame)) return;
      }
      if (frame.body === null) {
        if (this.#chunkBytes < frame.size) return;
        this.#ready = { body: this.#take(frame.size), reserved: 0 };
      } else {
        this.#fill(frame);
        if (frame.filled < frame.size) return;
        this.#ready = { body: frame.body, reserved: frame.reserved };
      }
      this.#frame = null;
    }
  }

  /** Reserves a large frame's size, or waits for it with reading paused. True when reserved now. */
  #reserveFor(frame: IncomingFrame): boolean {
    if (this.#memory.tryReserve(frame.size)) {
      this.#granted(frame);
      return true;
    }
    this.#log.debug('waiting for memory to read a request', { size: frame.size, queuedMaxRequestBytes: this.#memory.capacity });
    this.#cancelMemoryWait = this.#memory.reserve(frame.size, () => {
      if (this.#closed || this.#frame !== frame) {
        this.#memory.release(frame.size);
        return;
      }
      this.#granted(frame);
      // Not from inside the budget's release loop: another connection is releasing memory right now.
      setImmediate(() => this.#pump());
    });
    return false;
  }

  /** A large frame's memory is reserved: its body can be allocated (a method, not a closure per frame). */
  #granted(frame: IncomingFrame): void {
    this.#cancelMemoryWait = null;
    frame.reserved = frame.size;
    // Untouched pages of a fresh allocation cost nothing until the bytes arrive.
    frame.body = Buffer.allocUnsafeSlow(frame.size);
  }

  /** Copies received bytes into a large frame's buffer. */
  #fill(frame: IncomingFrame): void {
    const body = frame.body!;
    while (frame.filled < frame.size && this.#chunks.length > 0) {
      const chunk = this.#chunks[0]!;
      const n = Math.min(chunk.length, frame.size - frame.filled);
      chunk.copy(body, frame.filled, 0, n);
      frame.filled += n;
      this.#chunkBytes -= n;
      if (n === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(n);
    }
  }

  /** Removes `n` received bytes (n <= chunkBytes): a view when they lie in one chunk, else a copy. */
  #take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.#chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.#chunks[0]!;
        const m = Math.min(chunk.length, n - filled);
        chunk.copy(out, filled, 0, m);
        filled += m;
        if (m === chunk.length) this.#chunks.shift();
        else this.#chunks[0] = chunk.subarray(m);
      }
    }
    this.#chunkBytes -= n;
    return out;
  }

  #dispatch(request: ReceivedRequest): void {
    this.#handling = request;
    let result: ResponseChunks | Promise<ResponseChunks> | DeferredResponse;
    try {
      result = this.#handler.handleFrame(request.body, this);
    } catch (error) {
      this.#finishHandling(request);
      this.#fail(error, this.#takeResponseHooks());
      return;
    }
    const hooks = this.#takeResponseHooks();
    if (!(result instanceof Promise) && !(result instanceof DeferredResponse)) {
      this.#finishHandling(request);
      if (this.#outstanding.length === 0) this.#send(result, hooks);
      else this.#outstanding.push({ ready: true, chunks: result, hooks });
      return;
    }
    const entry: Outstanding = { ready: false, chunks: null, hooks };
    this.#outstanding.push(entry);
    // A deferred response's request is done with its frame; a blocking one holds it until it answers.
    const blocking = result instanceof Promise;
    if (blocking) this.#busy = true;
    else this.#finishHandling(request);
    const response: Promise<ResponseChunks> = result instanceof Promise ? result : result.response;
    response.then(
      (chunks) => {
        if (blocking) {
          this.#busy = false;
          this.#finishHandling(request);
        }
        entry.ready = true;
        entry.chunks = chunks;
        this.#sendReady();
        this.#pump();
      },
      (error: unknown) => {
        if (blocking) {
          this.#busy = false;
          this.#finishHandling(request);
        }
        this.#fail(error, entry.hooks);
      },
    );
  }

  /** Writes the responses at the head of the outstanding list that are complete, in order. */
  #sendReady(): void {
    while (this.#outstanding.length > 0 && this.#outstanding[0]!.ready) {
      const entry = this.#outstanding.shift()!;
      this.#send(entry.chunks, entry.hooks);
    }
  }

  #finishHandling(request: ReceivedRequest): void {
    this.#memory.release(request.reserved);
    request.reserved = 0;
    if (this.#handling === request) this.#handling = null;
  }

  #fail(error: unknown, hooks: ReadonlyArray<() => void>): void {
    this.#runHooks(hooks);
    if (error instanceof CloseConnection) {
      this.close(error.message, 'warn');
    } else {
      // A bug in a handler: log it with its stack and drop only this connection.
      this.#log.error('request failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      this.close('internal error while handling a request', 'warn');
    }
  }

  #send(chunks: ResponseChunks, hooks: ReadonlyArray<() => void>): void {
    if (chunks === null || chunks.length === 0 || this.#closed) {
      this.#runHooks(hooks);
      return;
    }
    let size = 0;
    for (const chunk of chunks) size += chunk.length;
    // Counted against the budget until written: responses a client does not read hold memory.
    const memory = this.#memory;
    memory.charge(size);
    let written = false;
    this.socket.cork();
    const last = chunks.length - 1;
    for (let i = 0; i < last; i++) this.socket.write(chunks[i]!);
    // The callback runs once the chunks were written out, or with an error when the socket is destroyed
    // first: nothing refers to them after. An arrow passed inline, not a named one: tsx/esbuild's
    // keepNames would give a named closure a __name call (a defineProperty) on every response.
    this.socket.write(chunks[last]!, () => {
      if (written) return;
      written = true;
      memory.release(size);
      this.#runHooks(hooks);
    });
    process.nextTick(() => this.socket.uncork());
  }

  /**
   * Reads while a frame is being received (within its reservation) and while the read-ahead is small;
   * pauses while waiting for memory, or while a complete request waits behind the current one.
   */
  #updateReadState(): void {
    const shouldPause = this.#cancelMemoryWait !== null || (this.#ready !== null && this.#chunkBytes >= READ_AHEAD_BYTES) || this.muted;
    if (shouldPause && !this.#readPaused) {
      this.#readPaused = true;
      this.socket.pause();
    } else if (!shouldPause && this.#readPaused) {
      this.#readPaused = false;
      this.socket.resume();
    }
  }

  /** The client owes the rest of a frame while we read: that time is bounded by requestReadTimeoutMs. */
  #updateReadTimer(): void {
    const owing = !this.#readPaused && this.#cancelMemoryWait === null && (this.#frame !== null || this.#chunkBytes > 0);
    if (!owing) {
      this.#owingSince = null;
      return;
    }
    if (this.#owingSince === null) this.#owingSince = Date.now();
    if (!this.#readTimer) this.#armReadTimer(this.#requestReadTimeoutMs);
  }

  #armReadTimer(delayMs: number): void {
    this.#readTimer = setTimeout(
      () => {
        this.#readTimer = null;
        if (this.#closed || this.#owingSince === null) return;
        const elapsed = Date.now() - this.#owingSince;
        const limit = this.#requestReadTimeoutMs;
        if (elapsed < limit) {
          this.#armReadTimer(limit - elapsed);
          return;
        }
        const got = (this.#frame ? this.#frame.filled : 0) + this.#chunkBytes + (this.#frame ? 4 : 0);
        const expected = this.#frame ? `${this.#frame.size + 4}` : 'at least 4';
        this.close(`request not received in full within socket.request.read.timeout.ms (${limit} ms): ${got} of ${expected} bytes arrived`, 'warn');
      },
      Math.max(1, delayMs),
    );
    this.#readTimer.unref();
  }
}
