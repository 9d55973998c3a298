/**
 * The data sets, generated with DuckDB SQL only (range() and hash(), deterministic): lakegres and
 * the embedded DuckDB run the generating SQL themselves (lakegres through the wire: CREATE
 * TABLE AS and INSERT ... SELECT); PostgreSQL gets the very same rows as CSV exported by the
 * embedded DuckDB and sent with COPY FROM STDIN.
 */
import path from 'node:path';
import { rmSync } from 'node:fs';
import type { Ctx } from './context.js';
import { ensureControl } from './context.js';
import { errorText, now, type Cell, type Metric, type System } from './harness.js';
import { copyFromFile } from './pgwire.js';

export interface TableSpec {
  name: string;
  /** DuckDB SELECT producing the rows. */
  gen: string;
  /** Column list with types both PostgreSQL and DuckDB accept. */
  columns: string;
  /** PostgreSQL statements after the load (keys, statistics). */
  pgAfter: string[];
  /** How lakegres and DuckDB create it: CREATE TABLE AS, or CREATE TABLE + INSERT ... SELECT. */
  via: 'ctas' | 'insert';
}

export function pointsSpec(rows: number): TableSpec {
  return {
    name: 'points',
    gen: `SELECT i::BIGINT AS id, (hash(i) % 1000)::INTEGER AS k, (hash(i + 1000000007) % 100)::INTEGER AS g,
            ((hash(i + 2000000011) % 10000000)::DOUBLE / 100) AS v, md5(i::VARCHAR) AS s
          FROM range(${rows}) t(i)`,
    columns: 'id bigint, k integer, g integer, v double precision, s text',
    pgAfter: ['ALTER TABLE points ADD PRIMARY KEY (id)', 'VACUUM ANALYZE points'],
    via: 'ctas',
  };
}

/** The narrow streamed table of issue 2 §7: int4, int8, float8 and a short text. */
export function narrowSpec(rows: number): TableSpec {
  return {
    name: 'narrow',
    gen: `SELECT (hash(i) % 1000000)::INTEGER AS a, i::BIGINT AS id, (hash(i + 1) % 100000000)::DOUBLE / 1000 AS f, substr(md5(i::VARCHAR), 1, 8) AS s
          FROM range(${rows}) t(i)`,
    columns: 'a integer, id bigint, f double precision, s text',
    pgAfter: ['VACUUM ANALYZE narrow'],
    via: 'ctas',
  };
}

