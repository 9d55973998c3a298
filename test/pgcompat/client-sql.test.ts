/**
 * What clients send on their own (client-sql.ts): every statement runs on lakegres through the
 * rewrites and the emulated catalog and on the reference PostgreSQL 16, against the same
 * objects, and the answers are compared column by column: the same column names and types
 * (RowDescription type OIDs and modifiers), the same rows (OIDs of user objects, which differ by
 * nature, masked). lakegres runs with the reference's user and database name, so that
 * current_user, current_database() and owners agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startServer, type TestServer } from '../helpers/server.js';
import { createReferenceDb, type ReferenceDb } from '../clients/util.js';
import { CLIENT_SQL, CLIENT_SQL_SETUP } from './client-sql.js';

let srv: TestServer;
let ref: ReferenceDb;
let lg: pg.Client;
let pgc: pg.Client;

beforeAll(async () => {
  ref = await createReferenceDb('pgc_clients');
  srv = await startServer({ user: ref.target.user, database: [ref.target.database] });
  lg = await srv.client();
  const t = ref.target;
  pgc = new pg.Client({ host: t.host, port: t.port, user: t.user, password: t.password, database: t.database });
  await pgc.connect();
  for (const c of [lg, pgc]) for (const s of CLIENT_SQL_SETUP) await c.query(s);
});
afterAll(async () => {
  await pgc?.end();
  await srv?.stop();
  await ref?.drop();
});

/** The first OID PostgreSQL gives user objects: OIDs from here on differ between the systems. */
const FIRST_USER_OID = 16384;

/** An array as PostgreSQL's array text (node-postgres parses text[] but not aclitem[], oid[] of lakegres but not oidvector). */
function arrayText(a: unknown[]): string {
  const item = (v: unknown): string => {
    if (v === null) return 'NULL';
    if (Array.isArray(v)) return arrayText(v);
    const s = String(v);
    return s === '' || /[,{}"\\\s]/.test(s) || s.toUpperCase() === 'NULL' ? `"${s.replace(/["\\]/g, '\\$&')}"` : s;
  };
  return `{${a.map(item).join(',')}}`;
}

/** Rows as comparable text: values as strings (node-postgres parses oid and int8 differently), user OIDs masked. */
function normalize(rows: Record<string, unknown>[], oidColumns: RegExp, mask: string[] = []): string[] {
  const text = (v: unknown): unknown => (v === null || v === undefined ? null : Array.isArray(v) ? arrayText(v) : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return rows.map((r) =>
    JSON.stringify(
      Object.entries(r).map(([k, v]) => {
        if (mask.includes(k)) return [k, '<masked>'];
        const t = text(v);
        if (oidColumns.test(k) && typeof t === 'string' && /^\d+$/.test(t) && Number(t) >= FIRST_USER_OID) return [k, '<user oid>'];
        return [k, t];
      }),
    ),
  );
}

describe('SQL that clients send, compared with PostgreSQL', () => {
  for (const q of CLIENT_SQL) {
    it(`${q.client}: ${q.sql.replace(/\s+/g, ' ').slice(0, 70)}`, async () => {
      const [a, b] = await Promise.all([lg.query(q.sql, q.params), pgc.query(q.sql, q.params)]);
      expect(a.fields.map((f) => f.name)).toEqual(b.fields.map((f) => f.name));
      // RowDescription types too: catalog columns are oid, name, "char", xid, ... as in PostgreSQL.
      const types = (r: pg.QueryResult) => r.fields.map((f) => `${f.name} ${f.dataTypeID}(${f.dataTypeModifier})`);
      expect(types(a)).toEqual(types(b));
      if (q.differs) return;
      const oidColumns = q.oidColumns ?? /oid|^id$|_id$|relid/i;
      expect(normalize(a.rows, oidColumns, q.mask)).toEqual(normalize(b.rows, oidColumns, q.mask));
    });
  }

  it('version() is what SQLAlchemy and Grafana parse', async () => {
    const v = (await lg.query('select pg_catalog.version() AS v')).rows[0].v as string;
    expect(/PostgreSQL (\d+)\.(\d+)/.exec(v)?.slice(1)).toEqual(['16', '14']);
    expect((await lg.query("SELECT current_setting('server_version_num')::int/100 as version")).rows).toEqual([{ version: 1600 }]);
  });
});
