/**
 * Known users and their secrets. A users file holds one `name:secret` per line, where secret
 * is a SCRAM-SHA-256 verifier (recommended; `lakegres hash-password` prints one), an md5 hash
 * ("md5" + 32 hex digits) or `plain:<password>`. Lines starting with # are comments.
 */
import { readFileSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { makeVerifier, parseVerifier, type ScramVerifier } from './scram.js';
import { md5Stored } from './md5.js';
import { ConfigError, validUserName } from '../config/options.js';

/** The challenge a password user is sent. */
export type Challenge = 'scram' | 'md5';

export interface UserSecret {
  scram?: ScramVerifier;
  md5?: string;
  /** Only for plain: entries. */
  plain?: string;
}

export class UserStore {
  private readonly users = new Map<string, UserSecret>();
  /**
   * Server secret for the mock SCRAM exchange of unknown users (PostgreSQL's
   * mock_authentication_nonce): their salt must be stable, yet not computable by a client,
   * or comparing it with the expected mock salt would reveal that the user does not exist.
   */
  private mockNonce: Buffer = randomBytes(32);

  setMockNonce(nonce: Buffer): void {
    if (nonce.length < 16) throw new Error('mock authentication nonce too short');
    this.mockNonce = Buffer.from(nonce);
  }

  /**
   * The verifier an unknown user's exchange runs against: a salt derived from the server
   * secret and the name, the iteration count real verifiers use, random keys (never matches).
   */
  mockVerifier(name: string): ScramVerifier {
    return {
      iterations: this.commonIterations(),
      salt: createHmac('sha256', this.mockNonce).update('scram-salt\0' + name).digest().subarray(0, 16),
      storedKey: randomBytes(32),
      serverKey: randomBytes(32),
    };
  }

  /** An md5 hash for an unknown user (never matches a real password in practice). */
  mockMd5(name: string): string {
    return 'md5' + createHmac('sha256', this.mockNonce).update('md5\0' + name).digest('hex').slice(0, 32);
  }

  private commonIterations(): number {
    const counts = new Map<number, number>();
    for (const s of this.users.values()) if (s.scram) counts.set(s.scram.iterations, (counts.get(s.scram.iterations) ?? 0) + 1);
    let best = 4096;
    let n = 0;
    for (const [it, c] of counts) if (c > n) [best, n] = [it, c];
    return best;
  }

  /**
   * Which challenge a user gets under the configured method (trust and password are handled
   * by the caller). md5 gives md5 to users with an md5 hash and SCRAM to users who only have a
   * SCRAM verifier, as PostgreSQL does. scram-sha-256 chosen automatically (auth auto) falls
   * back to md5 for users who only have an md5 hash, so that such a users file works; an
   * explicit scram-sha-256 never does. Unknown users get what most known users get, so the
   * challenge type does not tell them apart.
   */
  challengeFor(name: string, method: string, auto: boolean): Challenge {
    if (method !== 'md5' && !(method === 'scram-sha-256' && auto)) return 'scram';
    const secret = this.users.get(name);
    if (secret) {
      if (method === 'md5') return secret.md5 ? 'md5' : 'scram';
      return secret.scram ? 'scram' : 'md5';
    }
    let md5 = 0;
    let scram = 0;
    for (const s of this.users.values()) {
      if (method === 'md5' ? s.md5 : !s.scram) md5++;
      else scram++;
    }
    return md5 > scram ? 'md5' : 'scram';
  }

  /** Users that can never log in under an explicit scram-sha-256 (only an md5 hash is stored). */
  md5OnlyUsers(): string[] {
    return [...this.users].filter(([, s]) => !s.scram).map(([n]) => n);
  }

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
    if (!validUserName(name)) throw new ConfigError(`${source}: invalid user name ${JSON.stringify(name)}`);
    if (this.users.has(name)) throw new ConfigError(`${source}: user "${name}" is defined twice`);
    if (secret.startsWith('SCRAM-SHA-256$')) {
      const v = parseVerifier(secret);
      if (!v) throw new ConfigError(`${source}: malformed SCRAM-SHA-256 verifier for user "${name}"`);
      this.users.set(name, { scram: v });
    } else if (/^md5[0-9a-f]{32}$/.test(secret)) {
      this.users.set(name, { md5: secret });
    } else if (secret.startsWith('plain:') && secret.length > 6) {
      this.addPassword(name, secret.slice(6));
    } else {
      throw new ConfigError(`${source}: the secret of user "${name}" must be a SCRAM-SHA-256 verifier, an md5 hash or plain:<password>`);
    }
  }

  static fromFile(path: string): UserStore {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read users file ${path}: ${(e as Error).message}`);
    }
    const store = new UserStore();
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new ConfigError(`${path}:${i + 1}: expected name:secret`);
      store.addSecret(line.slice(0, colon), line.slice(colon + 1), `${path}:${i + 1}`);
    });
    return store;
  }
}
