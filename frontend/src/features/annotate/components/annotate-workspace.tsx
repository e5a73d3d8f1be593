import "./workspace.css";

import { type ReactNode, type RefObject, useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";

import { Loading } from "@/components/ui/loading";
import { useFitToViewport } from "@/hooks/use-fit-to-viewport";
import { useScrollKeys } from "@/hooks/use-scroll-keys";

import { useAnnotateSession } from "../hooks/use-annotate-session";
import { useWorkspaceKeys } from "../hooks/use-workspace-keys";
import type { AssignmentItem, Suggestion, WorkspaceProject } from "../types";
import type { EditView, SessionState } from "../utils/annotate-session-model";
import { type Command, labelKeys } from "../utils/keymap";
import { afterNextPaint, recordNextItemTiming } from "../utils/timings";
import { GuidelinesModal } from "./guidelines-modal";
import { HelpOverlay } from "./help-overlay";
import { ItemView } from "./item-view";
import { LabelButtons } from "./label-buttons";
import { ProgressStrip } from "./progress-strip";
import { Proposal } from "./proposal";
import { ReasonDialog } from "./reason-dialog";
import { SimilarItemsPanel } from "./similar-items-panel";
import { SubmissionStatus } from "./submission-status";

type AnnotateWorkspaceProps = {
  project: WorkspaceProject;
  /** The signed-in user's id: unsent answers are kept per user. */
  userKey: string;
};

type Dialog = "guidelines" | "help" | null;

/**
 * The annotator's workspace: one leased item at a time, answered from the keyboard.
 *
 * The next item is leased and held in memory while the current one is on screen, so a key press
 * shows it at once; answers are sent in the background by the outbox, which retries and reports
 * any that could not be saved.
 *
 * The workspace takes the height left in the window: the item scrolls inside its own box
 * (PageDown / PageUp page it from anywhere), and the proposal, the label keys and the actions stay
 * on screen below it whatever the item's length.
 */
export function AnnotateWorkspace({ project, userKey }: AnnotateWorkspaceProps) {
  const multilabel = project.task_type === "multilabel";
  const keys = useMemo(() => labelKeys(project.label_classes), [project.label_classes]);
  const { session, state, outbox, outboxState } = useAnnotateSession({ projectId: project.id, userKey, multilabel });
  const [dialog, setDialog] = useState<Dialog>(null);
  const [zoomedItem, setZoomedItem] = useState<number | null>(null);
  // A media-restricted image stays blurred until revealed (`v`); the server audits the fetch.
  const [revealedItem, setRevealedItem] = useState<number | null>(null);
  // Closed by default: the item, the proposal and the keys come first.
  const [similarOpen, setSimilarOpen] = useState(false);
  const toggleSimilar = useCallback(() => setSimilarOpen((open) => !open), []);

  const editing = state.editing;
  const shownItem: AssignmentItem | null = editing ? editing.entry.item : (state.current?.item ?? null);
  const shownItemId = shownItem?.id ?? null;
  const shownRestricted = shownItem?.media_restricted ?? false;
  const toggleView = useCallback(() => {
    if (shownRestricted) setRevealedItem((revealed) => (revealed === shownItemId ? null : shownItemId));
    else setZoomedItem((zoomed) => (zoomed === shownItemId ? null : shownItemId));
  }, [shownItemId, shownRestricted]);

  const onCommand = useCallback(
    (command: Command, at: number): boolean => {
      if (dialog) {
        // Only the keys that close or switch the open window work behind it.
        switch (command.type) {
          case "escape":
            setDialog(null);
            return true;
          case "guidelines":
            setDialog((open) => (open === "guidelines" ? null : "guidelines"));
            return true;
          case "help":
            setDialog((open) => (open === "help" ? null : "help"));
            return true;
          default:
            return false;
        }
      }
      switch (command.type) {
        case "guidelines":
          setDialog("guidelines");
          return true;
        case "help":
          setDialog("help");
          return true;
        case "zoom":
          toggleView();
          return true;
        case "similar":
          toggleSimilar();
          return true;
        case "accept":
          session.accept(at);
          return true;
        case "reject":
          session.reject();
          return true;
        case "label":
          session.pick(command.label, at);
          return true;
        case "confirm":
          if (!multilabel) return false;
          session.confirm(at);
          return true;
        case "skip":
          session.skip(at);
          return true;
        case "skipWithReason":
          session.askSkipReason();
          return true;
        case "undo":
          session.undo();
          return true;
        case "flag":
          session.flag();
          return true;
        case "escape":
          session.escape();
          return true;
      }
    },
    [dialog, session, multilabel, toggleView, toggleSimilar],
  );
  useWorkspaceKeys(keys, onCommand);
  const workspaceRef = useRef<HTMLDivElement>(null);
  const contentRef = useRef<HTMLDivElement>(null);
  useFitToViewport(workspaceRef);
  // Space is Skip here, so only PageDown / PageUp page the item.
  useScrollKeys(contentRef);

  // Keypress → next item on screen, measured to the first paint that shows it.
  const currentId = state.current?.item.id ?? null;
  useLayoutEffect(() => {
    if (currentId === null) return;
    const pressedAt = session.takeKeypressTime();
    if (pressedAt === null) return;
    afterNextPaint(() => recordNextItemTiming(performance.now() - pressedAt));
  }, [currentId, session]);

  const suggestion: Suggestion | null = editing ? editing.entry.suggestion : (state.current?.suggestion ?? null);
  const canAct = shownItem !== null;

  return (
    <div
      ref={workspaceRef}
      className="workspace"
      data-testid="annotate-workspace"
      data-status={state.status}
      data-prefetched={state.prefetched.length}
    >
      <div className="workspace-bar">
        <ProgressStrip projectId={project.id} />
        <p
          className="workspace-notice"
          role="status"
          aria-live="polite"
          data-testid="workspace-notice"
          data-tone={state.notice?.tone ?? "info"}
        >
          {state.notice?.text ?? ""}
        </p>
        <SubmissionStatus
          snapshot={outboxState}
          onRetryNow={() => outbox.retryNow()}
          onDismiss={(id) => outbox.dismiss(id)}
        />
        <WorkspaceTools
          similarOpen={similarOpen}
          onSimilar={toggleSimilar}
          onGuidelines={() => setDialog("guidelines")}
          onHelp={() => setDialog("help")}
        />
      </div>

      <div className="workspace-main" data-similar-open={similarOpen}>
        {editing ? (
          <EditCard
            editing={editing}
            zoomed={zoomedItem !== null && zoomedItem === shownItemId}
            revealed={revealedItem !== null && revealedItem === shownItemId}
            contentRef={contentRef}
          />
        ) : state.current ? (
          <ItemCard
            item={state.current.item}
            flagged={state.flaggedItemIds.includes(state.current.item.id)}
            zoomed={zoomedItem === state.current.item.id}
            revealed={revealedItem === state.current.item.id}
            onToggleView={toggleView}
            contentRef={contentRef}
          />
        ) : (
          <EmptyState state={state} />
        )}
        {similarOpen ? (
          <SimilarItemsPanel projectId={project.id} itemId={shownItemId} onClose={() => setSimilarOpen(false)} />
        ) : null}
      </div>

      <div className="workspace-dock" data-testid="workspace-dock">
        {canAct ? <Proposal suggestion={suggestion} mode={state.mode} /> : null}
        {canAct ? (
          <LabelButtons
            labelKeys={keys}
            multilabel={multilabel}
            mode={state.mode}
            selection={state.selection}
            proposed={suggestion?.labels ?? []}
            earlier={editing ? editing.entry.labels : null}
            disabled={false}
            onPick={(label) => session.pick(label)}
          />
        ) : null}
        {canAct && multilabel ? (
          <p className="hint" data-testid="multilabel-hint">
            {state.selection.length > 0 ? `On: ${state.selection.join(", ")}. ` : ""}Press <kbd>Enter</kbd> to send the
            labels that are on.
          </p>
        ) : null}

        <WorkspaceActions
          canAct={canAct}
          multilabel={multilabel}
          onAccept={() => session.accept()}
          onReject={() => session.reject()}
          onConfirm={() => session.confirm()}
          onSkip={() => session.skip()}
          onSkipWithReason={() => session.askSkipReason()}
          onUndo={() => session.undo()}
          onFlag={() => session.flag()}
        />
      </div>

      {dialog === "guidelines" ? (
        <GuidelinesModal guidelinesHtml={project.guidelines_html} onClose={() => setDialog(null)} />
      ) : null}
      <ReasonDialog prompt={state.prompt} session={session} />
      {dialog === "help" ? (
        <HelpOverlay labelKeys={keys} multilabel={multilabel} onClose={() => setDialog(null)} />
      ) : null}
    </div>
  );
}

type ItemCardProps = {
  item: AssignmentItem;
  flagged: boolean;
  zoomed: boolean;
  revealed: boolean;
  /** Zoom an image, or reveal / blur again a media-restricted one. */
  onToggleView: () => void;
  contentRef: RefObject<HTMLDivElement | null>;
};

type ContentBoxProps = {
  contentRef: RefObject<HTMLDivElement | null>;
  label: string;
  children: ReactNode;
};

/**
 * The item's own scroll box: focusable, so a keyboard or screen-reader user can move into it and
 * scroll with the arrow keys as well.
 */
function ContentBox({ contentRef, label, children }: ContentBoxProps) {
  return (
    <div
      ref={contentRef}
      className="annotate-content"
      tabIndex={0}
      role="region"
      aria-label={label}
      data-testid="annotate-content"
    >
      {children}
    </div>
  );
}

function ItemCard({ item, flagged, zoomed, revealed, onToggleView, contentRef }: ItemCardProps) {
  return (
    <section
      className="annotate-card"
      aria-label={`Item ${item.external_id}`}
      data-testid="annotate-item"
      data-item-id={item.id}
      data-external-id={item.external_id}
      data-editing="false"
    >
      <div className="annotate-card-header">
        <span className="break-anywhere">Item {item.external_id}</span>
        <span className="row">
          {flagged ? <span data-testid="flagged">Flagged for review</span> : null}
          {item.image_url && item.media_restricted ? (
            <button
              type="button"
              className="btn-link btn-small"
              aria-pressed={revealed}
              onClick={onToggleView}
              data-testid="annotate-reveal"
            >
              {revealed ? "Blur again" : "Reveal image"} <kbd>v</kbd>
            </button>
          ) : item.image_url ? (
            <button type="button" className="btn-link btn-small" aria-pressed={zoomed} onClick={onToggleView}>
              {zoomed ? "Fit to screen" : "Full size"} <kbd>v</kbd>
            </button>
          ) : null}
        </span>
      </div>
      <ContentBox contentRef={contentRef} label={`Content of item ${item.external_id}`}>
        <ItemView item={item} zoomed={zoomed} revealed={revealed} />
      </ContentBox>
    </section>
  );
}

type EditCardProps = {
  editing: EditView;
  zoomed: boolean;
  revealed: boolean;
  contentRef: RefObject<HTMLDivElement | null>;
};

function EditCard({ editing, zoomed, revealed, contentRef }: EditCardProps) {
  const { entry } = editing;
  return (
    <section
      className="annotate-card annotate-card-editing"
      aria-label={`Your earlier label for item ${entry.item?.external_id ?? entry.itemId}`}
      data-testid="annotate-item"
      data-item-id={entry.itemId}
      data-external-id={entry.item?.external_id ?? ""}
      data-editing="true"
    >
      <div className="annotate-card-header">
        <strong data-testid="editing-banner">
          Changing your label for item {entry.item?.external_id ?? entry.itemId} (was {entry.labels.join(", ") || "—"})
        </strong>
        <span>Choose again, or press Esc to go back</span>
      </div>
      {entry.item ? (
        <ContentBox contentRef={contentRef} label={`Content of item ${entry.item.external_id}`}>
          <ItemView item={entry.item} zoomed={zoomed} revealed={revealed} />
        </ContentBox>
      ) : editing.error ? (
        <p className="alert alert-error" role="alert">
          Could not load the item: {editing.error}
        </p>
      ) : (
        <Loading label="Loading the item…" />
      )}
    </section>
  );
}

function EmptyState({ state }: { state: SessionState }) {
  switch (state.status) {
    case "done":
      return (
        <section className="annotate-card" data-testid="queue-empty">
          <h2>Nothing left to label</h2>
          <p>{state.message}</p>
          <p className="hint">This page checks again on its own: skipped or abandoned items come back to the queue.</p>
        </section>
      );
    case "error":
      return (
        <div role="alert" className="alert alert-error" data-testid="queue-error">
          {state.message}
        </div>
      );
    case "starting":
      return <Loading label="Resuming your items…" />;
    default:
      return <Loading label="Fetching the next item…" />;
  }
}

type WorkspaceActionsProps = {
  canAct: boolean;
  multilabel: boolean;
  onAccept: () => void;
  onReject: () => void;
  onConfirm: () => void;
  onSkip: () => void;
  onSkipWithReason: () => void;
  onUndo: () => void;
  onFlag: () => void;
};

/** The same commands as the keys, as buttons (showing their keys) for the mouse. */
function WorkspaceActions(props: WorkspaceActionsProps) {
  const { canAct, multilabel } = props;
  return (
    <div className="workspace-actions" role="toolbar" aria-label="Actions" data-testid="workspace-actions">
      <button type="button" onClick={props.onAccept} disabled={!canAct}>
        Accept <kbd>a</kbd>
      </button>
      <button type="button" onClick={props.onReject} disabled={!canAct}>
        Reject <kbd>x</kbd>
      </button>
      {multilabel ? (
        <button type="button" onClick={props.onConfirm} disabled={!canAct}>
          Send <kbd>Enter</kbd>
        </button>
      ) : null}
      <button type="button" onClick={props.onSkip} disabled={!canAct}>
        Skip <kbd>space</kbd>
      </button>
      <button type="button" onClick={props.onSkipWithReason} disabled={!canAct}>
        Skip, say why <kbd>⇧space</kbd>
      </button>
      <button type="button" onClick={props.onUndo}>
        Undo <kbd>z</kbd>
      </button>
      <button type="button" onClick={props.onFlag} disabled={!canAct}>
        Flag <kbd>f</kbd>
      </button>
    </div>
  );
}

type WorkspaceToolsProps = {
  similarOpen: boolean;
  onSimilar: () => void;
  onGuidelines: () => void;
  onHelp: () => void;
};

/** Similar items, guidelines and the key list, in the top bar: reference, not actions on the item. */
function WorkspaceTools({ similarOpen, onSimilar, onGuidelines, onHelp }: WorkspaceToolsProps) {
  return (
    <div className="workspace-tools" role="toolbar" aria-label="Help">
      <button
        type="button"
        className="btn-small"
        aria-pressed={similarOpen}
        onClick={onSimilar}
        data-testid="toggle-similar"
        title="Items like this one, with their labels"
      >
        Similar <kbd>n</kbd>
      </button>
      <button type="button" className="btn-small" onClick={onGuidelines} data-testid="open-guidelines">
        Guidelines <kbd>g</kbd>
      </button>
      <button type="button" className="btn-small" onClick={onHelp}>
        Keys <kbd>?</kbd>
      </button>
    </div>
  );
}
