/**
 * The session's outbound side of a client socket: a message buffer flushed at a size
 * threshold, with socket backpressure honoured (a slow client stalls the producer instead
 * of growing memory).
 */
import type { Socket } from 'node:net';
import { BufferWriter } from '../protocol/buffer-writer.js';

export const FLUSH_THRESHOLD = 64 * 1024;

export class Channel {
  readonly writer = new BufferWriter(FLUSH_THRESHOLD + 16 * 1024);
  private drainWaiters: (() => void)[] = [];
  private closeListeners: (() => void)[] = [];
  closed = false;

  constructor(private socket: Socket) {
    this.attach(socket);
  }

  private attach(socket: Socket): void {
    socket.on('drain', () => this.releaseDrainWaiters());
    socket.on('close', () => {
      this.closed = true;
      this.releaseDrainWaiters();
      for (const l of this.closeListeners.splice(0)) l();
    });
  }

  private releaseDrainWaiters(): void {
    for (const w of this.drainWaiters.splice(0)) w();
  }

  /** Called once the socket was upgraded to TLS. */
  replaceSocket(socket: Socket): void {
    this.socket = socket;
    this.attach(socket);
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Sends everything buffered; resolves once the socket can take more. */
  async flush(): Promise<void> {
    if (this.writer.length > 0) {
      const data = this.writer.take();
      if (this.closed) return;
      const ok = this.socket.write(data);
      if (!ok && !this.closed) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    }
  }

  /** Flushes only when the buffer passed the threshold (used while streaming rows). */
  maybeFlush(): Promise<void> | undefined {
    if (this.writer.length >= FLUSH_THRESHOLD) return this.flush();
    return undefined;
  }

  /** Flushes and half-closes the socket. */
  async end(): Promise<void> {
    await this.flush();
    if (!this.closed) this.socket.end();
  }

  destroy(): void {
    if (!this.closed) this.socket.destroy();
    this.closed = true;
  }
}
