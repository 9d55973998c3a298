/** Shape of the generated static catalog data (pg16-data.ts). */

/** One catalog table as PostgreSQL holds it: columns (name, PostgreSQL type) and JSON rows. */
export interface StaticTable {
  name: string;
  columns: [string, string][];
  rows: unknown[][];
}
