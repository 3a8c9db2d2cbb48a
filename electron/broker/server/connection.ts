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

export interface FrameHandler {
  /** Handles one request frame (the bytes after the size prefix). May complete later (long polls, acks=all). */
  handleFrame(frame: Buffer, connection: Connection): ResponseChunks | Promise<ResponseChunks>;
}

export interface ConnectionOptions {
  /** socket.request.max.bytes: a frame announcing more is refused and the connection closed. */
  maxRequestBytes: number;
  /** connections.max.idle.ms: a connection with no traffic this long is closed. */
  idleTimeoutMs: number;
  logger: Logger;
}

let nextConnectionId = 1;

/**
 * One client connection: size-framed requests, handled strictly in arrival order (as Kafka does, a
 * request is handled only after the previous one answered), with responses written in the same order.
 * Clients may pipeline: frames that arrive meanwhile are buffered, and reading pauses while too much is
 * buffered or the client is not reading its responses.
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
  private busy = false;
  private closed = false;
  private readPaused = false;
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

  private processQueue(): void {
    while (!this.busy && !this.closed && this.queued.length > 0) {
      const frame = this.queued.shift()!;
      this.queuedBytes -= frame.length;
      let result: ResponseChunks | Promise<ResponseChunks>;
      try {
        result = this.handler.handleFrame(frame, this);
      } catch (error) {
        this.fail(error);
        return;
      }
      if (result instanceof Promise) {
        this.busy = true;
        result.then(
          (chunks) => {
            this.busy = false;
            this.send(chunks);
            this.processQueue();
          },
          (error: unknown) => {
            this.busy = false;
            this.fail(error);
          },
        );
      } else {
        this.send(result);
      }
    }
    this.updateReadState();
  }

  private fail(error: unknown): void {
    if (error instanceof CloseConnection) {
      this.close(error.message, 'warn');
    } else {
      // A bug in a handler: log it with its stack and drop only this connection.
      this.log.error('request failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      this.close('internal error while handling a request', 'warn');
    }
  }

  private send(chunks: ResponseChunks): void {
    if (chunks === null || this.closed) return;
    this.socket.cork();
    for (const chunk of chunks) this.socket.write(chunk);
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
