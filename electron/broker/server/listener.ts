import { createServer, type Server } from 'node:net';
import { Connection, type ConnectionOptions, type FrameHandler } from './connection';

export interface ListenerOptions extends ConnectionOptions {
  host: string;
  port: number;
}

/**
 * A broker's TCP listener. It accepts connections until stopped; `stop` refuses new connections and
 * closes the open ones, `kill` does the same at once (the abrupt stop of a crashing broker).
 */
export class Listener {
  private server: Server | null = null;
  private readonly connections = new Set<Connection>();
  private boundPort = 0;

  constructor(
    private readonly handler: FrameHandler,
    private readonly options: ListenerOptions,
  ) {}

  get port(): number {
    return this.boundPort;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  async start(): Promise<void> {
    const server = createServer({ noDelay: true }, (socket) => {
      const connection = new Connection(socket, this.handler, this.options);
      this.connections.add(connection);
      socket.once('close', () => this.connections.delete(connection));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.options.host, port: this.options.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.options.logger.error('listener error', { error }));
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : this.options.port;
    this.server = server;
  }

  /** Stops accepting and closes every open connection; resolves once the port is released. */
  async stop(reason = 'broker stopping'): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const connection of this.connections) connection.close(reason, 'debug');
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
