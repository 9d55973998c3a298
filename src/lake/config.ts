/**
 * Which lakes a server opens, from its configuration. The first database name gets the
 * configured catalog and data path (or the embedded default in the data directory); further
 * names are embedded lakes in their own sub-directories of the data directory.
 */
import path from 'node:path';
import type { LakegresConfig } from '../config/options.js';
import { parseByteSize } from '../config/options.js';
import type { LakeConfig } from './lake.js';
import type { ObjectStore } from './storage/object-store.js';
import { LocalObjectStore } from './storage/local-store.js';
import { S3ObjectStore } from './storage/s3-store.js';
import { VERSION } from '../version.js';

export function lakeConfigs(config: LakegresConfig): LakeConfig[] {
  const objectStoreFactory = objectStores(config);
  return config.database.map((name, i) => {
    const own = i === 0 ? config.dataDir : path.join(config.dataDir, name);
    const first = i === 0;
    return {
      name,
      catalog: (first && config.catalog) || path.join(own, 'metadata.ducklake'),
      metadataSchema: first ? config.metadataSchema : undefined,
      dataPath: first ? config.dataPath : undefined,
      embeddedDataDir: first && config.catalog ? undefined : path.join(own, 'data'),
      createdBy: `lakegres ${VERSION}`,
      objectStoreFactory,
    };
  });
}

/** Local directories for local data paths; S3 prefixes share one bounded download cache. */
function objectStores(config: LakegresConfig): (root: string) => Promise<ObjectStore> {
  return async (root) => {
    if (!/^s3:\/\//i.test(root)) return new LocalObjectStore(root);
    return S3ObjectStore.create(root, {
      endpoint: config.s3Endpoint,
      region: config.s3Region,
      forcePathStyle: config.s3UrlStyle !== 'vhost',
      cacheDir: config.s3CacheDir ?? path.join(config.dataDir, 's3cache'),
      cacheBytes: parseByteSize(config.s3CacheSize) ?? 2 * 1024 ** 3,
      stagingDir: path.join(config.tempDirectory ?? path.join(config.dataDir, 'tmp'), 's3-upload'),
    });
  };
}
