/**
 * Runs the same value through lakegres and the reference PostgreSQL over the extended protocol
 * (Parse / Bind with result formats / Describe / Execute / Sync) and compares the raw wire facts:
 * RowDescription type OID, typlen, typmod and format, and the DataRow field bytes.
 */
import { expect } from 'vitest';
import { RawClient, dataRowFields, errorFields, rowDescription, serialize, type RowDescriptionField } from './raw-client.js';

export interface WireResult {
  fields: RowDescriptionField[];
  rows: (Buffer | null)[][];
  error?: Record<string, string>;
}

export interface RunOptions {
  /** Result format code for every column (0 text, 1 binary). */
  format?: 0 | 1;
  /** Parameter values: a string is sent in text format, a Buffer in binary format, null as NULL. */
  params?: (string | Buffer | null)[];
  /** Parameter type OIDs declared in Parse. */
  paramTypes?: number[];
}

/** One extended-protocol round trip; never throws for a server error (see `error`). */
export async function runExtended(c: RawClient, sql: string, opts: RunOptions = {}): Promise<WireResult> {
  c.write(
    Buffer.concat([
      serialize.parse({ text: sql, types: opts.paramTypes ?? [] }),
      serialize.bind({ values: opts.params ?? [], binary: opts.format === 1 }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    ]),
  );
  const msgs = await c.untilReady();
  const out: WireResult = { fields: [], rows: [] };
  for (const m of msgs) {
    if (m.type === 'T') out.fields = rowDescription(m);
    else if (m.type === 'D') out.rows.push(dataRowFields(m));
    else if (m.type === 'E' && !out.error) out.error = errorFields(m);
  }
  return out;
}

/** Simple-query a statement (SET ...) and fail loudly on an error. */
export async function simple(c: RawClient, sql: string): Promise<void> {
  const msgs = await c.query(sql);
  const e = msgs.find((m) => m.type === 'E');
  if (e) throw new Error(`${sql}: ${errorFields(e).M}`);
}

export interface Summary {
  error?: string;
  columns: { oid: number; len: number; typmod: number; format: number }[];
  /** Text-format fields as strings, binary-format fields as hex. */
  rows: (string | null)[][];
}

/** A comparable summary of the column descriptions and rows. */
export function summarize(r: WireResult): Summary {
  if (r.error) return { error: `${r.error.C}: ${r.error.M}`, columns: [], rows: [] };
  return {
    columns: r.fields.map((f) => ({ oid: f.typeOid, len: f.typeLen, typmod: f.typeMod, format: f.format })),
    rows: r.rows.map((row) => row.map((b, i) => (b === null ? null : r.fields[i]?.format === 1 ? b.toString('hex') : b.toString('utf8')))),
  };
}

export async function connectLakegres(port: number): Promise<RawClient> {
  return RawClient.connect({ port });
}

export async function connectReference(port: number): Promise<RawClient> {
  return RawClient.connect({ port, user: 'postgres', database: 'postgres', password: 'postgres' });
}

/** Session settings that change how values are rendered, each given as the SET statement that sets it. */
export type SettingKey = 'timezone' | 'intervalstyle' | 'extra_float_digits' | 'bytea_output';
export type Settings = Partial<Record<SettingKey, string>>;

export const DEFAULT_SETTINGS: Record<SettingKey, string> = {
  timezone: "SET TimeZone = 'UTC'",
  intervalstyle: 'SET IntervalStyle = postgres',
  extra_float_digits: 'SET extra_float_digits = 1',
  bytea_output: 'SET bytea_output = hex',
};

/** A value to run on both servers: DuckDB SQL for lakegres, PostgreSQL SQL for the reference. */
export interface TypeCase {
  name: string;
  lg: string;
  pg: string;
  settings?: Settings;
  formats?: (0 | 1)[];
  /** Bind parameters (strings in text format, Buffers in binary format). */
  params?: (string | Buffer | null)[];
  paramTypes?: number[];
  /**
   * PostgreSQL SQL whose binary result becomes the (only) binary parameter: the reference's own
   * send format of the value, sent to both servers.
   */
  binaryParamFrom?: string;
}

/** A case whose SQL is the same on both sides. */
export const same = (name: string, sql: string, extra: Partial<TypeCase> = {}): TypeCase => ({ name, lg: sql, pg: sql, ...extra });

/** A lakegres connection and a reference connection, with the settings applied so far. */
export class Pair {
  private applied = new Map<RawClient, Record<SettingKey, string>>();

  private constructor(
    readonly lg: RawClient,
    readonly pg: RawClient,
  ) {}

  static async open(lakegresPort: number, referencePort: number): Promise<Pair> {
    const p = new Pair(await connectLakegres(lakegresPort), await connectReference(referencePort));
    for (const c of [p.lg, p.pg]) {
      for (const s of Object.values(DEFAULT_SETTINGS)) await simple(c, s);
      p.applied.set(c, { ...DEFAULT_SETTINGS });
    }
    return p;
  }

  /** Applies the settings (defaults for those not given) on both connections. */
  async settings(s: Settings = {}): Promise<void> {
    for (const c of [this.lg, this.pg]) {
      const cur = this.applied.get(c)!;
      for (const key of Object.keys(DEFAULT_SETTINGS) as SettingKey[]) {
        const want = s[key] ?? DEFAULT_SETTINGS[key];
        if (cur[key] !== want) {
          await simple(c, want);
          cur[key] = want;
        }
      }
    }
  }

  async run(side: 'lg' | 'pg', sql: string, opts: RunOptions = {}): Promise<WireResult> {
    return runExtended(side === 'lg' ? this.lg : this.pg, sql, opts);
  }

  /**
   * Runs the case in each result format and expects identical wire results. The reference must
   * answer with at least one row (a case PostgreSQL rejects proves nothing).
   */
  async compare(c: TypeCase): Promise<void> {
    await this.settings(c.settings);
    let params = c.params;
    let paramTypes = c.paramTypes;
    if (c.binaryParamFrom !== undefined) {
      const src = await this.run('pg', c.binaryParamFrom, { format: 1 });
      expect(src.error, `reference rejected ${c.binaryParamFrom}`).toBeUndefined();
      params = [src.rows[0]![0]!];
      paramTypes = paramTypes ?? [src.fields[0]!.typeOid];
    }
    for (const format of c.formats ?? [0, 1]) {
      const opts: RunOptions = { format, ...(params ? { params } : {}), ...(paramTypes ? { paramTypes } : {}) };
      const want = summarize(await this.run('pg', c.pg, opts));
      expect(want.error, `reference rejected: ${c.pg}`).toBeUndefined();
      expect(want.rows.length, `reference returned no row: ${c.pg}`).toBeGreaterThan(0);
      const got = summarize(await this.run('lg', c.lg, opts));
      expect(got, `${c.name} [${format ? 'binary' : 'text'}]: ${c.lg}`).toEqual(want);
    }
  }

  /**
   * Runs a case the reference rejects and expects lakegres to reject it with the same SQLSTATE
   * (and, with `sameMessage`, the same message).
   */
  async compareError(c: TypeCase, sameMessage = false): Promise<void> {
    await this.settings(c.settings);
    const opts: RunOptions = { ...(c.params ? { params: c.params } : {}), ...(c.paramTypes ? { paramTypes: c.paramTypes } : {}) };
    const want = await this.run('pg', c.pg, opts);
    expect(want.error, `the reference accepted: ${c.pg}`).toBeDefined();
    const got = await this.run('lg', c.lg, opts);
    expect(got.error, `lakegres accepted: ${c.lg}`).toBeDefined();
    const pick = (e: Record<string, string>) => (sameMessage ? { code: e.C, message: e.M } : { code: e.C });
    expect(pick(got.error!), c.name).toEqual(pick(want.error!));
  }

  /** Both sides' results of a SHOW (or any one-value statement) in text format. */
  async compareText(lgSql: string, pgSql = lgSql): Promise<void> {
    const want = summarize(await this.run('pg', pgSql));
    expect(want.error).toBeUndefined();
    const got = summarize(await this.run('lg', lgSql));
    expect(got.rows, lgSql).toEqual(want.rows);
  }

  close(): void {
    this.lg.end();
    this.pg.end();
  }
}
