import { useState } from "react";
import { Link } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { paths } from "@/config/paths";
import { formatCount, formatDateTime, formatDecimal } from "@/lib/format";

import { usePolicies } from "../../api/get-policies";
import { SEARCH_PAGE_SIZE, useContentSearch, useCreateBulkAction } from "../../api/search";
import type { BulkActionInput, BulkActionKind, SearchFilters, SearchRow } from "../../types";
import { stateLabel } from "../../types";
import { BULK_LABELS, BulkActionDialog } from "./bulk-action-dialog";
import { BulkProgress } from "./bulk-progress";
import { SearchForm } from "./search-form";
import "../moderation.css";

const KINDS: BulkActionKind[] = ["remove", "approve", "requeue", "hash_bank", "text_bank"];

function preview(text: string, max = 160): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function decisionText(row: SearchRow): string {
  if (!row.decision_action) return "—";
  const verb = row.decision_action === "remove" ? "Removed" : row.decision_action === "approve" ? "Approved" : "Escalated";
  return `${verb} ${row.decision_automated ? "automatically" : row.decision_by ? `by ${row.decision_by}` : ""}`.trim();
}

type ContentSearchProps = {
  /** Filters every search keeps (the author page: the author). */
  fixed?: SearchFilters;
  /** Search before anything is typed (the author page lists everything at once). */
  searchAtOnce?: boolean;
};

/** Search, a result list with checkboxes, "select all N matching", and bulk actions with a confirm
 * dialog showing the count and the job's live progress. */