/** The wide streamed table of issue 2 §7: 30 columns of mixed types (some with NULLs). */
export function wideSpec(rows: number): TableSpec {
  const cols: [string, string, string][] = [
    ['id', 'bigint', 'i::BIGINT'],
    ['c_int2', 'smallint', '(hash(i) % 30000)::SMALLINT'],
    ['c_int4', 'integer', '(hash(i + 1) % 2000000000)::INTEGER'],
    ['c_int8', 'bigint', '(hash(i + 2) % 9000000000000000000)::BIGINT'],
    ['c_float4', 'real', '((hash(i + 3) % 1000000)::DOUBLE / 1000)::REAL'],
    ['c_float8', 'double precision', '(hash(i + 4) % 1000000000)::DOUBLE / 7'],
    ['c_num', 'numeric(15,2)', '((hash(i + 5) % 100000000)::DOUBLE / 100)::DECIMAL(15,2)'],
    ['c_num6', 'numeric(18,6)', '((hash(i + 6) % 1000000000000)::DOUBLE / 1000000)::DECIMAL(18,6)'],
    ['c_bool', 'boolean', '(hash(i + 7) % 2 = 0)'],
    ['c_date', 'date', "DATE '2000-01-01' + (hash(i + 8) % 10000)::INTEGER"],
    ['c_ts', 'timestamp', "TIMESTAMP '2020-01-01' + to_microseconds((hash(i + 9) % 100000000000000)::BIGINT)"],
    ['c_tstz', 'timestamptz', "TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_seconds((hash(i + 10) % 100000000)::BIGINT)"],
    ['c_time', 'time', "TIME '00:00:00' + to_seconds((hash(i + 11) % 86400)::BIGINT)"],
    ['c_interval', 'interval', 'to_seconds((hash(i + 12) % 1000000)::BIGINT)'],
    ['c_uuid', 'uuid', 'md5(i::VARCHAR)::UUID'],
    ['c_code', 'text', 'substr(md5((i + 1)::VARCHAR), 1, 6)'],
    ['c_name', 'text', "'name ' || (hash(i + 13) % 100000)::VARCHAR"],
    ['c_long', 'text', 'md5(i::VARCHAR) || md5((i + 2)::VARCHAR)'],
    ['c_json', 'json', `('{"k": ' || (hash(i + 14) % 1000)::VARCHAR || ', "tag": "t' || (i % 10)::VARCHAR || '"}')::JSON`],
    ['c_int_null', 'integer', 'CASE WHEN i % 7 = 0 THEN NULL ELSE (hash(i + 15) % 1000)::INTEGER END'],
    ['c_text_null', 'text', "CASE WHEN i % 5 = 0 THEN NULL ELSE 'v' || (i % 1000)::VARCHAR END"],
    ['c_int4_b', 'integer', '(hash(i + 16) % 100000)::INTEGER - 50000'],
    ['c_int8_b', 'bigint', '(hash(i + 17) % 1000000000000)::BIGINT'],
    ['c_float8_b', 'double precision', '(hash(i + 18) % 1000)::DOUBLE / 8'],
    ['c_num_b', 'numeric(12,3)', '((hash(i + 19) % 1000000000)::DOUBLE / 1000)::DECIMAL(12,3)'],
    ['c_bool_b', 'boolean', 'i % 3 = 0'],
    ['c_date_b', 'date', "DATE '1990-01-01' + (i % 20000)::INTEGER"],
    ['c_ts_b', 'timestamp', "TIMESTAMP '2024-01-01' + to_seconds(i::BIGINT)"],
    ['c_tstz_null', 'timestamptz', "CASE WHEN i % 4 = 0 THEN NULL ELSE TIMESTAMPTZ '2024-06-01 12:00:00+00' + to_seconds((hash(i + 20) % 10000000)::BIGINT) END"],
    ['c_status', 'text', "(['new', 'open', 'closed', 'archived'])[(i % 4)::INTEGER + 1]"],
  ];
  return {
    name: 'wide',
    gen: `SELECT ${cols.map(([n, , e]) => `${e} AS ${n}`).join(',\n            ')}\n          FROM range(${rows}) t(i)`,
    columns: cols.map(([n, t]) => `${n} ${t}`).join(', '),
    pgAfter: ['VACUUM ANALYZE wide'],
    via: 'ctas',
  };
}

/** Loads a table once into the three systems (shared by the workloads that use it). */
export async function ensureTable(ctx: Ctx, spec: TableSpec): Promise<Partial<Record<System, string>>> {
  const have = ctx.loaded.get(spec.name);
  if (have) return have;
  const r = await loadTables(ctx, [spec], spec.name);
  ctx.loaded.set(spec.name, r.errors);
  return r.errors;
}

/**
 * TPC-H scale factor from the nominal lineitem size (6,000,000 x SF rows, as TPC-H), and the
 * row counts of the other tables at that scale factor.
 */
export function tpchCounts(lineitemRows: number) {
  const sf = lineitemRows / 6_000_000;
  const n = (base: number, min: number) => Math.max(min, Math.round(base * sf));
  const orders = n(1_500_000, 1_000);
  const part = n(200_000, 200);
  return { sf, lineitem: orders * 4, orders, customer: n(150_000, 150), part, partsupp: part * 4, supplier: n(10_000, 20), clerks: n(1_000, 1) };
}

const list = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
const pick = (xs: string[], h: string) => `(${list(xs)})[(${h} % ${xs.length})::INTEGER + 1]`;

