// Prints results either as JSON (--json) or as an aligned table for people.
export function printRows(rows: Record<string, unknown>[], json: boolean | undefined): void {
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    console.log('(none)');
    return;
  }
  const keys = Object.keys(rows[0]!);
  const cells = rows.map((row) => keys.map((k) => format(row[k])));
  const widths = keys.map((k, i) => Math.max(k.length, ...cells.map((c) => c[i]!.length)));
  console.log(keys.map((k, i) => k.toUpperCase().padEnd(widths[i]!)).join('  ').trimEnd());
  for (const c of cells) console.log(c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd());
}

export function printOne(row: Record<string, unknown>, json: boolean | undefined): void {
  if (json) console.log(JSON.stringify(row, null, 2));
  else for (const [k, v] of Object.entries(row)) console.log(`${k}: ${format(v)}`);
}

function format(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
