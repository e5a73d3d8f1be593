const integer = new Intl.NumberFormat("en");

export function formatCount(value: number | null | undefined): string {
  return integer.format(value ?? 0);
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}
