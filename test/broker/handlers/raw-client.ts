import { connect, type Socket } from 'node:net';
import type { ApiDescriptor } from '../../../electron/kafka/protocol/generated/index';
import { decodeResponseHeader, encodeRequestFrame, responseHeaderVersion } from '../../../electron/kafka/protocol/headers';
import { Reader } from '../../../electron/kafka/protocol/reader';

/**
 * A minimal Kafka client over one TCP connection, speaking any version of any API through the generated
 * codecs: for the versions and APIs the real clients do not send (old versions, ElectLeaders, ...).
 * One request at a time.
 */
export class RawClient {
  private buffered = Buffer.alloc(0);
  private waiting: { resolve: (frame: Buffer) => void; reject: (error: Error) => void } | null = null;
  private correlationId = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly clientId: string,
  ) {
    socket.on('data', (chunk) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      if (this.buffered.length < 4) return;
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.resolve(frame);
    });
    socket.on('close', () => this.waiting?.reject(new Error('connection closed before the response')));
  }

  static open(hostPort: string, clientId = 'raw-client'): Promise<RawClient> {
    const [host, port] = hostPort.split(':');
    return new Promise((resolve, reject) => {
      // No Nagle delay: with it, each request waited ~40 ms for the delayed ACK of its first chunk.
      const socket = connect({ host, port: Number(port), noDelay: true }, () => resolve(new RawClient(socket, clientId)));
      socket.once('error', reject);
    });
  }

  async call<Req, Res>(api: ApiDescriptor<Req, Res>, version: number, body: Req): Promise<Res> {
    const correlationId = ++this.correlationId;
    const frame = await new Promise<Buffer>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(Buffer.concat(encodeRequestFrame(api, version, correlationId, this.clientId, body)));
    });
    const reader = new Reader(frame);
    const header = decodeResponseHeader(reader, responseHeaderVersion(api.apiKey, version));
    if (header.correlationId !== correlationId) throw new Error(`correlation id ${header.correlationId}, expected ${correlationId}`);
    return api.decodeResponse(reader, version);
  }

  close(): void {
    this.socket.destroy();
  }
}
