import { type RefObject, useCallback, useRef, useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";
import { useKeyCommands } from "@/hooks/use-key-commands";
import { formatDateTime } from "@/lib/format";
import { DEFAULT_PAGE_SIZE } from "@/types/pagination";

import { useDecideAppeal } from "../../api/decide-appeal";
import { useAppeals } from "../../api/get-appeals";
import type { Appeal, AppealOutcome, AppealState } from "../../types";
import { stateLabel } from "../../types";
import { APPEAL_KEYS, type AppealCommand, appealCommandForKey } from "../../utils/keymap";
import { DecisionText } from "../review/context-panels";
import "../moderation.css";

const APPEAL_STATE_LABELS: Record<AppealState, string> = {
  open: "Open",
  upheld: "Upheld",
  overturned: "Overturned",
};

/**
 * The keys of the appeal being worked on (the first open one): u or o chooses the outcome, Enter
 * sends it, c goes to the note, Esc clears the choice. As on the review page, one key alone never
 * decides.
 */
function useAppealKeys({
  enabled,
  busy,
  chosen,
  setChosen,
  send,
  noteRef,
}: {
  enabled: boolean;
  busy: boolean;
  chosen: AppealOutcome | null;
  setChosen: (outcome: AppealOutcome | null) => void;
  send: (outcome: AppealOutcome) => void;
  noteRef: RefObject<HTMLTextAreaElement | null>;
}) {
  const toCommand = useCallback((event: KeyboardEvent) => (enabled ? appealCommandForKey(event) : null), [enabled]);
  const onCommand = useCallback(
    (command: AppealCommand): boolean => {
      if (busy) return false;
      switch (command.type) {
        case "outcome":
          setChosen(command.outcome);
          return true;
        case "note":
          noteRef.current?.focus();
          return true;
        case "escape":
          setChosen(null);
          return true;
        case "submit":
          if (chosen === null) return false;
          send(chosen);
          return true;
      }
      return false;
    },
    [busy, chosen, setChosen, send, noteRef],
  );
  useKeyCommands(toCommand, onCommand, { blurTextFieldOnEscape: true });
}

function AppealCard({ appeal, active }: { appeal: Appeal; active: boolean }) {
  const [note, setNote] = useState("");
  const [chosen, setChosen] = useState<AppealOutcome | null>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const decide = useDecideAppeal();
  const noteId = `appeal-note-${appeal.id}`;
  const send = useCallback(
    (outcome: AppealOutcome) => decide.mutate({ appealId: appeal.id, outcome, note }),
    [decide, appeal.id, note],
  );
  useAppealKeys({
    enabled: active && appeal.state === "open",
    busy: decide.isPending,
    chosen,
    setChosen,
    send,
    noteRef,
  });

  return (
    <li
      className="card appeal-card"
      data-testid="appeal"
      data-appeal-id={appeal.id}
      data-state={appeal.state}
      data-active={active ? "true" : undefined}
    >
      {/* What was decided and what the author says; long texts scroll in their own boxes. */}
      <div className="stack appeal-body">
        <p className="hint">
          <bdi>{appeal.external_id}</bdi> · now {stateLabel(appeal.content_state)} · appealed{" "}
          {formatDateTime(appeal.created_at)}
        </p>
        {appeal.text ? (
          <p className="review-text appeal-text" tabIndex={0} data-testid="appeal-text">
            {appeal.text}
          </p>
        ) : null}
        <p>
          <strong>Decision appealed:</strong> <DecisionText decision={appeal.decision} />
          {appeal.decision.note ? <span className="break-anywhere"> — {appeal.decision.note}</span> : null}
        </p>
        <p className="break-anywhere appeal-statement" tabIndex={0} data-testid="appeal-statement">
          <strong>The author says:</strong> {appeal.statement || "(no statement)"}
        </p>
      </div>
      {appeal.state === "open" ? (
        // Beside the texts on a wide window: the outcome buttons sit at the top of the card.
        <div className="stack appeal-decide">
          <div className="field">
            <label htmlFor={noteId}>
              Note {active ? <kbd>{APPEAL_KEYS.note}</kbd> : null}
            </label>
            <textarea
              id={noteId}
              ref={noteRef}
              rows={2}
              value={note}
              onChange={(event) => setNote(event.target.value)}
            />
          </div>
          <div className="button-group appeal-actions">
            <button
              type="button"
              className="btn"
              disabled={decide.isPending}
              aria-pressed={active ? chosen === "uphold" : undefined}
              onClick={() => send("uphold")}
              data-testid="appeal-uphold"
            >
              Uphold (the decision stands) {active ? <kbd>{APPEAL_KEYS.uphold}</kbd> : null}
            </button>
            <button
              type="button"
              className="btn btn-primary"
              disabled={decide.isPending}
              aria-pressed={active ? chosen === "overturn" : undefined}
              onClick={() => send("overturn")}
              data-testid="appeal-overturn"
            >
              Overturn ({appeal.content_state === "removed" ? "restore the content" : "remove the content"}){" "}
              {active ? <kbd>{APPEAL_KEYS.overturn}</kbd> : null}
            </button>
          </div>
          {active && chosen !== null ? (
            <p className="hint" role="status" data-testid="appeal-chosen">
              Press <kbd>Enter</kbd> to {chosen === "uphold" ? "uphold the decision" : "overturn it"}, <kbd>Esc</kbd>{" "}
              to change your mind.
            </p>
          ) : null}
          <ErrorMessage error={decide.error} title="The appeal was not decided" />
        </div>
      ) : (
        <p className="appeal-decide">
          {APPEAL_STATE_LABELS[appeal.state ?? "open"]} by {appeal.reviewer_name || "—"} · {formatDateTime(appeal.decided_at)}
          {appeal.note ? <span className="break-anywhere"> — {appeal.note}</span> : null}
        </p>
      )}
    </li>
  );
}

/** Appeals against final decisions; a moderator other than the one who decided upholds or overturns. */
export function AppealsQueue() {
  const [state, setState] = useState<AppealState>("open");
  const [page, setPage] = useState(1);
  const appeals = useAppeals({ state, page });
  // The keys act on the first open appeal; once it is decided the next one takes them.
  const firstOpen = appeals.data?.results.find((appeal) => appeal.state === "open")?.id;

  return (
    <div className="stack" data-testid="appeals-queue">
      <div className="field field-narrow">
        <label htmlFor="appeal-state">Show</label>
        <select
          id="appeal-state"
          value={state}
          onChange={(event) => {
            setState(event.target.value as AppealState);
            setPage(1);
          }}
        >
          {(Object.keys(APPEAL_STATE_LABELS) as AppealState[]).map((value) => (
            <option key={value} value={value}>
              {APPEAL_STATE_LABELS[value]}
            </option>
          ))}
        </select>
      </div>
      {appeals.isPending ? <Loading label="Loading appeals…" /> : null}
      <ErrorMessage error={appeals.error} title="Could not load the appeals" />
      {appeals.data && appeals.data.results.length === 0 ? (
        <p className="hint" data-testid="appeals-empty">
          No {APPEAL_STATE_LABELS[state].toLowerCase()} appeals.
        </p>
      ) : null}
      <ul className="plain-list stack">
        {appeals.data?.results.map((appeal) => (
          <AppealCard key={appeal.id} appeal={appeal} active={appeal.id === firstOpen} />
        ))}
      </ul>
      {appeals.data && appeals.data.count > DEFAULT_PAGE_SIZE ? (
        <Pagination
          page={page}
          pageSize={DEFAULT_PAGE_SIZE}
          count={appeals.data.count}
          onPageChange={setPage}
          label="Appeal pages"
        />
      ) : null}
    </div>
  );
}