// Word lists of TPC-H's dbgen (clause 4.2.2.13 and 4.2.3): p_name colours, p_type and
// p_container syllables, the text grammar's words for the comment columns.
const COLORS = (
  'almond antique aquamarine azure beige bisque black blanched blue blush brown burlywood burnished chartreuse chiffon chocolate coral ' +
  'cornflower cornsilk cream cyan dark deep dim dodger drab firebrick floral forest frosted gainsboro ghost goldenrod green grey honeydew ' +
  'hot indian ivory khaki lace lavender lawn lemon light lime linen magenta maroon medium metallic midnight mint misty moccasin navajo navy ' +
  'olive orange orchid pale papaya peach peru pink plum powder puff purple red rose rosy royal saddle salmon sandy seashell sienna sky slate ' +
  'smoke snow spring steel tan thistle tomato turquoise violet wheat white yellow'
).split(' ');
const TYPE1 = ['STANDARD', 'SMALL', 'MEDIUM', 'LARGE', 'ECONOMY', 'PROMO'];
const TYPE2 = ['ANODIZED', 'BURNISHED', 'PLATED', 'POLISHED', 'BRUSHED'];
const TYPE3 = ['TIN', 'NICKEL', 'BRASS', 'STEEL', 'COPPER'];
const CONTAINER1 = ['SM', 'LG', 'MED', 'JUMBO', 'WRAP'];
const CONTAINER2 = ['CASE', 'BOX', 'BAG', 'JAR', 'PKG', 'PACK', 'CAN', 'DRUM'];
const SEGMENTS = ['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD'];
const PRIORITIES = ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'];
const INSTRUCTIONS = ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'];
const MODES = ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'];
const REGIONS = ['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST'];
const NATIONS: [string, number][] = [
  ['ALGERIA', 0],
  ['ARGENTINA', 1],
  ['BRAZIL', 1],
  ['CANADA', 1],
  ['EGYPT', 4],
  ['ETHIOPIA', 0],
  ['FRANCE', 3],
  ['GERMANY', 3],
  ['INDIA', 2],
  ['INDONESIA', 2],
  ['IRAN', 4],
  ['IRAQ', 4],
  ['JAPAN', 2],
  ['JORDAN', 4],
  ['KENYA', 0],
  ['MOROCCO', 0],
  ['MOZAMBIQUE', 0],
  ['PERU', 1],
  ['CHINA', 2],
  ['ROMANIA', 3],
  ['SAUDI ARABIA', 4],
  ['VIETNAM', 2],
  ['RUSSIA', 3],
  ['UNITED KINGDOM', 3],
  ['UNITED STATES', 1],
];
// The grammar's parts of speech; the first nouns and adjectives are repeated, as dbgen weighs them higher.
const NOUNS = (
  'packages requests accounts deposits packages requests accounts deposits foxes ideas theodolites pinto_beans instructions dependencies ' +
  'excuses platelets asymptotes courts dolphins multipliers sauternes warthogs frets dinos attainments somas Tiresias patterns forges braids ' +
  'hockey_players frays warhorses dugouts notornis epitaphs pearls tithes waters orbits gifts sheaves depths sentiments decoys realms pains grouches escapades'
)
  .split(' ')
  .map((w) => w.replace('_', ' '));
const VERBS = (
  'sleep wake are cajole haggle nag use boost affix detect integrate maintain nod was lose sublate solve thrash promise engage hinder ' +
  'print x-ray breach eat grow impress mold poach serve run dazzle snooze doze unwind kindle play hang believe doubt'
).split(' ');
const ADJECTIVES = (
  'special pending unusual express special pending unusual express furious sly careful blithe quick fluffy slow quiet ruthless thin close ' +
  'dogged daring brave stealthy permanent enticing idle busy regular final ironic even bold silent'
).split(' ');
const ADVERBS = (
  'sometimes always never furiously slyly carefully blithely quickly fluffily slowly quietly ruthlessly thinly closely doggedly daringly ' +
  'bravely stealthily permanently enticingly idly busily regularly finally ironically evenly boldly silently'
).split(' ');
const PREPOSITIONS = (
  'about above according_to across after against along among around at atop before behind beneath beside between beyond by despite during ' +
  'except for from inside into near of on outside over past since through throughout to toward under until up upon with within without'
)
  .split(' ')
  .map((w) => w.replace('_', ' '));
/** One sentence of the grammar: adjective noun verb adverb preposition the adjective noun. */
const SENTENCE: string[][] = [ADJECTIVES, NOUNS, VERBS, ADVERBS, PREPOSITIONS, ['the'], ADJECTIVES, NOUNS];

/**
 * Seeded hash: `key` an expression (BIGINT), `col` a number below 1024 unique to a table's
 * column, `j` below 128 for a value's parts. One argument: DuckDB combines the hashes of several
 * arguments in a way that keeps their low bits correlated (hash(k, 1) % 4 follows hash(k, 2) % 4).
 */
const h = (key: string, col: number, j?: number) => (j === undefined ? `hash(${key} * 1024 + ${col})` : `hash((${key} * 1024 + ${col}) * 128 + ${j})`);

/**
 * A comment: `words` words of the grammar (sentences end with a period), cut to a length
 * between minLen and maxLen (dbgen also cuts its text mid-word).
 */
