import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions, type TLSSocket } from 'node:tls';
import { Connection, type ConnectionOptions, type FrameHandler } from './connection';
import { refusalLog } from './refusal-log';

export interface ListenerOptions extends ConnectionOptions {
  host: string;
  port: number;
  /** TLS (the SSL and SASL_SSL protocols): connections are handled once their handshake is done. */
  tls?: {
    options: TlsOptions;
    /** The principal a client certificate names (see security/tls.ts), or null to refuse the connection. */
    principal: (socket: TLSSocket) => string | null;
  };
}

/**
 * A broker's TCP listener. It accepts connections until stopped; `stop` refuses new connections and
 * closes the open ones, `kill` does the same at once (the abrupt stop of a crashing broker).
 */
export class Listener {
  #server: Server | null = null;
  readonly #connections = new Set<Connection>();
  #boundPort = 0;
  readonly #handler: FrameHandler;
  readonly #options: ListenerOptions;

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
    };
    const tls = this.#options.tls;
    let server: Server;
    if (tls) {
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
      server = tlsServer;
    } else {
      server = createServer({ noDelay: true }, (socket) => accept(socket, null));
    }
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

  /** Stops accepting and closes every open connection; resolves once the port is released. */
  async stop(reason = 'broker stopping'): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const connection of this.#connections) connection.close(reason, 'debug');
    this.#connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
