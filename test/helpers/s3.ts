/**
 * A real S3 endpoint for tests: s3rver (a filesystem-backed S3 API server) on 127.0.0.1, one
 * bucket, a request log, and an S3 client to look at what lakegres stored. It can be stopped
 * and started again on the same port and directory (an endpoint that goes away and comes back).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client, ListObjectsV2Command, HeadObjectCommand, type _Object } from '@aws-sdk/client-s3';

/** The part of s3rver 3.7's API used here (the package ships no types). */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverCtor;

export const S3_KEY = 'S3RVER';

export interface S3Request {
  method: string;
  url: string;
}

export interface TestS3 {
  readonly bucket: string;
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  readonly directory: string;
  /** Requests received since the start (or the last clearRequests()). */
  readonly requests: S3Request[];
  clearRequests(): void;
  /** GET requests for objects (downloads) among `requests`. */
  objectGets(): S3Request[];
  /** Every object under a key prefix. */
  list(prefix?: string): Promise<_Object[]>;
  size(key: string): Promise<number>;
  readonly client: S3Client;
  /** Closes the endpoint (and its open connections) but keeps its directory. */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
  running(): boolean;
  /** Stops it for good and removes its directory. */
  destroy(): Promise<void>;
}

export async function startS3(bucket = 'lake'): Promise<TestS3> {
  const directory = mkdtempSync(path.join(tmpdir(), 'lakegres-s3rver-'));
  const requests: S3Request[] = [];
  let instance: S3rverInstance | undefined;
  let port = 0;

  const launch = async () => {
    const s = new S3rver({ address: '127.0.0.1', port, directory, silent: true, configureBuckets: [{ name: bucket, configs: [] }] });
    const addr = await s.run();
    port = addr.port;
    s.httpServer!.on('request', (req: IncomingMessage) => requests.push({ method: req.method ?? '', url: req.url ?? '' }));
    instance = s;
  };
  await launch();

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3_KEY, secretAccessKey: S3_KEY },
    maxAttempts: 1,
  });

  const stop = async () => {
    const s = instance;
    instance = undefined;
    if (!s) return;
    const closed = s.close();
    // Keep-alive connections of lakegres' and our clients would hold close() open.
    s.httpServer?.closeAllConnections();
    await closed;
  };

  return {
    bucket,
    endpoint,
    port,
    directory,
    requests,
    client,
    clearRequests: () => void requests.splice(0),
    objectGets: () => requests.filter((r) => r.method === 'GET' && /^\/[^/?]+\/[^?]+/.test(r.url)),
    async list(prefix = '') {
      const out: _Object[] = [];
      let token: string | undefined;
      for (let page = 0; page < 1000; page++) {
        const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        out.push(...(r.Contents ?? []));
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
        if (!token) break;
      }
      return out;
    },
    async size(key) {
      const r = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return Number(r.ContentLength);
    },
    stop,
    async start() {
      if (!instance) await launch();
    },
    running: () => instance !== undefined,
    async destroy() {
      await stop();
      client.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Sets environment variables for the duration of a test file; returns the restorer. */
export function setEnv(vars: Record<string, string>): () => void {
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(vars)) {
    saved.set(k, process.env[k]);
    process.env[k] = v;
  }
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
