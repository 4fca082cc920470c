/** A table rendered as Markdown (for docs/benchmarks.md) or as aligned text (for the terminal). */
export interface Table {
  title: string;
  head: string[];
  rows: string[][];
}

/** Numbers (and the "–" of a missing one) are right-aligned, text left-aligned. */
const NUMERIC = /^[-+]?[\d.,]*\d[\d.,]*\s?[×%]?$|^–$/;

function numericColumns(table: Table): boolean[] {
  return table.head.map((_, i) => table.rows.every((r) => NUMERIC.test(r[i] ?? "")));
}

export function markdownTable(table: Table): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(table.head), line(numericColumns(table).map((n) => (n ? "---:" : "---"))), ...table.rows.map(line)].join("\n");
}

export function textTable(table: Table): string {
  const widths = table.head.map((h, i) => Math.max(h.length, ...table.rows.map((r) => (r[i] ?? "").length)));
  const numeric = numericColumns(table);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [table.title, line(table.head), widths.map((w) => "-".repeat(w)).join("  "), ...table.rows.map(line)].join("\n");
}

export function seconds(ms: number | undefined): string {
  return ms === undefined ? "–" : (ms / 1000).toFixed(1);
}

export function ratio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "–" : `${value.toFixed(2)}×`;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