export function ContentSearch({ fixed = {}, searchAtOnce = false }: ContentSearchProps) {
  const policies = usePolicies();
  const [filters, setFilters] = useState<SearchFilters | null>(searchAtOnce ? { ...fixed } : null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const search = useContentSearch({ filters: filters ?? {}, cursor, enabled: filters !== null });
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const [dialogKind, setDialogKind] = useState<BulkActionKind | null>(null);
  const [bulkId, setBulkId] = useState<number | null>(null);
  const createBulk = useCreateBulkAction();

  const rows = search.data?.results ?? [];
  const total = search.data?.total ?? 0;
  const capped = search.data?.total_capped ?? false;
  const count = allMatching ? total : selected.size;
  const pageAllSelected = rows.length > 0 && rows.every((row) => selected.has(row.id));

  function runSearch(next: SearchFilters) {
    setFilters({ ...next, ...fixed });
    setCursors([null]);
    setSelected(new Set());
    setAllMatching(false);
  }

  function toggle(id: number) {
    setAllMatching(false);
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  function togglePage() {
    setAllMatching(false);
    setSelected((current) => {
      const next = new Set(current);
      for (const row of rows) {
        if (pageAllSelected) next.delete(row.id);
        else next.add(row.id);
      }
      return next;
    });
  }

  function clearSelection() {
    setSelected(new Set());
    setAllMatching(false);
  }

  function confirm(body: BulkActionInput) {
    createBulk.mutate(body, {
      onSuccess: (bulk) => {
        setBulkId(bulk.id);
        setDialogKind(null);
        clearSelection();
      },
    });
  }

  const target: Omit<BulkActionInput, "kind" | "reason_code" | "note" | "hash_category" | "text_bank"> = allMatching
    ? { filters: filters ?? {}, expected_count: total }
    : { content_ids: [...selected], expected_count: selected.size };

  return (
    <div className="stack" data-testid="content-search">
      <SearchForm policies={policies.data?.results ?? []} initial={fixed} onSearch={runSearch} />
      {bulkId !== null ? <BulkProgress bulkId={bulkId} onDismiss={() => setBulkId(null)} /> : null}
      {filters === null ? (
        <p className="hint" data-testid="search-start">
          Type words to find (or leave the box empty) and press Search. Filters narrow it to a policy, a state, a period, a
          rule that hit, an author or a reporter.
        </p>
      ) : null}
      {search.isError ? <ErrorMessage error={search.error} title="Could not search" /> : null}
      {filters !== null && search.isPending ? <Loading label="Searching…" /> : null}
      {search.data && rows.length === 0 ? (
        <p className="hint" data-testid="search-empty">
          Nothing found. Try fewer words, another period, or clear a filter.
        </p>
      ) : null}
      {search.data && rows.length > 0 ? (
        <>
          <div className="bulk-bar" role="toolbar" aria-label="Bulk actions" data-testid="bulk-bar">
            <span data-testid="search-total">
              {capped ? `More than ${formatCount(total)}` : formatCount(total)} match{total === 1 && !capped ? "" : "es"}
            </span>
            <span data-testid="selection-count">
              {count > 0 ? `${formatCount(count)} selected` : "Select contents to act on them"}
            </span>
            {pageAllSelected && !allMatching && total > rows.length && !capped ? (
              <button type="button" className="btn btn-link" onClick={() => setAllMatching(true)} data-testid="select-all-matching">
                Select all {formatCount(total)} matching
              </button>
            ) : null}
            {pageAllSelected && capped ? (
              <span className="hint" data-testid="search-capped">
                Narrow the search to act on all: a bulk action covers at most {formatCount(search.data.cap)}.
              </span>
            ) : null}
            {count > 0 ? (
              <>
                {KINDS.map((kind) => (
                  <button
                    key={kind}
                    type="button"
                    className={kind === "remove" ? "btn btn-danger" : "btn"}
                    onClick={() => {
                      createBulk.reset();
                      setDialogKind(kind);
                    }}
                    data-testid={`bulk-${kind}`}
                  >
                    {BULK_LABELS[kind]}
                  </button>
                ))}
                <button type="button" className="btn btn-link" onClick={clearSelection}>
                  Clear
                </button>
              </>
            ) : null}
          </div>
          <div className="table-scroll">
            <table className="table table-compact" data-testid="search-results">
              <thead>
                <tr>
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label="Select every content on this page"
                      checked={pageAllSelected || allMatching}
                      onChange={togglePage}
                      data-testid="select-page"
                    />
                  </th>
                  <th scope="col">Content</th>
                  <th scope="col">Author</th>
                  <th scope="col">Policy</th>
                  <th scope="col">State</th>
                  <th scope="col">Decision</th>
                  <th scope="col" className="numeric">
                    Score
                  </th>
                  <th scope="col">Received</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.id} data-testid="search-row" data-content-id={row.id}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${row.external_id}`}
                        checked={allMatching || selected.has(row.id)}
                        onChange={() => toggle(row.id)}
                        data-testid="select-row"
                      />
                    </td>
                    <th scope="row" className="break-anywhere">
                      <bdi>{row.text ? preview(row.text) : row.external_id}</bdi>
                      {row.has_image ? <span className="hint"> (image)</span> : null}
                    </th>
                    <td className="break-anywhere">
                      {row.author_id !== null ? (
                        <Link to={paths.moderationAuthor.href(row.author_id)} data-testid="search-author-link">
                          <bdi>{row.author_external_id}</bdi>
                        </Link>
                      ) : (
                        "—"
                      )}
                    </td>
                    <td>
                      {row.policy_name}
                      {row.category ? <span className="hint"> · {row.category}</span> : null}
                    </td>
                    <td data-testid="search-row-state">{stateLabel(row.state)}</td>
                    <td>
                      {decisionText(row)}
                      {row.appeal_state ? <span className="hint"> · appeal {row.appeal_state}</span> : null}
                    </td>
                    <td className="numeric">{row.model_score === null ? "—" : formatDecimal(row.model_score, 2)}</td>
                    <td>{formatDateTime(row.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="button-group">
            {cursors.length > 1 ? (
              <button type="button" className="btn" onClick={() => setCursors((current) => current.slice(0, -1))}>
                Newer
              </button>
            ) : null}
            {search.data.next_cursor ? (
              <button
                type="button"
                className="btn"
                onClick={() => setCursors((current) => [...current, search.data.next_cursor ?? null])}
                data-testid="search-older"
              >
                Older
              </button>
            ) : null}
            <span className="hint">
              {formatCount(SEARCH_PAGE_SIZE)} per page, newest first
            </span>
          </div>
        </>
      ) : null}
      {dialogKind !== null ? (
        <BulkActionDialog
          kind={dialogKind}
          count={count}
          policies={policies.data?.results ?? []}
          target={target}
          pending={createBulk.isPending}
          error={createBulk.error}
          onConfirm={confirm}
          onCancel={() => setDialogKind(null)}
        />
      ) : null}
    </div>
  );
}
