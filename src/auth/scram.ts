/**
 * SCRAM-SHA-256 (RFC 5802/7677) as PostgreSQL uses it, including the -PLUS variant with
 * tls-server-end-point channel binding. Verifiers use PostgreSQL's stored format:
 * SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ScramVerifier {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, data: string | Buffer) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

/**
 * SASLprep (RFC 4013) as far as it changes real passwords: non-ASCII spaces become a space,
 * "commonly mapped to nothing" characters are dropped, then NFKC. ASCII passwords are used
 * as given, like PostgreSQL's pg_saslprep (which also uses the raw password when prep fails).
 */
export function saslPrep(password: string): string {
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  const mapped = password
    .replace(/[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/g, ' ')
    .replace(/[\u00ad\u034f\u1806\u180b-\u180d\u200b-\u200d\u2060\ufe00-\ufe0f\ufeff]/g, '');
  return mapped.normalize('NFKC');
}

export function makeVerifier(password: string, iterations = 4096, salt: Buffer = randomBytes(16)): ScramVerifier {
  const salted = pbkdf2Sync(saslPrep(password), salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return { iterations, salt, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
}

export function formatVerifier(v: ScramVerifier): string {
  return `SCRAM-SHA-256$${v.iterations}:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

export function parseVerifier(s: string): ScramVerifier | undefined {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(s);
  if (!m) return undefined;
  const v = { iterations: Number(m[1]), salt: Buffer.from(m[2]!, 'base64'), storedKey: Buffer.from(m[3]!, 'base64'), serverKey: Buffer.from(m[4]!, 'base64') };
  if (v.storedKey.length !== 32 || v.serverKey.length !== 32 || v.iterations < 1) return undefined;
  return v;
}

/** Checks a cleartext password against a verifier (for the 'password' method). */
export function verifyPassword(v: ScramVerifier, password: string): boolean {
  const candidate = makeVerifier(password, v.iterations, v.salt);
  return timingSafeEqual(candidate.storedKey, v.storedKey);
}

export class ScramError extends Error {}

/**
 * One server-side SCRAM exchange. `verifier` is undefined for an unknown user: the exchange
 * then runs against `mock` (see UserStore.mockVerifier) so that it fails only at the end,
 * like PostgreSQL, doing the same work as for a wrong password.
 */
export class ScramExchange {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';
  private readonly v: ScramVerifier;
  private readonly real: boolean;

  constructor(verifier: ScramVerifier | undefined, mock: ScramVerifier, private readonly channelBinding?: Buffer) {
    this.real = verifier !== undefined;
    this.v = verifier ?? mock;
  }

  /** Handles SASLInitialResponse; returns server-first-message. */
  clientFirst(mechanism: string, message: string): string {
    if (mechanism === 'SCRAM-SHA-256-PLUS' && !this.channelBinding) throw new ScramError('channel binding is not supported on this connection');
    const m = /^([ny]|p=([^,]+)),(a=[^,]*)?,(.*)$/.exec(message);
    if (!m) throw new ScramError('malformed SCRAM message');
    const flag = m[1]!;
    if (flag.startsWith('p=')) {
      if (mechanism !== 'SCRAM-SHA-256-PLUS') throw new ScramError('channel binding requested without SCRAM-SHA-256-PLUS');
      if (m[2] !== 'tls-server-end-point') throw new ScramError(`unsupported SCRAM channel-binding type "${m[2]}"`);
    } else if (mechanism === 'SCRAM-SHA-256-PLUS') throw new ScramError('SCRAM-SHA-256-PLUS requires channel binding data');
    else if (flag === 'y' && this.channelBinding) {
      // The client thinks the server does not support channel binding, but it does: downgrade attack.
      throw new ScramError('SCRAM channel binding negotiation error');
    }
    this.gs2Header = message.slice(0, message.length - m[4]!.length);
    this.clientFirstBare = m[4]!;
    const r = /(?:^|,)r=([^,]+)/.exec(this.clientFirstBare);
    if (!r) throw new ScramError('malformed SCRAM message: missing nonce');
    this.nonce = r[1]! + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.v.salt.toString('base64')},i=${this.v.iterations}`;
    return this.serverFirst;
  }

  /** Handles the client-final-message; returns server-final-message or throws on failure. */
  clientFinal(message: string): string {
    const m = /^c=([^,]*),r=([^,]*)(?:,.*)?,p=([A-Za-z0-9+/=]+)$/.exec(message);
    if (!m) throw new ScramError('malformed SCRAM message');
    const expectedCbind = Buffer.concat([Buffer.from(this.gs2Header), this.gs2Header.startsWith('p=') ? this.channelBinding ?? Buffer.alloc(0) : Buffer.alloc(0)]);
    const cbind = Buffer.from(m[1]!, 'base64');
    if (cbind.length !== expectedCbind.length || !timingSafeEqual(cbind, expectedCbind)) throw new ScramError('SCRAM channel binding check failed');
    if (m[2] !== this.nonce) throw new ScramError('SCRAM nonce mismatch');
    const withoutProof = message.slice(0, message.lastIndexOf(',p='));
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const proof = Buffer.from(m[3]!, 'base64');
    const clientSignature = hmac(this.v.storedKey, authMessage);
    if (proof.length !== clientSignature.length) throw new ScramError('password authentication failed');
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const ok = timingSafeEqual(sha256(clientKey), this.v.storedKey) && this.real;
    if (!ok) throw new ScramError('password authentication failed');
    return `v=${hmac(this.v.serverKey, authMessage).toString('base64')}`;
  }
}

/** tls-server-end-point binding data: hash of the server certificate (SHA-256 unless SHA-384/512 signed). */
export function tlsServerEndPoint(certDer: Buffer, signatureAlgorithm?: string): Buffer {
  const alg = signatureAlgorithm && /sha384/i.test(signatureAlgorithm) ? 'sha384' : signatureAlgorithm && /sha512/i.test(signatureAlgorithm) ? 'sha512' : 'sha256';
  return createHash(alg).update(certDer).digest();
}