function text(key: string, col: number, words: number, minLen: number, maxLen: number): string {
  const parts: string[] = [];
  for (let j = 0; j < words; j++) {
    const slot = SENTENCE[j % SENTENCE.length]!;
    const w = slot.length === 1 ? `'${slot[0]}'` : pick(slot, h(key, col, j));
    parts.push(j % SENTENCE.length === SENTENCE.length - 1 || j === words - 1 ? `${w} || '.'` : w);
  }
  return `left(concat_ws(' ', ${parts.join(', ')}), ${minLen} + (${h(key, col, 99)} % ${maxLen - minLen + 1})::INTEGER)`;
}

/** A random alphanumeric string of 10 to 40 characters (addresses). */
const address = (key: string, col: number) => `left(md5(${h(key, col)}::VARCHAR) || md5(${h(key, col + 1)}::VARCHAR), 10 + (${h(key, col + 2)} % 31)::INTEGER)`;

/** A phone number whose country code is nationkey + 10 (Q22 selects on it). */
const phone = (key: string, col: number, nation: string) =>
  `(${nation} + 10)::VARCHAR || '-' || (100 + ${h(key, col)} % 900)::VARCHAR || '-' || (100 + ${h(key, col + 1)} % 900)::VARCHAR || '-' || (1000 + ${h(key, col + 2)} % 9000)::VARCHAR`;

/** An account balance from -999.99 to 9999.99. */
const acctbal = (key: string, col: number) => fromCents(`(${h(key, col)} % 1099999)::BIGINT - 99999`);

/** TPC-H's p_retailprice in cents, a function of the part key. */
const retailCents = (pk: string) => `(90000 + (${pk} // 10) % 20001 + 100 * (${pk} % 1000))`;

/** The i-th (0..3) supplier of part `pk` (TPC-H's partsupp rule; lineitem picks one of them). */
const partSupp = (pk: string, i: string, suppliers: number) => `((${pk} + ${i} * (${Math.floor(suppliers / 4)} + (${pk} - 1) // ${suppliers})) % ${suppliers} + 1)`;

/** DuckDB's money type (and PostgreSQL's numeric(15,2)). */
const money = 'DECIMAL(15,2)';
/** An amount of money from an integer number of cents (exact). */
const fromCents = (cents: string) => `((${cents})::DECIMAL(18,0) / 100)::${money}`;

const CURRENT_DATE = "DATE '1995-06-17'";

/**
 * The line items of orders 1..orders with every value a column of lineitem or an aggregate of
 * orders needs: o (order key), l (line number), od (order date), pk, sk, q, price cents, disc,
 * tax, sd/cd/rd (ship, commit, receipt dates). 1 to 7 lines per order (4 on average).
 */
function lineRows(n: ReturnType<typeof tpchCounts>): string {
  const lh = (c: number) => h('k', c);
  return `SELECT o, l, k, od, pk, ${partSupp('pk', `(${lh(602)} % 4)::BIGINT`, n.supplier)} AS sk, q, ${retailCents('pk')} AS cents,
              ${fromCents(`${lh(603)} % 11`)} AS disc, ${fromCents(`${lh(604)} % 9`)} AS tax,
              sd, od + (30 + ${lh(606)} % 61)::INTEGER AS cd, sd + (1 + ${lh(607)} % 30)::INTEGER AS rd
            FROM (SELECT o, l, k, od, (1 + ${lh(600)} % ${n.part})::BIGINT AS pk, (1 + ${lh(601)} % 50)::BIGINT AS q, od + (1 + ${lh(605)} % 121)::INTEGER AS sd
                  FROM (SELECT o, l, o * 8 + l AS k, DATE '1992-01-01' + (${h('o', 501)} % 2406)::INTEGER AS od
                        FROM (SELECT i // 7 + 1 AS o, i % 7 + 1 AS l FROM range(${n.orders * 7}) t(i)) a
                        WHERE l <= 1 + ${h('o', 500)} % 7) b) c`;
}

/**
 * The TPC-H tables (all columns of the spec) at the scale factor lineitemRows / 6,000,000,
 * with dbgen's value rules where the 22 queries depend on them: nation and region names, part
 * names of colours, types, brands, containers and sizes, 4 suppliers per part (lineitem uses
 * one of its part's), customer keys divisible by 3 without orders, order status from its
 * lines' statuses, total price from its lines, ship/commit/receipt dates, return flags and line
 * statuses relative to 1995-06-17, phone country codes, supplier comments with "Customer ...
 * Complaints" / "Recommends". Order keys are dense (dbgen leaves gaps). CHAR(n) columns longer
 * than one character are varchar(n), so that PostgreSQL returns them unpadded like DuckDB.
 */
