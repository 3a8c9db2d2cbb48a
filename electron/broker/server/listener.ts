import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions, type TLSSocket } from 'node:tls';
import { Connection, type ConnectionOptions, type FrameHandler } from './connection';
import { refusalLog } from './refusal-log';
import { clientIp, type ConnectionQuotas } from '../quotas/connection-quotas';

export interface ListenerOptions extends ConnectionOptions {
  host: string;
  port: number;
  /** TLS (the SSL and SASL_SSL protocols): connections are handled once their handshake is done (the connection quotas count them before it). */
  tls?: {
    options: TlsOptions;
    /** The principal a client certificate names (see security/tls.ts), or null to refuse the connection. */
    principal: (socket: TLSSocket) => string | null;
  };
  /** Connection creation rates (KIP-612: the IPs' connection_creation_rate, max.connection.creation.rate). */
  connectionQuotas?: ConnectionQuotas;
}

/** A connection the acceptor has not taken yet, and how to serve it once taken. */
interface Pending {
  socket: Socket;
  serve: () => void;
  /** Counted against the broker-wide rate already (the acceptor waited on its account). */
  counted: boolean;
}

const ignoreError = () => {};

/**
 * A broker's TCP listener. It accepts connections until stopped; `stop` refuses new connections and
 * closes the open ones, `kill` does the same at once (the abrupt stop of a crashing broker).
 *
 * With connection quotas (Kafka's Acceptor and ConnectionQuotas, KIP-612), connections are taken in
 * arrival order: over max.connection.creation.rate the acceptor waits before it takes the next one (the
 * connections meanwhile wait unread, as in the kernel's backlog of Kafka's acceptor), and a connection
 * over its IP's connection_creation_rate is held unread and closed when its throttle time ends.
 *
 * A TLS listener accepts TCP connections and counts them as Kafka's acceptor does, before any byte of
 * the handshake is read: only a connection the rates let through is handed to the TLS server (its
 * 'connection' event, which Node lets a program emit for a socket it accepted), so a flood of TLS
 * handshakes costs the broker no handshake over the rates.
 */
export class Listener {
  #server: Server | null = null;
  readonly #connections = new Set<Connection>();
  #boundPort = 0;
  readonly #handler: FrameHandler;
  readonly #options: ListenerOptions;
  /** Connections waiting for the acceptor (over the broker-wide rate). */
  #backlog: Pending[] = [];
  #acceptorTimer: NodeJS.Timeout | null = null;
  /** Connections over their IP's rate, closed unserved when their throttle ends. */
  readonly #throttled = new Map<Socket, NodeJS.Timeout>();
  /** TCP connections handed to the TLS server whose handshake is not done: closed by `stop` (the TLS server does not listen itself). */
  readonly #handshaking = new Set<Socket>();

  constructor(handler: FrameHandler, options: ListenerOptions) {
    this.#handler = handler;
    this.#options = options;
  }

  get port(): number {
    return this.#boundPort;
  }

  get openConnections(): number {
    return this.#connections.size;
  }

  async start(): Promise<void> {
    const accept = (socket: Socket, principal: string | null) => {
      const connection = new Connection(socket, this.#handler, this.#options);
      if (principal !== null) connection.principal = principal;
      this.#connections.add(connection);
      socket.once('close', () => this.#connections.delete(connection));
      // Paused while it waited for the acceptor: the connection reads from now on.
      if (socket.isPaused()) socket.resume();
    };
    const tls = this.#options.tls;
    let serve: (socket: Socket) => void = (socket) => accept(socket, null);
    if (tls) {
      // Not listening: the TCP listener below hands it the connections the quotas let through.
      const tlsServer = createTlsServer({ ...tls.options, noDelay: true }, (socket) => {
        const principal = tls.principal(socket);
        if (principal === null) {
          refusalLog(this.#options.logger).warn('TLS connection refused', {
            remote: `${socket.remoteAddress}:${socket.remotePort}`,
            reason: `client certificate not issued by the cluster's CA: ${String(socket.authorizationError)}`,
          });
          socket.destroy();
          return;
        }
        accept(socket, principal);
      });
      // A failed handshake (a plaintext client, garbage, an untrusted or missing client certificate): its socket is already closed.
      tlsServer.on('tlsClientError', (error, socket) => {
        refusalLog(this.#options.logger).warn('TLS handshake failed', {
          remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
          reason: error.message,
        });
      });
      serve = (socket) => {
        this.#handshaking.add(socket);
        socket.once('close', () => this.#handshaking.delete(socket));
        // The TLS socket takes over the TCP socket's handle and first reads what the TCP socket holds (a
        // ClientHello that came while the connection waited for the acceptor): resuming the TCP socket
        // would hand those bytes to no one.
        tlsServer.emit('connection', socket);
      };
    }
    const server = createServer({ noDelay: true }, (socket) => this.#take(socket, () => serve(socket)));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.#options.host, port: this.#options.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.#options.logger.error('listener error', { error }));
    const address = server.address();
    this.#boundPort = typeof address === 'object' && address ? address.port : this.#options.port;
    this.#server = server;
  }

  /** Serves a new connection now, or once the connection quotas let the acceptor take it. */
  #take(socket: Socket, serve: () => void): void {
    const quotas = this.#options.connectionQuotas;
    if (!quotas?.limited()) {
      serve();
      return;
    }
    socket.pause();
    // Until it is served, nothing else listens to it: a client resetting it must not be an uncaught error.
    socket.on('error', ignoreError);
    this.#backlog.push({ socket, serve, counted: false });
    this.#acceptNext();
  }

  /** Takes waiting connections in order until the broker-wide rate makes the acceptor wait (Kafka's ConnectionQuotas.inc). */
  #acceptNext(): void {
    const quotas = this.#options.connectionQuotas;
    while (quotas && this.#acceptorTimer === null && this.#backlog.length > 0) {
      const next = this.#backlog[0]!;
      if (next.socket.destroyed) {
        this.#backlog.shift();
        continue;
      }
      if (!next.counted) {
        next.counted = true;
        const waitMs = quotas.recordBrokerConnection();
        if (waitMs > 0) {
          this.#options.logger.debug('connection creation rate exceeded: the acceptor waits', { waitMs });
          this.#acceptorTimer = setTimeout(() => {
            this.#acceptorTimer = null;
            this.#acceptNext();
          }, waitMs);
          return;
        }
      }
      this.#backlog.shift();
      const ip = clientIp(next.socket.remoteAddress);
      const admission = quotas.admitIp(ip);
      if (admission.kind === 'throttle') {
        this.#options.logger.debug('connection over its IP connection_creation_rate: closed after the throttle', { ip, throttleMs: admission.throttleMs });
        const socket = next.socket;
        this.#throttled.set(
          socket,
          setTimeout(() => {
            this.#throttled.delete(socket);
            socket.destroy();
          }, admission.throttleMs),
        );
        continue;
      }
      next.socket.off('error', ignoreError);
      next.serve();
    }
  }

  /** Stops accepting and closes every open connection; resolves once the port is released. */
  async stop(reason = 'broker stopping'): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (this.#acceptorTimer) clearTimeout(this.#acceptorTimer);
    this.#acceptorTimer = null;
    for (const pending of this.#backlog) pending.socket.destroy();
    this.#backlog = [];
    for (const [socket, timer] of this.#throttled) {
      clearTimeout(timer);
      socket.destroy();
    }
    this.#throttled.clear();
    for (const socket of this.#handshaking) socket.destroy();
    this.#handshaking.clear();
    for (const connection of this.#connections) connection.close(reason, 'debug');
    this.#connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
