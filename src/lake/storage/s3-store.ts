/**
 * Lake data on S3 (or anything that speaks its API: MinIO, s3rver, ...), through
 * @aws-sdk/client-s3 with the standard credential chain. DuckDB cannot open s3:// here (no
 * httpfs), so it reads objects from a bounded local cache and writes new files locally; those
 * are uploaded (multipart when large) before the catalog commit.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { S3Client, GetObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, HeadBucketCommand, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { ObjectStore, StoredObject } from './object-store.js';
import { ObjectCache } from './object-cache.js';

export interface S3StoreOptions {
  endpoint?: string;
  region?: string;
  forcePathStyle: boolean;
  cacheDir: string;
  cacheBytes: number;
  /** Where new files are written before their upload. */
  stagingDir: string;
}

/** Uploads above this size go in parts. */
const PART_SIZE = 16 * 1024 * 1024;
/** An endpoint that accepts no connection, or stops answering, fails the request instead of hanging it. */
const CONNECT_TIMEOUT_MS = 5_000;
const IDLE_SOCKET_TIMEOUT_MS = 60_000;
/** Bound of the bucket check at startup (all attempts). */
const STARTUP_CHECK_MS = 10_000;

/** One cache per directory, shared by every lake of the process that uses it. */
const caches = new Map<string, ObjectCache>();

export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3' as const;
  readonly localDirectories: readonly string[];

  private constructor(
    readonly root: string,
    private readonly client: S3Client,
    private readonly cache: ObjectCache,
    private readonly stagingDir: string,
  ) {
    this.localDirectories = [cache.dir, stagingDir];
  }

  static async create(root: string, opts: S3StoreOptions): Promise<S3ObjectStore> {
    const normalized = root.endsWith('/') ? root : root + '/';
    const { bucket } = splitUri(normalized);
    const config: S3ClientConfig = {
      region: opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      forcePathStyle: opts.forcePathStyle,
      // lakegres retries whole commits itself; keep SDK retries short so a dead endpoint fails fast.
      maxAttempts: 3,
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, socketTimeout: IDLE_SOCKET_TIMEOUT_MS },
    };
    if (opts.endpoint) config.endpoint = opts.endpoint;
    const client = new S3Client(config);
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: AbortSignal.timeout(STARTUP_CHECK_MS) });
    } catch (e) {
      client.destroy();
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const why =
        status === 404
          ? `bucket "${bucket}" does not exist (HTTP 404)`
          : (e as Error).name === 'AbortError'
            ? `no answer from ${opts.endpoint ?? 'S3'} within ${STARTUP_CHECK_MS / 1000}s`
            : describeS3Error(e);
      throw new PgError(SqlState.configFileError, `cannot use the S3 data path ${normalized}: ${why}`, {
        hint: 'Check --s3-endpoint, --s3-region and the AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity).',
      });
    }
    await mkdir(opts.stagingDir, { recursive: true });
    const cacheDir = path.resolve(opts.cacheDir);
    let cache = caches.get(cacheDir);
    if (!cache) {
      cache = await ObjectCache.open(cacheDir, opts.cacheBytes);
      caches.set(cacheDir, cache);
    }
    return new S3ObjectStore(normalized, client, cache, path.resolve(opts.stagingDir));
  }

  /** The cache file that stands for `uri` (it may not be downloaded yet: see ensureLocal). */
  async localPath(uri: string): Promise<string> {
    return this.cache.pathFor(uri);
  }

  /** Downloads what is missing and pins the files until `release` is called. */
  async ensureLocal(uris: readonly string[]): Promise<() => void> {
    return this.cache.acquire(uris, (uri, target) => this.download(uri, target));
  }

  private async download(uri: string, target: string): Promise<number> {
    const { bucket, key } = splitUri(uri);
    let body: Readable;
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      body = r.Body as Readable;
    } catch (e) {
      throw new PgError(SqlState.ioError, `could not read ${uri} from S3: ${describeS3Error(e)}`);
    }
    const tmp = `${target}.${randomUUID()}.part`;
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await pipeline(body, createWriteStream(tmp));
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new PgError(SqlState.ioError, `could not download ${uri}: ${(e as Error).message}`);
    }
    return (await stat(target)).size;
  }

  async stagingPath(uri: string): Promise<string> {
    const dir = path.join(this.stagingDir, randomUUID());
    await mkdir(dir, { recursive: true });
    void uri;
    return dir + '/';
  }

  async publish(localPath: string, uri: string): Promise<void> {
    const { bucket, key } = splitUri(uri);
    const size = (await stat(localPath)).size;
    try {
      const upload = new Upload({
        client: this.client,
        params: { Bucket: bucket, Key: key, Body: createReadStream(localPath), ContentLength: size },
        partSize: PART_SIZE,
        queueSize: 4,
        leavePartsOnError: false,
      });
      await upload.done();
    } catch (e) {
      // The write fails as a whole: drop what it staged (this file and any others its COPY wrote
      // into the same staging directory), or it would stay on disk for good.
      await this.discardStaged(localPath);
      throw new PgError(SqlState.ioError, `could not upload ${uri} to S3: ${describeS3Error(e)}`);
    }
    // The written file is the object's content: keep it as the cached copy. The object is durable
    // now, so failing to cache it (a cache on another filesystem: EXDEV) must not fail the write.
    await this.cache.adopt(uri, localPath, size).catch(() => rm(localPath, { force: true }));
    // A COPY may have written several files into this directory: remove it once it is empty.
    await rmdir(path.dirname(localPath)).catch(() => undefined);
  }

  /** Removes the staging directory of a failed write (only directories made by stagingPath). */
  private async discardStaged(localPath: string): Promise<void> {
    const dir = path.dirname(path.resolve(localPath));
    if (path.dirname(dir) === this.stagingDir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    else await rm(localPath, { force: true }).catch(() => undefined);
  }

  async delete(uris: readonly string[]): Promise<void> {
    const byBucket = new Map<string, string[]>();
    for (const u of uris) {
      const { bucket, key } = splitUri(u);
      byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), key]);
      await this.cache.forget(u);
    }
    for (const [bucket, keys] of byBucket) {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000);
        try {
          const r = await this.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
          const failed = (r.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
          if (failed.length) throw new Error(`${failed[0]!.Key}: ${failed[0]!.Message ?? failed[0]!.Code}`);
        } catch (e) {
          throw new PgError(SqlState.ioError, `could not delete objects from S3: ${describeS3Error(e)}`);
        }
      }
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    const { bucket, key } = splitUri(prefix.endsWith('/') ? prefix : prefix + '/');
    let token: string | undefined;
    do {
      const r = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }));
      for (const o of r.Contents ?? []) {
        if (!o.Key) continue;
        yield { uri: `s3://${bucket}/${o.Key}`, size: Number(o.Size ?? 0), lastModified: o.LastModified ?? new Date(0) };
      }
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  }
}

export function splitUri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(uri);
  if (!m) throw new PgError(SqlState.invalidParameterValue, `not an s3:// URI: ${uri}`);
  return { bucket: m[1]!, key: m[2]! };
}

function describeS3Error(e: unknown): string {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  return [err.name && err.name !== 'Error' ? err.name : undefined, status ? `HTTP ${status}` : undefined, err.message].filter(Boolean).join(': ');
}
