/**
 * TLS material: a configured certificate and key, or (--tls auto) a self-signed pair kept in
 * the data directory and reused across restarts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { generate } from 'selfsigned';
import { ConfigError } from '../config/options.js';
import { tlsServerEndPoint } from '../auth/scram.js';

export interface TlsMaterial {
  context: tls.SecureContext;
  /** tls-server-end-point channel-binding data for SCRAM-SHA-256-PLUS. */
  endPoint: Buffer;
  certPath: string;
  /** A new self-signed pair was written (--tls auto). */
  generated: boolean;
}

export async function loadTls(mode: string, dataDir: string, certPath?: string, keyPath?: string): Promise<TlsMaterial | undefined> {
  if (mode === 'off' && !certPath) return undefined;
  let cert: string;
  let key: string;
  let generated = false;
  if (certPath && keyPath) {
    try {
      cert = readFileSync(certPath, 'utf8');
      key = readFileSync(keyPath, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read TLS certificate or key: ${(e as Error).message}`);
    }
  } else {
    const dir = path.join(dataDir, 'tls');
    certPath = path.join(dir, 'server.crt');
    keyPath = path.join(dir, 'server.key');
    // A pair is generated when none exists (or half of one, after an interrupted first start)
    // and reused after that, so that clients can pin the certificate.
    if (!existsSync(certPath) || !existsSync(keyPath) || expired(certPath)) {
      mkdirSync(dir, { recursive: true });
      const pems = await generate([{ name: 'commonName', value: 'lakegres' }], {
        keySize: 2048,
        algorithm: 'sha256',
        notAfterDate: new Date(Date.now() + 3650 * 86400_000),
        extensions: [
          { name: 'basicConstraints', cA: false },
          { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
        ],
      });
      writeFileSync(keyPath, pems.private, { mode: 0o600 });
      writeFileSync(certPath, pems.cert);
      chmodSync(keyPath, 0o600);
      generated = true;
    }
    cert = readFileSync(certPath, 'utf8');
    key = readFileSync(keyPath, 'utf8');
  }
  let context: tls.SecureContext;
  let x509: X509Certificate;
  try {
    context = tls.createSecureContext({ cert, key, minVersion: 'TLSv1.2' });
    x509 = new X509Certificate(cert);
  } catch (e) {
    throw new ConfigError(`invalid TLS certificate or key (${certPath}, ${keyPath}): ${(e as Error).message}`);
  }
  return { context, endPoint: tlsServerEndPoint(x509.raw, signatureAlgorithmOf(x509.raw)), certPath, generated };
}

function expired(certPath: string): boolean {
  try {
    return new Date(new X509Certificate(readFileSync(certPath)).validTo).getTime() < Date.now();
  } catch {
    return false; // unreadable or invalid: reported when it is loaded
  }
}

/** The signature algorithm OID name of a DER certificate (for the channel-binding hash). */
function signatureAlgorithmOf(der: Buffer): string | undefined {
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signature }
  const readLen = (pos: number): [number, number] => {
    const b = der[pos]!;
    if (b < 0x80) return [b, pos + 1];
    const n = b & 0x7f;
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[pos + 1 + i]!;
    return [len, pos + 1 + n];
  };
  try {
    let [, p] = readLen(1); // outer SEQUENCE
    const [tbsLen, tbsStart] = readLen(p + 1);
    p = tbsStart + tbsLen; // signatureAlgorithm SEQUENCE
    const [, algStart] = readLen(p + 1);
    const [oidLen, oidStart] = readLen(algStart + 1);
    const oid = der.subarray(oidStart, oidStart + oidLen).toString('hex');
    const names: Record<string, string> = {
      '2a864886f70d01010c': 'sha384WithRSA',
      '2a864886f70d01010d': 'sha512WithRSA',
      '2a8648ce3d040303': 'ecdsa-with-SHA384',
      '2a8648ce3d040304': 'ecdsa-with-SHA512',
    };
    return names[oid];
  } catch {
    return undefined;
  }
}
