import type { Socket } from 'node:net';
import type { Logger } from './logger';

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
  logger: Logger;
}

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

/**
 * One client connection: size-framed requests, handled in arrival order (as Kafka does, a request is
 * handled only after the previous one answered), with responses written in the same order. Clients may
 * pipeline: frames that arrive meanwhile are buffered, and reading pauses while too much is buffered or
 * the client is not reading its responses.
 *
 * One exception to "after the previous one answered": a request that returned a DeferredResponse has
 * done all it will do, so the next request may be handled at once when the handler says it may overlap
 * (produce after an acks=all produce). A producer's pipelined acks=all requests are thus appended as
 * they arrive and replicated together, instead of one replication round trip each (which capped a
 * connection at a few thousand acks=all requests per second, with the rest queueing here).
 */
export class Connection {
  readonly id = nextConnectionId++;
  readonly remote: string;
  clientId: string | null = null;
  /** Set by handlers once SASL authentication succeeds (or for listeners without SASL). */
  principal = 'User:ANONYMOUS';

  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  /** Handling a request that must answer before the next one starts. */
  private busy = false;
  /** Requests handled and not yet answered (deferred ones, and any answered after them), in order. */
  private outstanding: Outstanding[] = [];
  private closed = false;
  private readPaused = false;
  /** Callbacks for the request being handled, run once its response is written (see afterResponse). */
  private responseHooks: Array<() => void> = [];
  private readonly log: Logger;

  constructor(
    readonly socket: Socket,
    private readonly handler: FrameHandler,
    private readonly options: ConnectionOptions,
  ) {
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.log = options.logger.child({ connection: this.id, remote: this.remote });
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs);
    socket.on('timeout', () => this.close('idle for longer than connections.max.idle.ms'));
    socket.on('data', (data) => this.onData(data));
    socket.on('drain', () => this.updateReadState());
    socket.on('error', (error) => this.log.debug('socket error', { error }));
    socket.on('close', () => {
      this.closed = true;
      this.pending = [];
      this.queued = [];
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Runs `callback` once the response to the request being handled has been handed to the kernel, or
   * is known never to be sent (no response, the connection closed, the handler failed). Must be called
   * synchronously within handleFrame, which is what ties it to its request; a handler lends buffers to
   * its response this way (a fetch's read buffers go back to their pool).
   */
  afterResponse(callback: () => void): void {
    this.responseHooks.push(callback);
  }

  private takeResponseHooks(): Array<() => void> {
    const hooks = this.responseHooks;
    if (hooks.length > 0) this.responseHooks = [];
    return hooks;
  }

  private runHooks(hooks: ReadonlyArray<() => void>): void {
    for (const hook of hooks) {
      try {
        hook();
      } catch (error) {
        this.log.error('response hook failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    }
  }

  /** Closes the connection, logging why. Requests not yet answered get no answer. */
  close(reason: string, level: 'debug' | 'info' | 'warn' = 'info'): void {
    if (this.closed) return;
    this.closed = true;
    this.log[level]('closing connection', { reason, clientId: this.clientId ?? undefined });
    this.socket.destroy();
  }

  private onData(data: Buffer): void {
    if (this.closed) return;
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.extractFrames();
    this.processQueue();
  }

  /** Moves every complete frame from the received bytes to the queue of requests. */
  private extractFrames(): void {
    while (this.pendingBytes >= 4) {
      const head = this.pending[0]!.length >= 4 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
      if (head !== this.pending[0]) this.pending = [head];
      const size = head.readInt32BE(0);
      if (size < 0 || size > this.options.maxRequestBytes) {
        this.close(`request size ${size} is outside 0..${this.options.maxRequestBytes} (socket.request.max.bytes)`, 'warn');
        return;
      }
      if (this.pendingBytes < 4 + size) return;
      const all = this.pending.length === 1 ? head : Buffer.concat(this.pending, this.pendingBytes);
      this.queued.push(all.subarray(4, 4 + size));
      this.queuedBytes += size;
      const rest = all.subarray(4 + size);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
    }
  }

  /** Whether the next queued frame may be handled now. */
  private mayHandleNext(): boolean {
    if (this.busy || this.closed || this.queued.length === 0) return false;
    if (this.outstanding.length === 0) return true;
    return this.outstanding.length < MAX_DEFERRED && this.handler.mayOverlap?.(this.queued[0]!) === true;
  }

  private processQueue(): void {
    while (this.mayHandleNext()) {
      const frame = this.queued.shift()!;
      this.queuedBytes -= frame.length;
      let result: ResponseChunks | Promise<ResponseChunks> | DeferredResponse;
      try {
        result = this.handler.handleFrame(frame, this);
      } catch (error) {
        this.fail(error, this.takeResponseHooks());
        return;
      }
      const hooks = this.takeResponseHooks();
      if (!(result instanceof Promise) && !(result instanceof DeferredResponse)) {
        if (this.outstanding.length === 0) this.send(result, hooks);
        else this.outstanding.push({ ready: true, chunks: result, hooks });
        continue;
      }
      const entry: Outstanding = { ready: false, chunks: null, hooks };
      this.outstanding.push(entry);
      const blocking = result instanceof Promise;
      if (blocking) this.busy = true;
      const response: Promise<ResponseChunks> = result instanceof Promise ? result : result.response;
      response.then(
        (chunks) => {
          if (blocking) this.busy = false;
          entry.ready = true;
          entry.chunks = chunks;
          this.sendReady();
          this.processQueue();
        },
        (error: unknown) => {
          if (blocking) this.busy = false;
          this.fail(error, hooks);
        },
      );
    }
    this.updateReadState();
  }

  /** Writes the responses at the head of the outstanding list that are complete, in order. */
  private sendReady(): void {
    while (this.outstanding.length > 0 && this.outstanding[0]!.ready) {
      const entry = this.outstanding.shift()!;
      this.send(entry.chunks, entry.hooks);
    }
  }

  private fail(error: unknown, hooks: ReadonlyArray<() => void>): void {
    this.runHooks(hooks);
    if (error instanceof CloseConnection) {
      this.close(error.message, 'warn');
    } else {
      // A bug in a handler: log it with its stack and drop only this connection.
      this.log.error('request failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      this.close('internal error while handling a request', 'warn');
    }
  }

  private send(chunks: ResponseChunks, hooks: ReadonlyArray<() => void>): void {
    if (chunks === null || chunks.length === 0 || this.closed) {
      this.runHooks(hooks);
      return;
    }
    this.socket.cork();
    const last = chunks.length - 1;
    for (let i = 0; i < last; i++) this.socket.write(chunks[i]!);
    // The callback runs once the chunks were written out (or failed with the socket): nothing refers to them after.
    if (hooks.length === 0) this.socket.write(chunks[last]!);
    else this.socket.write(chunks[last]!, () => this.runHooks(hooks));
    process.nextTick(() => this.socket.uncork());
  }

  /** Pauses reading while requests pile up or the client does not read its responses. */
  private updateReadState(): void {
    if (this.closed) return;
    const backlog = this.queuedBytes + this.pendingBytes;
    const shouldPause = backlog > this.options.maxRequestBytes || this.socket.writableNeedDrain;
    if (shouldPause && !this.readPaused) {
      this.readPaused = true;
      this.socket.pause();
    } else if (!shouldPause && this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
    }
  }
}
