// Web mode's client in the renderer (renderer/src/api/client.ts) on a recording WebSocket double: a
// call larger than the server accepts in one message (which would cost the socket, code 1009) is
// refused before sending, naming the field over its own limit, and the socket goes on serving.
import { describe, expect, it } from 'vitest';
import { createWebSocketClient } from '../../renderer/src/api/client';
import { MAX_IPC_MESSAGE_BYTES } from '../../shared/ipc/contract';

/** Opens at once and answers every invoke with { ok: true, value: { bytes } }, recording frame sizes. */
class RecordingSocket {
  static readonly OPEN = 1;
  static sent: number[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;

  constructor(readonly url: string) {
    setTimeout(() => {
      this.readyState = RecordingSocket.OPEN;
      this.onopen?.();
    }, 0);
  }

  send(frame: string): void {
    const bytes = new TextEncoder().encode(frame).length;
    RecordingSocket.sent.push(bytes);
    if (bytes > MAX_IPC_MESSAGE_BYTES) {
      // What the server does: close the socket with 1009.
      this.readyState = 3;
      this.onclose?.();
      return;
    }
    const { id } = JSON.parse(frame) as { id: number };
    setTimeout(() => this.onmessage?.({ data: JSON.stringify({ type: 'result', id, result: { ok: true, value: { bytes } } }) }), 0);
  }

  close(): void {
    this.readyState = 3;
  }
}

describe('web mode client and calls larger than one message', () => {
  const produce = { connectionId: 'embedded', topic: 'big', key: null, headers: [], partition: null };

  it("refuses a produce of 9 million 'é' (18 MB) before sending, naming the value and both sizes", async () => {
    RecordingSocket.sent = [];
    const client = createWebSocketClient('ws://127.0.0.1:1/ipc', RecordingSocket as unknown as typeof WebSocket);
    try {
      const result = await client.invoke('produce.send', { ...produce, value: 'é'.repeat(9e6) });
      expect(result).toEqual({
        ok: false,
        error: {
          kind: 'invalid-request',
          message: 'The value can be at most 10 MB in UTF-8; this one is 18 MB.',
          issues: [{ path: 'value', message: 'The value can be at most 10 MB in UTF-8; this one is 18 MB.' }],
        },
      });
      // Within every field's limit, but escaped into more than a frame holds: said as such.
      const headers = Array.from({ length: 100 }, (_, i) => ({ key: `h${i}`, value: '\u0001'.repeat(30_000) }));
      const framed = await client.invoke('produce.send', { ...produce, value: 'x', headers });
      expect(framed).toEqual({
        ok: false,
        error: { kind: 'invalid-request', message: 'This request is 18 MB once encoded; web mode carries at most 16.8 MB in one call.' },
      });
      expect(RecordingSocket.sent).toEqual([]);
      // The socket was never put at risk and still carries calls, large ones included.
      const fits = await client.invoke('produce.send', { ...produce, value: 'é'.repeat(4e6) });
      expect(fits.ok && (fits.value as unknown as { bytes: number }).bytes).toBeGreaterThan(8e6);
      expect(RecordingSocket.sent).toHaveLength(1);
    } finally {
      client.close();
    }
  });
});
