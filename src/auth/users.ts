/**
 * Known users and their secrets. A users file holds one `name:secret` per line, where secret
 * is a SCRAM-SHA-256 verifier (recommended; `lakegres hash-password` prints one), an md5 hash
 * ("md5" + 32 hex digits) or `plain:<password>`. Lines starting with # are comments.
 */
import { readFileSync } from 'node:fs';
import { makeVerifier, parseVerifier, type ScramVerifier } from './scram.js';
import { md5Stored } from './md5.js';
import { PgError, SqlState } from '../errors/pg-error.js';

export interface UserSecret {
  scram?: ScramVerifier;
  md5?: string;
  /** Only for plain: entries. */
  plain?: string;
}

export class UserStore {
  private readonly users = new Map<string, UserSecret>();

  get size(): number {
    return this.users.size;
  }

  get(name: string): UserSecret | undefined {
    return this.users.get(name);
  }

  addPassword(name: string, password: string): void {
    this.users.set(name, { scram: makeVerifier(password), md5: md5Stored(name, password), plain: password });
  }

  addSecret(name: string, secret: string, source = 'users file'): void {
    if (secret.startsWith('SCRAM-SHA-256$')) {
      const v = parseVerifier(secret);
      if (!v) throw new PgError(SqlState.configFileError, `${source}: malformed SCRAM-SHA-256 verifier for user "${name}"`);
      this.users.set(name, { scram: v });
    } else if (/^md5[0-9a-f]{32}$/.test(secret)) {
      this.users.set(name, { md5: secret });
    } else if (secret.startsWith('plain:')) {
      this.addPassword(name, secret.slice(6));
    } else {
      throw new PgError(SqlState.configFileError, `${source}: the secret of user "${name}" must be a SCRAM-SHA-256 verifier, an md5 hash or plain:<password>`);
    }
  }

  static fromFile(path: string): UserStore {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new PgError(SqlState.configFileError, `cannot read users file ${path}: ${(e as Error).message}`);
    }
    const store = new UserStore();
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new PgError(SqlState.configFileError, `${path}:${i + 1}: expected name:secret`);
      store.addSecret(line.slice(0, colon), line.slice(colon + 1), `${path}:${i + 1}`);
    });
    return store;
  }
}
