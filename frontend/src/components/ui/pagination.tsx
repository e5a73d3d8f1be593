import { formatCount } from "@/lib/format";

type PaginationProps = {
  page: number;
  pageSize: number;
  count: number;
  onPageChange: (page: number) => void;
  label?: string;
};

export function Pagination({ page, pageSize, count, onPageChange, label = "Pages" }: PaginationProps) {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  const first = count === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(count, page * pageSize);
  return (
    <nav className="pagination" aria-label={label}>
      <button type="button" onClick={() => onPageChange(page - 1)} disabled={page <= 1}>
        Previous
      </button>
      <span aria-live="polite">
        {formatCount(first)}–{formatCount(last)} of {formatCount(count)} · page {formatCount(page)} of{" "}
        {formatCount(pages)}
      </span>
      <button type="button" onClick={() => onPageChange(page + 1)} disabled={page >= pages}>
        Next
      </button>
    </nav>
  );
}
