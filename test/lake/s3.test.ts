/**
 * Lakes whose data lives on S3, against a real local S3 endpoint (s3rver on 127.0.0.1):
 * uploads (single and multipart), reads through the bounded download cache, restarts with an
 * empty cache, failures of the endpoint, and lakes reopened from what the catalog records.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { startServer, type TestServer } from '../helpers/server.js';
import { S3_KEY, setEnv, startS3, type TestS3 } from '../helpers/s3.js';
import type { LakegresConfig } from '../../src/config/options.js';
import { ObjectCache } from '../../src/lake/storage/object-cache.js';

const PARQUET_NAME = /^ducklake-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.parquet$/;
const PART_SIZE = 16 * 1024 * 1024;

let s3: TestS3;
let restoreEnv: () => void;
const tempDirs: string[] = [];

function tempDir(name: string): string {
  const d = mkdtempSync(path.join(tmpdir(), `lakegres-s3-${name}-`));
  tempDirs.push(d);
  return d;
}

/** Every file under a directory (relative paths); [] when it does not exist. */
function walk(dir: string, rel = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...walk(dir, r));
    else out.push(r);
  }
  return out;
}

/** Polls (bounded) until `check` holds; returns its last value. */
async function eventually<T>(get: () => T, check: (v: T) => boolean, ms = 3000): Promise<T> {
  let v = get();
  for (let i = 0; i < ms / 25 && !check(v); i++) {
    await new Promise((r) => setTimeout(r, 25));
    v = get();
  }
  return v;
}

interface LakeOpts {
  prefix?: string;
  dataDir?: string;
  cacheDir?: string;
  extra?: Partial<LakegresConfig>;
}

/** A lakegres whose first lake keeps its data under s3://lake/<prefix>/. */
async function s3Server(o: LakeOpts): Promise<TestServer> {
  return startServer({
    dataDir: o.dataDir ?? tempDir('data'),
    ...(o.prefix !== undefined ? { dataPath: `s3://${s3.bucket}/${o.prefix}/` } : {}),
    s3Endpoint: s3.endpoint,
    s3CacheDir: o.cacheDir ?? tempDir('cache'),
    ...o.extra,
  });
}

async function one(c: pg.Client, sql: string): Promise<Record<string, unknown>> {
  const r = await c.query(sql);
  expect(r.rows).toHaveLength(1);
  return r.rows[0] as Record<string, unknown>;
}

async function latestSnapshot(c: pg.Client): Promise<number> {
  return Number((await one(c, `SELECT max(snapshot_id) AS s FROM ducklake_snapshots('lake')`)).s);
}

async function keys(prefix: string): Promise<string[]> {
  return (await s3.list(prefix)).map((o) => o.Key!).sort();
}

