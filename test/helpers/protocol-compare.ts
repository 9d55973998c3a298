/**
 * Helpers for protocol conformance tests: run the same raw message sequence against lakegres
 * and the reference PostgreSQL and compare what comes back, message by message.
 */
import { RawClient, errorFields, commandTag, rowDescription, type BackendMessage } from './raw-client.js';
import { referencePort } from './server.js';

export type Target = 'lake' | 'pg';

export async function connectTo(target: Target, lakePort: number, params: Record<string, string> = {}): Promise<RawClient> {
  if (target === 'lake') return RawClient.connect({ port: lakePort, params });
  return RawClient.connect({ port: referencePort(), user: 'postgres', database: 'postgres', password: 'postgres', params });
}

export interface SummaryOptions {
  /** Keep RowDescription column names and type OIDs (default: just 'T'). */
  columns?: boolean;
  /** Keep DataRow contents (text format). */
  rows?: boolean;
  /** Keep the message text of errors. */
  messages?: boolean;
}

/**
 * One short string per backend message: 'C:SELECT 1', 'E:42P01:ERROR', 'Z:T', 't:23,25', ...
 * ParameterStatus and NoticeResponse are left out (they legitimately differ).
 */
export function summarize(msgs: readonly BackendMessage[], opts: SummaryOptions = {}): string[] {
  const out: string[] = [];
  for (const m of msgs) {
    switch (m.type) {
      case 'S':
      case 'N':
        continue;
      case 'C':
        out.push(`C:${commandTag(m)}`);
        break;
      case 'E': {
        const f = errorFields(m);
        out.push(`E:${f.C}:${f.V ?? f.S}` + (opts.messages ? `:${f.M}` : ''));
        break;
      }
      case 'Z':
        out.push(`Z:${String.fromCharCode(m.payload[0]!)}`);
        break;
      case 't': {
        const n = m.payload.readInt16BE(0);
        const oids: number[] = [];
        for (let i = 0; i < n; i++) oids.push(m.payload.readUInt32BE(2 + 4 * i));
        out.push(`t:${oids.join(',')}`);
        break;
      }
      case 'T':
        out.push(opts.columns ? `T:${rowDescription(m).map((f) => `${f.name}/${f.typeOid}`).join(',')}` : 'T');
        break;
      case 'D':
        if (opts.rows) {
          const n = m.payload.readInt16BE(0);
          const vals: string[] = [];
          let p = 2;
          for (let i = 0; i < n; i++) {
            const len = m.payload.readInt32BE(p);
            p += 4;
            if (len < 0) vals.push('NULL');
            else {
              vals.push(m.payload.toString('utf8', p, p + len));
              p += len;
            }
          }
          out.push(`D:${vals.join('|')}`);
        } else out.push('D');
        break;
      default:
        out.push(m.type);
    }
  }
  return out;
}

/** Messages until ReadyForQuery, summarized. */
export async function roundTrip(c: RawClient, data: Buffer | Buffer[], opts?: SummaryOptions): Promise<string[]> {
  c.write(Array.isArray(data) ? Buffer.concat(data) : data);
  return summarize(await c.untilReady(), opts);
}

export async function simple(c: RawClient, sql: string, opts?: SummaryOptions): Promise<string[]> {
  return summarize(await c.query(sql), opts);
}

/** Waits for `count` messages (no ReadyForQuery expected), e.g. after Flush. */
export async function take(c: RawClient, count: number, timeoutMs = 10_000): Promise<BackendMessage[]> {
  const out: BackendMessage[] = [];
  for (let i = 0; i < count; i++) out.push(await c.next(timeoutMs));
  return out;
}

/** True when nothing arrives within `ms`. */
export async function silentFor(c: RawClient, ms: number): Promise<boolean> {
  try {
    const m = await c.next(ms);
    c.messages.unshift(m);
    return false;
  } catch {
    return !c.closed;
  }
}

/** A unique identifier suffix, so tests never collide on the shared reference database. */
export function uniq(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}
