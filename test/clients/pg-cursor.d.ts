/** The part of pg-cursor's API the client tests use (the package ships no type declarations). */
declare module 'pg-cursor' {
  import type { Submittable } from 'pg';
  export default class Cursor<Row = any> implements Submittable {
    constructor(text: string, values?: unknown[], config?: { rowMode?: 'array'; types?: unknown });
    submit(connection: unknown): void;
    read(rows: number): Promise<Row[]>;
    close(): Promise<void>;
  }
}
