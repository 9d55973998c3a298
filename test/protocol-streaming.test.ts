/**
 * Results stream with bounded memory: a client that reads a multi-million-row result slowly
 * (pausing its socket) must not make the server buffer the result. The server runs as its own
 * process (the real command line) so that its RSS can be measured alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialize as S } from './helpers/raw-client.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROWS = 20_000_000;
const LIMIT_BYTES = 300 * 1024 * 1024;

let child: ChildProcess | undefined;
let port = 0;
let dataDir = '';

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'lakegres-stream-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LAKEGRES_') && !k.startsWith('PG')) env[k] = v;
  child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), '--port', '0', '--data-dir', dataDir, '--log-level', 'info', '--threads', '2'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"port":(\d+)[^\n]*"msg":"lakegres listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child!.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child!.on('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
  });
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Resident set size of the server process, from /proc. */
function serverRss(): number {
  const status = readFileSync(`/proc/${child!.pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  return Number(kb![1]) * 1024;
}

/**
 * A minimal client that frames backend messages without keeping them: it counts DataRows and
 * remembers the last CommandComplete, so that the test process itself stays small.
 */
class CountingClient {
  rows = 0;
  tags: string[] = [];
  errors: string[] = [];
  ready = 0;
  bytes = 0;
  private pending: Buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];

  constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => undefined);
    socket.on('close', () => this.wake());
  }

  static async connect(): Promise<CountingClient> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const c = new CountingClient(socket);
    socket.write(S.startup({ user: 'lakegres', database: 'lake' }));
    await c.untilReady(1, 30_000);
    return c;
  }

  private onData(d: Buffer): void {
    this.bytes += d.length;
    let buf = this.pending.length ? Buffer.concat([this.pending, d]) : d;
    let p = 0;
    while (p + 5 <= buf.length) {
      const len = buf.readInt32BE(p + 1);
      if (p + 1 + len > buf.length) break;
      const type = buf[p]!;
      if (type === 0x44) this.rows++;
      else if (type === 0x43) this.tags.push(buf.toString('utf8', p + 5, p + len));
      else if (type === 0x45) this.errors.push(buf.toString('latin1', p + 5, p + 1 + len));
      else if (type === 0x5a) this.ready++;
      p += 1 + len;
    }
    buf = buf.subarray(p);
    this.pending = Buffer.from(buf);
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async untilReady(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.ready < count) {
      if (this.socket.destroyed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout: ${this.rows} rows so far`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

describe('streaming a large result to a slow client', () => {
  it(`keeps the server's memory bounded while ${ROWS / 1e6}M rows stream to a client that pauses`, async () => {
    const c = await CountingClient.connect();
    // Warm up: the first query loads code paths and DuckDB's buffers.
    c.socket.write(S.query('select i, i * 2 as j from range(100000) t(i)'));
    await c.untilReady(2, 60_000);
    expect(c.rows).toBe(100_000);
    await new Promise((r) => setTimeout(r, 500));
    const baseline = serverRss();
    let peak = baseline;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, serverRss());
      } catch {
        /* process gone: the assertions below fail */
      }
    }, 100);
    const t0 = Date.now();
    try {
      c.rows = 0;
      c.socket.write(S.query(`select i, i * 2 as j from range(${ROWS}) t(i)`));
      // Not reading at all for a while: an unbounded server would buffer the whole result now.
      c.socket.pause();
      await new Promise((r) => setTimeout(r, 4000));
      const duringPause = serverRss();
      expect(duringPause - baseline, 'RSS growth while the client does not read').toBeLessThan(LIMIT_BYTES);
      // Then read slowly: short bursts with pauses in between.
      const reading = c.untilReady(3, 240_000);
      let stop = false;
      const slow = (async () => {
        while (!stop) {
          c.socket.resume();
          await new Promise((r) => setTimeout(r, 150));
          c.socket.pause();
          await new Promise((r) => setTimeout(r, 50));
        }
        c.socket.resume();
      })();
      try {
        await reading;
      } finally {
        stop = true;
        await slow;
      }
    } finally {
      clearInterval(sampler);
    }
    console.log(`rss baseline ${(baseline / 1048576).toFixed(0)} MB, peak +${((peak - baseline) / 1048576).toFixed(0)} MB, ${(c.bytes / 1048576).toFixed(0)} MB received`);
    expect(c.errors).toEqual([]);
    expect(c.rows).toBe(ROWS);
    expect(c.tags[c.tags.length - 1]).toBe(`SELECT ${ROWS}`);
    // Sanity: the result really was large (about 30 bytes a row on the wire).
    expect(c.bytes).toBeGreaterThan(ROWS * 25);
    expect(peak - baseline, `peak RSS growth (baseline ${(baseline / 1048576).toFixed(0)} MB, ${((Date.now() - t0) / 1000).toFixed(1)} s)`).toBeLessThan(LIMIT_BYTES);
    // The server still answers on the same session.
    c.socket.write(S.query('select 1'));
    await c.untilReady(4, 30_000);
    c.socket.end();
  }, 300_000);
});