export function tpchSpecs(lineitemRows: number): TableSpec[] {
  const n = tpchCounts(lineitemRows);
  const lineStatus = `CASE WHEN sd > ${CURRENT_DATE} THEN 'O' ELSE 'F' END`;
  return [
    {
      name: 'region',
      gen: `SELECT r::INTEGER AS r_regionkey, ${list(REGIONS)}[r + 1] AS r_name, ${text('r', 700, 12, 31, 115)} AS r_comment FROM range(5) t(r)`,
      columns: 'r_regionkey integer, r_name varchar(25), r_comment varchar(152)',
      pgAfter: ['ALTER TABLE region ADD PRIMARY KEY (r_regionkey)'],
      via: 'ctas',
    },
    {
      name: 'nation',
      gen: `SELECT x::INTEGER AS n_nationkey, ${list(NATIONS.map(([nm]) => nm))}[x + 1] AS n_name, [${NATIONS.map(([, r]) => r).join(', ')}][x + 1]::INTEGER AS n_regionkey,
              ${text('x', 710, 12, 31, 114)} AS n_comment FROM range(25) t(x)`,
      columns: 'n_nationkey integer, n_name varchar(25), n_regionkey integer, n_comment varchar(152)',
      pgAfter: ['ALTER TABLE nation ADD PRIMARY KEY (n_nationkey)', 'CREATE INDEX ON nation (n_regionkey)'],
      via: 'ctas',
    },
    {
      name: 'supplier',
      gen: `SELECT s::INTEGER AS s_suppkey, 'Supplier#' || lpad(s::VARCHAR, 9, '0') AS s_name, ${address('s', 101)} AS s_address, nk AS s_nationkey,
              ${phone('s', 104, 'nk')} AS s_phone, ${acctbal('s', 107)} AS s_acctbal,
              CASE s % 2000 WHEN 7 THEN left(${text('s', 109, 3, 10, 40)}, 20) || ' Customer ' || ${pick(VERBS, h('s', 110))} || ' Complaints'
                                        WHEN 1007 THEN left(${text('s', 109, 3, 10, 40)}, 20) || ' Customer ' || ${pick(VERBS, h('s', 110))} || ' Recommends'
                                        ELSE ${text('s', 109, 10, 25, 100)} END AS s_comment
            FROM (SELECT s, (${h('s', 100)} % 25)::INTEGER AS nk FROM range(1, ${n.supplier + 1}) t(s)) a`,
      columns: 's_suppkey integer, s_name varchar(25), s_address varchar(40), s_nationkey integer, s_phone varchar(15), s_acctbal numeric(15,2), s_comment varchar(101)',
      pgAfter: ['ALTER TABLE supplier ADD PRIMARY KEY (s_suppkey)', 'CREATE INDEX ON supplier (s_nationkey)'],
      via: 'ctas',
    },
    {
      name: 'customer',
      gen: `SELECT c::INTEGER AS c_custkey, 'Customer#' || lpad(c::VARCHAR, 9, '0') AS c_name, ${address('c', 201)} AS c_address, nk AS c_nationkey,
              ${phone('c', 204, 'nk')} AS c_phone, ${acctbal('c', 207)} AS c_acctbal, ${pick(SEGMENTS, h('c', 208))} AS c_mktsegment,
              ${text('c', 209, 12, 29, 116)} AS c_comment
            FROM (SELECT c, (${h('c', 200)} % 25)::INTEGER AS nk FROM range(1, ${n.customer + 1}) t(c)) a`,
      columns: 'c_custkey integer, c_name varchar(25), c_address varchar(40), c_nationkey integer, c_phone varchar(15), c_acctbal numeric(15,2), c_mktsegment varchar(10), c_comment varchar(117)',
      pgAfter: ['ALTER TABLE customer ADD PRIMARY KEY (c_custkey)', 'CREATE INDEX ON customer (c_nationkey)'],
      via: 'ctas',
    },
    {
      name: 'part',
      // p_name: 5 different colours (a start and a step coprime with 92).
      gen: `SELECT p::INTEGER AS p_partkey,
              concat_ws(' ', ${[0, 1, 2, 3, 4].map((j) => `${list(COLORS)}[((w0 + ${j} * step) % ${COLORS.length})::INTEGER + 1]`).join(', ')}) AS p_name,
              'Manufacturer#' || m::VARCHAR AS p_mfgr, 'Brand#' || m::VARCHAR || (1 + ${h('p', 303)} % 5)::VARCHAR AS p_brand,
              ${pick(TYPE1, h('p', 304))} || ' ' || ${pick(TYPE2, h('p', 305))} || ' ' || ${pick(TYPE3, h('p', 306))} AS p_type,
              (1 + ${h('p', 307)} % 50)::INTEGER AS p_size, ${pick(CONTAINER1, h('p', 308))} || ' ' || ${pick(CONTAINER2, h('p', 309))} AS p_container,
              ${fromCents(retailCents('p'))} AS p_retailprice, ${text('p', 310, 3, 5, 22)} AS p_comment
            FROM (SELECT p, ${h('p', 300)} % ${COLORS.length} AS w0,
                    ([${Array.from({ length: 46 }, (_, i) => 2 * i + 1)
                      .filter((d) => d % 23 !== 0)
                      .join(', ')}])[(${h('p', 301)} % 44)::INTEGER + 1] AS step,
                    1 + ${h('p', 302)} % 5 AS m
                  FROM range(1, ${n.part + 1}) t(p)) a`,
      columns:
        'p_partkey integer, p_name varchar(55), p_mfgr varchar(25), p_brand varchar(10), p_type varchar(25), p_size integer, p_container varchar(10), p_retailprice numeric(15,2), p_comment varchar(23)',
      pgAfter: ['ALTER TABLE part ADD PRIMARY KEY (p_partkey)'],
      via: 'ctas',
    },
    {
      name: 'partsupp',
      gen: `SELECT pk::INTEGER AS ps_partkey, ${partSupp('pk', 'i', n.supplier)}::INTEGER AS ps_suppkey, (1 + ${h('j', 400)} % 9999)::INTEGER AS ps_availqty,
              ${fromCents(`100 + ${h('j', 401)} % 99901`)} AS ps_supplycost, ${text('j', 402, 24, 49, 198)} AS ps_comment
            FROM (SELECT j, j // 4 + 1 AS pk, j % 4 AS i FROM range(${n.partsupp}) t(j)) a`,
      columns: 'ps_partkey integer, ps_suppkey integer, ps_availqty integer, ps_supplycost numeric(15,2), ps_comment varchar(199)',
      pgAfter: ['ALTER TABLE partsupp ADD PRIMARY KEY (ps_partkey, ps_suppkey)', 'CREATE INDEX ON partsupp (ps_suppkey)'],
      via: 'ctas',
    },
    {
      name: 'orders',
      // Customer keys divisible by 3 get no orders: the r-th key not divisible by 3 is r + r // 2 + 1.
      gen: `SELECT o::INTEGER AS o_orderkey, (r + r // 2 + 1)::INTEGER AS o_custkey, st AS o_orderstatus, tp AS o_totalprice, od AS o_orderdate,
              ${pick(PRIORITIES, h('o', 503))} AS o_orderpriority, 'Clerk#' || lpad((1 + ${h('o', 504)} % ${n.clerks})::VARCHAR, 9, '0') AS o_clerk,
              0::INTEGER AS o_shippriority, ${text('o', 505, 10, 19, 78)} AS o_comment
            FROM (SELECT o, min(od) AS od, ${h('o', 502)} % ${n.customer - Math.floor(n.customer / 3)} AS r,
                    CASE WHEN min(${lineStatus}) = max(${lineStatus}) THEN min(${lineStatus}) ELSE 'P' END AS st,
                    round(sum(${fromCents('q * cents')} * (1 + tax) * (1 - disc)), 2)::${money} AS tp
                  FROM (${lineRows(n)}) x GROUP BY o) g
            ORDER BY o`,
      columns:
        'o_orderkey integer, o_custkey integer, o_orderstatus char(1), o_totalprice numeric(15,2), o_orderdate date, o_orderpriority varchar(15), o_clerk varchar(15), o_shippriority integer, o_comment varchar(79)',
      pgAfter: ['ALTER TABLE orders ADD PRIMARY KEY (o_orderkey)', 'CREATE INDEX ON orders (o_custkey)'],
      via: 'ctas',
    },
    {
      name: 'lineitem',
      gen: `SELECT o::INTEGER AS l_orderkey, pk::INTEGER AS l_partkey, sk::INTEGER AS l_suppkey, l::INTEGER AS l_linenumber, q::${money} AS l_quantity,
              ${fromCents('q * cents')} AS l_extendedprice, disc AS l_discount, tax AS l_tax,
              CASE WHEN rd <= ${CURRENT_DATE} THEN ${pick(['R', 'A'], h('k', 608))} ELSE 'N' END AS l_returnflag, ${lineStatus} AS l_linestatus,
              sd AS l_shipdate, cd AS l_commitdate, rd AS l_receiptdate, ${pick(INSTRUCTIONS, h('k', 609))} AS l_shipinstruct,
              ${pick(MODES, h('k', 610))} AS l_shipmode, ${text('k', 611, 5, 10, 43)} AS l_comment
            FROM (${lineRows(n)}) x`,
      columns:
        'l_orderkey integer, l_partkey integer, l_suppkey integer, l_linenumber integer, l_quantity numeric(15,2), l_extendedprice numeric(15,2), ' +
        'l_discount numeric(15,2), l_tax numeric(15,2), l_returnflag char(1), l_linestatus char(1), l_shipdate date, l_commitdate date, l_receiptdate date, ' +
        'l_shipinstruct varchar(25), l_shipmode varchar(10), l_comment varchar(44)',
      pgAfter: ['ALTER TABLE lineitem ADD PRIMARY KEY (l_orderkey, l_linenumber)', 'CREATE INDEX ON lineitem (l_partkey)', 'CREATE INDEX ON lineitem (l_suppkey)'],
      via: 'insert',
    },
  ];
}

