// Web mode: serves the built renderer over HTTP and carries the IPC contract over a WebSocket, on
// 127.0.0.1 only. A per-run token guards both: the page must be opened with ?token=..., which sets an
// HttpOnly cookie for the page's assets, and the socket must present the token too. Host and Origin
// headers are checked so another web site (or a DNS-rebound name) cannot reach the socket.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { pipeline } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { MAX_IPC_MESSAGE_BYTES, type EventName } from '../../shared/ipc/contract';
import type { Dispatch } from '../ipc/registry';
import type { EventHub } from '../core/events';
import { appLogger, type Logger } from '../core/logger';

export const TOKEN_COOKIE = 'kafka_desk_token';
export const SOCKET_PATH = '/ipc';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface WebServerOptions {
  rendererDir: string;
  dispatch: Dispatch;
  hub: EventHub;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  /** Finished message exports, served once asked for at /downloads/<id> (web mode has no save dialog). */
  downloads?: (id: string) => { path: string; fileName: string; contentType: string } | null;
  /** Where refused frames, socket errors and handler failures are reported (default: console). */
  logger?: Logger;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

const clientMessageSchema = z.object({
  type: z.literal('invoke'),
  id: z.number().int(),
  channel: z.string(),
  request: z.unknown(),
});

export type ServerMessage = { type: 'result'; id: number; result: unknown } | { type: 'event'; event: EventName; payload: unknown };

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export function createToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameToken(candidate: string | null | undefined, token: string): boolean {
  if (!candidate) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(request: IncomingMessage): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return rest.join('=');
  }
  return undefined;
}

/** The request target as a URL on this server, or null when it is not one (a 400). */
function parseRequestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', `http://${HOST}`);
  } catch {
    return null;
  }
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? createToken();
  const rendererDir = path.resolve(options.rendererDir);
  let port = 0;
  const allowedHosts = () => new Set([`${HOST}:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://${HOST}:${port}`, `http://localhost:${port}`]);

  const securityHeaders = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };

  const logger = options.logger ?? appLogger.child({ component: 'web' });
  const log = (message: string) => logger.error(message);

  const refuse = (response: ServerResponse, status: number, text: string) => {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    response.writeHead(status, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(text);
  };

  const serveRequest = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (!allowedHosts().has(request.headers.host ?? '')) {
      refuse(response, 421, 'Kafka Desk only answers on 127.0.0.1.');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      refuse(response, 405, 'Method not allowed.');
      return;
    }
    // Request targets come straight from the socket: an absolute-form target or a stray "%" must be
    // a 400, never an exception (any page on this machine can make a browser send one).
    const url = parseRequestUrl(request.url);
    if (!url) {
      refuse(response, 400, 'Bad request: the address is not a valid URL.');
      return;
    }
    const queryToken = url.searchParams.get('token');
    const authorised = sameToken(queryToken, token) || sameToken(cookieToken(request), token);
    if (!authorised) {
      refuse(response, 403, 'Kafka Desk web mode needs the address it printed when it started, including its ?token=... part.');
      return;
    }
    const extraHeaders: Record<string, string> = {};
    if (sameToken(queryToken, token)) {
      extraHeaders['Set-Cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    const download = /^\/downloads\/([\w-]{1,64})$/.exec(url.pathname);
    if (download && options.downloads) {
      const file = options.downloads(download[1]!);
      const info = file ? await stat(file.path).catch(() => null) : null;
      if (!file || !info) {
        refuse(response, 404, 'This export is no longer available.');
        return;
      }
      const asciiName = file.fileName.replace(/[^\w.-]/g, '_');
      response.writeHead(200, {
        ...securityHeaders,
        ...extraHeaders,
        'Content-Type': file.contentType,
        'Content-Length': info.size,
        'Content-Disposition': `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      });
      if (request.method === 'HEAD') response.end();
      // pipeline destroys both sides on an error (file removed meanwhile, client gone) instead of
      // leaving an unhandled 'error' event on the file stream.
      else pipeline(createReadStream(file.path), response, (error) => error && log(`download ${download[1]} failed: ${error.message}`));
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      refuse(response, 400, 'Bad request: the path has an invalid percent-encoding.');
      return;
    }
    const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
    const filePath = path.resolve(rendererDir, relative);
    if (!filePath.startsWith(rendererDir + path.sep) || relative.includes('\0')) {
      refuse(response, 404, 'Not found.');
      return;
    }
    const info = await stat(filePath).catch(() => null);
    if (!info?.isFile()) {
      refuse(response, 404, 'Not found.');
      return;
    }
    const body = await readFile(filePath);
    response.writeHead(200, {
      ...securityHeaders,
      ...extraHeaders,
      'Content-Type': contentTypes[path.extname(filePath)] ?? 'application/octet-stream',
      'Content-Length': body.length,
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  };

  const server = createServer((request, response) => {
    serveRequest(request, response).catch((error: unknown) => {
      log(`${request.method} ${request.url} failed: ${error instanceof Error ? error.message : String(error)}`);
      refuse(response, 500, 'Kafka Desk could not answer this request.');
    });
  });
  // Malformed HTTP (bad request line, oversized headers): answer 400 when the socket still can.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (socket.writable && error.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  // The largest message a socket accepts; a bigger one closes that socket with 1009 (and only it).
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_IPC_MESSAGE_BYTES });

  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    // The HTTP server removed its own listeners: an error here (peer reset) must not be unhandled.
    socket.on('error', (error) => log(`socket error during upgrade: ${error.message}`));
    const url = parseRequestUrl(request.url);
    const originOk = request.headers.origin === undefined || allowedOrigins().has(request.headers.origin);
    if (
      !url ||
      url.pathname !== SOCKET_PATH ||
      !allowedHosts().has(request.headers.host ?? '') ||
      !originOk ||
      !sameToken(url.searchParams.get('token'), token)
    ) {
      socket.end(`HTTP/1.1 ${url ? '403 Forbidden' : '400 Bad Request'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveSocket(ws));
  });

  const serveSocket = (ws: WebSocket) => {
    const send = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const unsubscribe = options.hub.subscribe((event, payload) => send({ type: 'event', event, payload }));
    ws.on('close', unsubscribe);
    // Invalid UTF-8, RSV bits, unmasked or oversized frames: ws has already closed the socket with the
    // matching code (1007, 1002, 1009); this listener keeps the error from ending the process.
    ws.on('error', (error) => log(`WebSocket closed: ${error.message}`));
    ws.on('message', (data, isBinary) => {
      let message: z.infer<typeof clientMessageSchema>;
      try {
        if (isBinary) throw new Error('binary');
        message = clientMessageSchema.parse(JSON.parse((data as Buffer).toString()));
      } catch {
        ws.close(1003, 'Malformed message');
        return;
      }
      void options
        .dispatch(message.channel, message.request)
        .then((result) => send({ type: 'result', id: message.id, result }))
        .catch((error: unknown) => log(`dispatch of ${message.channel} failed: ${String(error)}`));
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
