/**
 * Plain aligned columns, no borders: readable in a terminal, in a cron mail and through
 * `grep`/`awk`, where box-drawing characters only get in the way.
 */
export type Column = { header: string; align?: 'left' | 'right' };

const GAP = '  ';

export function renderTable(columns: Column[], rows: string[][]): string {
  const cells = rows.map((row) => columns.map((_, index) => clean(row[index] ?? '')));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((row) => row[index]!.length)),
  );
  const line = (values: string[]): string =>
    values
      .map((value, index) =>
        columns[index]!.align === 'right' ? value.padStart(widths[index]!) : value.padEnd(widths[index]!),
      )
      .join(GAP)
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map((row) => line(row))].join('\n');
}

/** Newlines or control characters from a message would break the columns (and could move a terminal's cursor). */
function clean(value: string): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return value.replace(/[\x00-\x1F\x7F]+/g, ' ');
}