const createSql = (t: TableSpec) => (t.via === 'ctas' ? [`CREATE TABLE ${t.name} AS ${t.gen}`] : [`CREATE TABLE ${t.name} (${t.columns})`, `INSERT INTO ${t.name} ${t.gen}`]);

export interface LoadTimes {
  /** ms per table and system (undefined when it failed). */
  perTable: Map<string, Partial<Record<System, Cell>>>;
  /** PostgreSQL's keys and ANALYZE after the COPY. */
  pgAfterMs?: number;
  errors: Partial<Record<System, string>>;
}

/**
 * Loads tables into all three systems (each system independently: a failure in one is
 * recorded and the others go on). Times each table's load per system.
 */
export async function loadTables(ctx: Ctx, tables: TableSpec[], label: string): Promise<LoadTimes> {
  const perTable = new Map<string, Partial<Record<System, Cell>>>();
  const errors: Partial<Record<System, string>> = {};
  for (const t of tables) perTable.set(t.name, {});

  // lakegres, through the wire: the generating SQL runs in the server.
  const lgc = await ensureControl(ctx, 'lakegres');
  for (const t of tables) {
    if (errors.lakegres) break;
    try {
      await lgc.query(`DROP TABLE IF EXISTS ${t.name}`);
      const start = now();
      for (const sql of createSql(t)) await lgc.query(sql);
      perTable.get(t.name)!.lakegres = { value: now() - start, note: t.via === 'ctas' ? 'CTAS' : 'INSERT…SELECT' };
    } catch (e) {
      errors.lakegres = `${t.name}: ${errorText(e)}`;
      perTable.get(t.name)!.lakegres = { error: errors.lakegres };
    }
  }
  ctx.log(`${label}: lakegres loaded`);

  // DuckDB, in-process, same statements.
  for (const t of tables) {
    try {
      await ctx.duck.conn.run(`DROP TABLE IF EXISTS ${t.name}`);
      const start = now();
      for (const sql of createSql(t)) await ctx.duck.conn.run(sql);
      perTable.get(t.name)!.duckdb = { value: now() - start, note: t.via === 'ctas' ? 'CTAS' : 'INSERT…SELECT' };
    } catch (e) {
      errors.duckdb = `${t.name}: ${errorText(e)}`;
      perTable.get(t.name)!.duckdb = { error: errors.duckdb };
    }
  }
  ctx.log(`${label}: DuckDB loaded`);

  // PostgreSQL: CSV exported by DuckDB (not timed), COPY FROM STDIN through the wire (timed).
  const pgc = await ensureControl(ctx, 'postgres');
  let pgAfterMs: number | undefined;
  try {
    for (const t of tables) {
      const file = path.join(ctx.tmp, `${t.name}.csv`);
      await ctx.duck.conn.run(`COPY (${t.gen}) TO '${file}' (FORMAT csv, HEADER false)`);
      await pgc.query(`DROP TABLE IF EXISTS ${t.name}`);
      await pgc.query(`CREATE TABLE ${t.name} (${t.columns})`);
      const start = now();
      await copyFromFile(pgc, `COPY ${t.name} FROM STDIN WITH (FORMAT csv)`, file);
      perTable.get(t.name)!.postgres = { value: now() - start, note: 'COPY csv' };
      rmSync(file, { force: true });
    }
    const start = now();
    for (const t of tables) for (const sql of t.pgAfter) await pgc.query(sql);
    await pgc.query(`ANALYZE ${tables.map((t) => t.name).join(', ')}`);
    pgAfterMs = now() - start;
  } catch (e) {
    errors.postgres = errorText(e);
  }
  ctx.log(`${label}: PostgreSQL loaded`);
  return { perTable, pgAfterMs, errors };
}