beforeAll(async () => {
  restoreEnv = setEnv({ AWS_ACCESS_KEY_ID: S3_KEY, AWS_SECRET_ACCESS_KEY: S3_KEY, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  s3 = await startS3('lake');
});

afterAll(async () => {
  await s3?.destroy();
  restoreEnv?.();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

describe('lake data on S3', () => {
  it('writes Parquet files under <prefix>/main/<table>/ and reads them back', async () => {
    const server = await s3Server({ prefix: 'basic' });
    try {
      const c = await server.client();
      await c.query('CREATE TABLE items (id INTEGER, name VARCHAR)');
      const ins = await c.query(`INSERT INTO items SELECT i, 'item-' || i FROM range(100) r(i)`);
      expect(ins.rowCount).toBe(100);
      expect(await one(c, 'SELECT count(*) AS n, sum(id) AS s, min(name) AS lo, max(name) AS hi FROM items')).toEqual({ n: '100', s: '4950', lo: 'item-0', hi: 'item-99' });
      expect((await c.query('SELECT id, name FROM items WHERE id IN (0, 42, 99) ORDER BY id')).rows).toEqual([
        { id: 0, name: 'item-0' },
        { id: 42, name: 'item-42' },
        { id: 99, name: 'item-99' },
      ]);

      // One object, named like the extension names data files, at the table's place.
      let objects = await keys('basic/');
      expect(objects).toHaveLength(1);
      expect(objects[0]!.startsWith('basic/main/items/')).toBe(true);
      expect(path.posix.basename(objects[0]!)).toMatch(PARQUET_NAME);
      const listed = await c.query(`SELECT data_file, data_file_size_bytes FROM ducklake_list_files('lake', 'items')`);
      expect(listed.rows).toEqual([{ data_file: `s3://lake/${objects[0]}`, data_file_size_bytes: String(await s3.size(objects[0]!)) }]);

      // A second file; an insert of <= 10 rows is inlined in the catalog (no object).
      await c.query(`INSERT INTO items SELECT i, 'item-' || i FROM range(100, 250) r(i)`);
      await c.query(`INSERT INTO items SELECT i, 'item-' || i FROM range(250, 255) r(i)`);
      objects = await keys('basic/');
      expect(objects).toHaveLength(2);
      for (const k of objects) {
        expect(path.posix.dirname(k)).toBe('basic/main/items');
        expect(path.posix.basename(k)).toMatch(PARQUET_NAME);
      }
      expect(await one(c, 'SELECT count(*) AS n, sum(id) AS s, count(DISTINCT name) AS d FROM items')).toEqual({ n: '255', s: String((254 * 255) / 2), d: '255' });

      // Nothing of the lake's data on the local disk (the cache is elsewhere), staging emptied.
      const local = walk(server.dataDir);
      expect(local.filter((f) => f.endsWith('.parquet'))).toEqual([]);
      expect(existsSync(path.join(server.dataDir, 'data'))).toBe(false);
      expect(readdirSync(path.join(server.dataDir, 'tmp', 's3-upload'))).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('uploads a file larger than the part size in parts and reads it back from S3', async () => {
    const dataDir = tempDir('multipart');
    let server = await s3Server({ prefix: 'multipart', dataDir });
    const N = 2_500_000;
    let expected: Record<string, unknown>;
    try {
      const c = await server.client();
      await c.query('CREATE TABLE big (id BIGINT, r BIGINT)');
      expected = await one(c, `SELECT count(*) AS n, sum(i) AS ids, sum((hash(i) >> 1)::BIGINT) AS rs FROM range(${N}) t(i)`);
      s3.clearRequests();
      const ins = await c.query(`INSERT INTO big SELECT i, (hash(i) >> 1)::BIGINT FROM range(${N}) t(i)`);
      expect(ins.rowCount).toBe(N);
      const objects = await keys('multipart/');
      expect(objects).toHaveLength(1);
      const size = await s3.size(objects[0]!);
      expect(size).toBeGreaterThan(PART_SIZE);
      // CreateMultipartUpload, one UploadPart per 16 MB, CompleteMultipartUpload.
      const reqs = s3.requests.filter((r) => r.url.includes(objects[0]!));
      expect(reqs.filter((r) => r.method === 'POST' && /[?&]uploads(=|&|$)/.test(r.url))).toHaveLength(1);
      expect(reqs.filter((r) => r.method === 'PUT' && /[?&]partNumber=/.test(r.url))).toHaveLength(Math.ceil(size / PART_SIZE));
      expect(reqs.filter((r) => r.method === 'POST' && /[?&]uploadId=/.test(r.url))).toHaveLength(1);
      expect(await one(c, 'SELECT count(*) AS n, sum(id) AS ids, sum(r) AS rs FROM big')).toEqual(expected);
    } finally {
      await server.stop();
    }
    // The object itself (not the local copy kept as cache): read through an empty cache.
    s3.clearRequests();
    server = await s3Server({ prefix: 'multipart', dataDir });
    try {
      const c = await server.client();
      expect(await one(c, 'SELECT count(*) AS n, sum(id) AS ids, sum(r) AS rs FROM big')).toEqual(expected);
      expect(s3.objectGets()).toHaveLength(1);
    } finally {
      await server.stop();
    }
  }, 180_000);

  it('reads everything back after a restart with an empty cache: time travel, changes, views', async () => {
    const dataDir = tempDir('restart');
    let server = await s3Server({ prefix: 'restart', dataDir });
    const snaps: number[] = [];
    try {
      const c = await server.client();
      await c.query('CREATE TABLE ev (id INTEGER, v VARCHAR)');
      await c.query(`INSERT INTO ev SELECT i, 'a' || i FROM range(50) r(i)`);
      snaps.push(await latestSnapshot(c));
      await c.query(`INSERT INTO ev SELECT i, 'b' || i FROM range(50, 120) r(i)`);
      snaps.push(await latestSnapshot(c));
      await c.query('CREATE VIEW ev_even AS SELECT id, v FROM ev WHERE id % 2 = 0');
    } finally {
      await server.stop();
    }
    expect(await keys('restart/')).toHaveLength(2);

    const [s1, s2] = snaps as [number, number];
    const check = async (c: pg.Client) => {
      expect(await one(c, 'SELECT count(*) AS n, sum(id) AS s FROM ev')).toEqual({ n: '120', s: String((119 * 120) / 2) });
      expect(await one(c, `SELECT count(*) AS n, sum(id) AS s, min(v) AS lo FROM ev AT (VERSION => ${s1})`)).toEqual({ n: '50', s: '1225', lo: 'a0' });
      expect(
        await one(c, `SELECT count(*) AS n, min(id) AS lo, max(id) AS hi, min(snapshot_id) AS s1, max(snapshot_id) AS s2 FROM ducklake_table_insertions('lake', 'main', 'ev', ${s2}, ${s2})`),
      ).toEqual({
        n: '70',
        lo: 50,
        hi: 119,
        s1: String(s2),
        s2: String(s2),
      });
      expect((await c.query(`SELECT snapshot_id, change_type, count(*) AS n FROM ducklake_table_changes('lake', 'main', 'ev', ${s1}, ${s2}) GROUP BY ALL ORDER BY snapshot_id`)).rows).toEqual([
        { snapshot_id: String(s1), change_type: 'insert', n: '50' },
        { snapshot_id: String(s2), change_type: 'insert', n: '70' },
      ]);
      expect(await one(c, 'SELECT count(*) AS n, max(id) AS hi FROM ev_even')).toEqual({ n: '60', hi: 118 });
    };

    // A new, empty cache of the default size: every file downloaded once.
    const cacheDir = tempDir('restart-cache');
    s3.clearRequests();
    server = await s3Server({ prefix: 'restart', dataDir, cacheDir });
    try {
      await check(await server.client());
      expect(s3.objectGets()).toHaveLength(2);
      expect(walk(cacheDir).filter((f) => f.endsWith('.parquet'))).toHaveLength(2);
    } finally {
      await server.stop();
    }

    // A new cache that can hold nothing: every statement downloads what it reads, then lets it go.
    const tiny = tempDir('restart-tiny');
    server = await s3Server({ prefix: 'restart', dataDir, cacheDir: tiny, extra: { s3CacheSize: '1' } });
    try {
      const c = await server.client();
      await check(c);
      expect(
        await eventually(
          () => walk(tiny),
          (f) => f.length === 0,
        ),
      ).toEqual([]);
      // The same inside a transaction block (reads of its snapshot, time travel included).
      await c.query('BEGIN');
      expect(await one(c, `SELECT count(*) AS n FROM ev AT (VERSION => ${s1})`)).toEqual({ n: '50' });
      expect(await one(c, 'SELECT count(*) AS n FROM ev')).toEqual({ n: '120' });
      await c.query('COMMIT');
      expect(
        await eventually(
          () => walk(tiny),
          (f) => f.length === 0,
        ),
      ).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('keeps the cache bounded, and reuses cached files while they fit', async () => {
    const dataDir = tempDir('bounded');
    const tiny = tempDir('tiny-cache');
    let server = await s3Server({ prefix: 'bounded', dataDir, cacheDir: tiny, extra: { s3CacheSize: '1' } });
    const total = { n: '300', s: String((299 * 300) / 2) };
    try {
      const c = await server.client();
      await c.query('CREATE TABLE b (id INTEGER, pad VARCHAR)');
      for (let k = 0; k < 3; k++) {
        await c.query(`INSERT INTO b SELECT i, repeat('x', 100) FROM range(${k * 100}, ${(k + 1) * 100}) r(i)`);
        // Written files are cached only while they fit: with a 1-byte bound, not at all.
        expect(
          await eventually(
            () => walk(tiny),
            (f) => f.length === 0,
          ),
        ).toEqual([]);
      }
      expect(await keys('bounded/')).toHaveLength(3);
      for (let round = 0; round < 2; round++) {
        s3.clearRequests();
        expect(await one(c, 'SELECT count(*) AS n, sum(id) AS s FROM b')).toEqual(total);
        // Every file had to be downloaded again, and is gone once the statement is over.
        expect(s3.objectGets()).toHaveLength(3);
        expect(
          await eventually(
            () => walk(tiny),
            (f) => f.length === 0,
          ),
        ).toEqual([]);
      }
    } finally {
      await server.stop();
    }

    const small = tempDir('small-cache');
    s3.clearRequests();
    server = await s3Server({ prefix: 'bounded', dataDir, cacheDir: small, extra: { s3CacheSize: '4MB' } });
    try {
      const c = await server.client();
      expect(await one(c, 'SELECT count(*) AS n, sum(id) AS s FROM b')).toEqual(total);
      // Each file downloaded once (at startup or by the query), then served from the cache.
      expect(s3.objectGets()).toHaveLength(3);
      const cached = walk(small);
      expect(cached.filter((f) => f.endsWith('.parquet'))).toHaveLength(3);
      for (let round = 0; round < 3; round++) {
        s3.clearRequests();
        expect(await one(c, 'SELECT count(*) AS n, sum(id) AS s FROM b')).toEqual(total);
        expect(s3.objectGets()).toEqual([]);
      }
      expect(walk(small)).toEqual(cached);
      // A file written by this server becomes its cached copy: no download for it either.
      await c.query(`INSERT INTO b SELECT i, 'y' FROM range(300, 400) r(i)`);
      s3.clearRequests();
      expect(await one(c, 'SELECT count(*) AS n FROM b')).toEqual({ n: '400' });
      expect(s3.objectGets()).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('reopens a lake from the s3:// data path its catalog records (no --data-path)', async () => {
    const dataDir = tempDir('reopen');
    let server = await s3Server({ prefix: 'reopen', dataDir });
    try {
      const c = await server.client();
      await c.query('CREATE TABLE r (id INTEGER)');
      await c.query('INSERT INTO r SELECT i FROM range(40) t(i)');
    } finally {
      await server.stop();
    }
    server = await s3Server({ dataDir });
    try {
      const c = await server.client();
      expect(await one(c, `SELECT data_path FROM ducklake_settings('lake')`)).toEqual({ data_path: 's3://lake/reopen/' });
      expect(await one(c, 'SELECT count(*) AS n, sum(id) AS s FROM r')).toEqual({ n: '40', s: '780' });
      await c.query('INSERT INTO r SELECT i FROM range(40, 80) t(i)');
      expect(await one(c, 'SELECT count(*) AS n, sum(id) AS s FROM r')).toEqual({ n: '80', s: '3160' });
      const objects = await keys('reopen/');
      expect(objects).toHaveLength(2);
      for (const k of objects) expect(path.posix.dirname(k)).toBe('reopen/main/r');
      expect(walk(dataDir).filter((f) => f.endsWith('.parquet'))).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});

describe('S3 failures', () => {
  async function closedPort(): Promise<number> {
    const srv = net.createServer();
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise((resolve) => srv.close(resolve));
    return port;
  }

  it('refuses to start, quickly and naming the data path, when the endpoint is unreachable', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const dataDir = tempDir('unreachable');
    const err = await startServer({ dataDir, dataPath: 's3://lake/unreachable/', s3Endpoint: `http://127.0.0.1:${port}`, s3CacheDir: tempDir('cache') }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(err).toBeDefined();
    expect(err!.message).toContain('cannot use the S3 data path s3://lake/unreachable/');
    expect(err!.message).toMatch(/ECONNREFUSED/);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('refuses to start when the bucket does not exist', async () => {
    const t0 = Date.now();
    const err = await s3Server({ extra: { dataPath: 's3://no-such-bucket/x/' } }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeDefined();
    expect(err!.message).toBe('cannot use the S3 data path s3://no-such-bucket/x/: bucket "no-such-bucket" does not exist (HTTP 404)');
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('refuses to start, in bounded time, when the endpoint accepts connections but never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const t0 = Date.now();
      const err = await startServer({ dataDir: tempDir('silent'), dataPath: 's3://lake/silent/', s3Endpoint: `http://127.0.0.1:${port}`, s3CacheDir: tempDir('cache') }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toBe(`cannot use the S3 data path s3://lake/silent/: no answer from http://127.0.0.1:${port} within 10s`);
      expect(Date.now() - t0).toBeLessThan(20_000);
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 30_000);

  it('fails an INSERT cleanly when the endpoint goes away, and carries on when it is back', async () => {
    const server = await s3Server({ prefix: 'outage' });
    try {
      const c = await server.client();
      await c.query('CREATE TABLE o (id INTEGER)');
      await c.query('INSERT INTO o SELECT i FROM range(100) t(i)');
      const before = await latestSnapshot(c);
      const objectsBefore = await keys('outage/');
      expect(objectsBefore).toHaveLength(1);

      await s3.stop();
      let err: (Error & { code?: string }) | undefined;
      const t0 = Date.now();
      try {
        await c.query('INSERT INTO o SELECT i FROM range(100, 200) t(i)');
      } catch (e) {
        err = e as Error & { code?: string };
      } finally {
        await s3.start();
      }
      expect(err).toBeDefined();
      expect(err!.code).toBe('58030');
      expect(err!.message).toMatch(/^could not upload s3:\/\/lake\/outage\/main\/o\/ducklake-.*\.parquet to S3: .*ECONNREFUSED/);
      expect(Date.now() - t0).toBeLessThan(15_000);

      // No snapshot, no rows, no object, nothing left in staging.
      expect(await latestSnapshot(c)).toBe(before);
      expect(await one(c, 'SELECT count(*) AS n, max(id) AS hi FROM o')).toEqual({ n: '100', hi: 99 });
      expect(await keys('outage/')).toEqual(objectsBefore);
      expect(walk(path.join(server.dataDir, 'tmp', 's3-upload'))).toEqual([]);

      // The same session and new ones keep working.
      await c.query('INSERT INTO o SELECT i FROM range(100, 200) t(i)');
      expect(await latestSnapshot(c)).toBe(before + 1);
      const c2 = await server.client();
      expect(await one(c2, 'SELECT count(*) AS n, sum(id) AS s FROM o')).toEqual({ n: '200', s: '19900' });
      expect(await keys('outage/')).toHaveLength(2);
    } finally {
      if (!s3.running()) await s3.start();
      await server.stop();
    }
  });
});

describe('S3 object cache', () => {
  /** A fetch that writes `size` bytes for any uri. */
  const fetchOf = (size: number) => async (_uri: string, target: string) => {
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, Buffer.alloc(size, 1));
    return size;
  };
  const onDisk = (dir: string) => walk(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);

  it('evicts files found at open before files used since', async () => {
    const dir = tempDir('cache-index');
    mkdirSync(path.join(dir, 'b'), { recursive: true });
    writeFileSync(path.join(dir, 'b', 'old1'), Buffer.alloc(10));
    writeFileSync(path.join(dir, 'b', 'old2'), Buffer.alloc(10));
    const cache = await ObjectCache.open(dir, 35);
    expect(cache.usedBytes).toBe(20);
    (await cache.acquire(['s3://b/new1'], fetchOf(10)))();
    const release = await cache.acquire(['s3://b/new2'], fetchOf(10));
    // Over the bound: the least recently used file goes, which is one found at open, not new1.
    expect(cache.usedBytes).toBe(30);
    const files = walk(dir).sort();
    expect(files).toHaveLength(3);
    expect(files.slice(0, 2)).toEqual(['b/new1', 'b/new2']);
    expect(files[2]).toMatch(/^b\/old[12]$/);
    release();
    expect(cache.usedBytes).toBe(onDisk(dir));
  });

  it('does not evict a file pinned while an eviction is under way, nor count a file twice', async () => {
    const dir = tempDir('cache-race');
    const cache = await ObjectCache.open(dir, 5);
    const fetch = fetchOf(10);
    const r1 = await cache.acquire(['s3://b/A', 's3://b/B'], fetch);
    const r2 = await cache.acquire(['s3://b/C'], fetch);
    expect(cache.usedBytes).toBe(30);
    // Two evictions overlap (A, B, C unpinned), and B is pinned again before the first reaches it.
    r1();
    r2();
    const pinB = cache.acquire(['s3://b/B'], fetch);
    const r3 = await pinB;
    await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(cache.pathFor('s3://b/B'))).toBe(true);
    expect(cache.usedBytes).toBe(onDisk(dir));
    r3();
    await eventually(
      () => cache.usedBytes,
      (n) => n === 0,
    );
    expect(cache.usedBytes).toBe(0);
    expect(
      await eventually(
        () => walk(dir),
        (f) => f.length === 0,
      ),
    ).toEqual([]);
  });
});
