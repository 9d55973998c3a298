/**
 * The `changes_made` column of ducklake_snapshot_changes (§11.3): a comma-separated list of
 * kind:value entries, values being ids or double-quoted identifiers.
 */

export type ChangeKind =
  | 'created_schema'
  | 'created_table'
  | 'created_view'
  | 'created_scalar_macro'
  | 'created_table_macro'
  | 'dropped_schema'
  | 'dropped_table'
  | 'dropped_view'
  | 'dropped_scalar_macro'
  | 'dropped_table_macro'
  | 'inserted_into_table'
  | 'deleted_from_table'
  | 'altered_table'
  | 'altered_view'
  | 'inlined_insert'
  | 'inlined_delete'
  | 'inline_flush'
  | 'merge_adjacent'
  | 'rewrite_delete'
  | 'compacted_table';

export interface Change {
  kind: ChangeKind;
  /** An id, or the unquoted name parts ("schema"."table" → ['schema', 'table']). */
  value: number | string[];
}

/** Emission order of kinds within one snapshot, as the extension writes them. */
export const KIND_ORDER: ChangeKind[] = [
  'dropped_schema',
  'dropped_table',
  'dropped_view',
  'created_schema',
  'created_table',
  'created_view',
  'created_scalar_macro',
  'created_table_macro',
  'dropped_scalar_macro',
  'dropped_table_macro',
  'inserted_into_table',
  'deleted_from_table',
  'altered_table',
  'altered_view',
  'inlined_insert',
  'inlined_delete',
  'inline_flush',
  'merge_adjacent',
  'rewrite_delete',
];

const KNOWN = new Set<string>([...KIND_ORDER, 'compacted_table', 'flushed_inlined']);

/** Splits at commas outside double quotes. */
function splitEntries(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') {
      if (quoted && s[i + 1] === '"') {
        cur += '""';
        i++;
        continue;
      }
      quoted = !quoted;
    }
    if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

function parseNames(v: string): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < v.length) {
    if (v[i] === '.') {
      i++;
      continue;
    }
    if (v[i] === '"') {
      let name = '';
      i++;
      while (i < v.length) {
        if (v[i] === '"') {
          if (v[i + 1] === '"') {
            name += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += v[i++];
      }
      names.push(name);
    } else {
      const dot = v.indexOf('.', i);
      names.push(v.slice(i, dot < 0 ? undefined : dot));
      i = dot < 0 ? v.length : dot;
    }
  }
  return names;
}

export function parseChanges(text: string | null): Change[] {
  if (!text) return [];
  const out: Change[] = [];
  for (const entry of splitEntries(text)) {
    const colon = entry.indexOf(':');
    if (colon < 0) continue;
    let kind = entry.slice(0, colon).trim().toLowerCase();
    if (kind === 'flushed_inlined') kind = 'inline_flush';
    if (!KNOWN.has(kind)) continue;
    const raw = entry.slice(colon + 1);
    out.push({ kind: kind as ChangeKind, value: /^\d+$/.test(raw) ? Number(raw) : parseNames(raw) });
  }
  return out;
}

const quote = (n: string) => '"' + n.replace(/"/g, '""') + '"';

/** Encodes changes in the extension's order; null when there is nothing. */
export function formatChanges(changes: Change[]): string | null {
  const seen = new Set<string>();
  const sorted = [...changes].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  const parts: string[] = [];
  for (const c of sorted) {
    const v = typeof c.value === 'number' ? String(c.value) : c.value.map(quote).join('.');
    const key = `${c.kind}:${v}`;
    if (seen.has(key)) continue;
    seen.add(key);
    parts.push(key);
  }
  return parts.length ? parts.join(',') : null;
}