/** Loads `points` once (shared by the point-query and row-change workloads). */
export async function ensurePoints(ctx: Ctx): Promise<Partial<Record<System, string>>> {
  const have = ctx.loaded.get('points');
  if (have) return have;
  const r = await loadTables(ctx, [pointsSpec(ctx.sizes.points)], 'points');
  ctx.loaded.set('points', r.errors);
  return r.errors;
}

/** Loads the TPC-H tables once; their load timings go into the analytical workload's table. */
export async function ensureTpch(ctx: Ctx): Promise<Partial<Record<System, string>>> {
  const have = ctx.loaded.get('tpch');
  if (have) return have;
  const specs = tpchSpecs(ctx.sizes.lineitem);
  const r = await loadTables(ctx, specs, 'TPC-H');
  const sum = (s: System, names: string[]): Cell => {
    let total = 0;
    for (const n of names) {
      const c = r.perTable.get(n)?.[s];
      if (!c || c.value === undefined) return { error: c?.error ?? r.errors[s] ?? 'not loaded' };
      total += c.value;
    }
    return { value: total };
  };
  const counts = tpchCounts(ctx.sizes.lineitem);
  // 1 to 7 lines per order: the exact count is the generated one.
  let lineitems = counts.lineitem;
  try {
    lineitems = Number((await ctx.duck.conn.runAndReadAll('SELECT count(*) FROM lineitem')).getRowsJson()[0]![0]);
  } catch {
    // DuckDB's load failed: the expected count stands
  }
  const others = specs.filter((t) => t.name !== 'lineitem').map((t) => t.name);
  const otherRows = 5 + 25 + counts.supplier + counts.customer + counts.part + counts.partsupp + counts.orders;
  const lineitemRate = (s: System): Cell => {
    const c = r.perTable.get('lineitem')?.[s];
    return c?.value !== undefined ? { value: lineitems / (c.value / 1000), note: c.note } : { error: c?.error ?? 'not loaded' };
  };
  ctx.tpchLoad = [
    {
      name: `load lineitem (${lineitems.toLocaleString('en-US')} rows), single run`,
      unit: 'ms',
      better: 'lower',
      cells: { lakegres: r.perTable.get('lineitem')?.lakegres, duckdb: r.perTable.get('lineitem')?.duckdb, postgres: r.perTable.get('lineitem')?.postgres },
    },
    { name: 'load lineitem rate', unit: 'rows/s', better: 'higher', cells: { lakegres: lineitemRate('lakegres'), duckdb: lineitemRate('duckdb'), postgres: lineitemRate('postgres') } },
    {
      name: `load the other 7 tables (${otherRows.toLocaleString('en-US')} rows), single run`,
      unit: 'ms',
      better: 'lower',
      cells: {
        lakegres: { ...sum('lakegres', others), note: 'CTAS' },
        duckdb: { ...sum('duckdb', others), note: 'CTAS' },
        postgres: { ...sum('postgres', others), note: 'COPY csv' },
      },
    },
    {
      name: 'PostgreSQL primary keys, foreign-key indexes + ANALYZE after the load, single run',
      unit: 'ms',
      better: 'lower',
      cells: { postgres: r.pgAfterMs !== undefined ? { value: r.pgAfterMs } : { error: r.errors.postgres ?? 'failed' } },
      noSummary: true,
    },
  ];
  ctx.loaded.set('tpch', r.errors);
  return r.errors;
}
