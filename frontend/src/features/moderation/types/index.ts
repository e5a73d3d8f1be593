import type { components, operations } from "@/types/api";

type Schemas = components["schemas"];

// Response and request shapes come from the backend's OpenAPI schema (`npm run gen:api`).
export type QueueRow = Schemas["ContentRow"];
export type ContentDetail = Schemas["ContentDetail"];
export type ContentReport = Schemas["ContentReport"];
export type ModelSuggestion = Schemas["ModelSuggestion"];
export type DecisionSummary = Schemas["Decision"];
export type RelatedContent = Schemas["RelatedContent"];
export type ThreadEntry = Schemas["ThreadEntry"];
export type QualityDashboard = Schemas["QualityDashboard"];
export type ModeratorQuality = Schemas["ModeratorQuality"];
export type PolicyQuality = Schemas["PolicyQuality"];
export type QualitySettings = Schemas["QualitySettings"];
export type GoldItem = Schemas["GoldItem"];
export type SimilarContents = Schemas["SimilarContents"];
export type SimilarContentRow = Schemas["SimilarContentRow"];
export type NextContent = Schemas["ReviewNextOutput"];
export type DecisionInput = Schemas["DecisionInputRequest"];
export type Appeal = Schemas["Appeal"];
export type AuditEvent = Schemas["AuditEventOutput"];
export type AuditObject = Schemas["AuditObject"];
export type AuditExportFormat = NonNullable<
  NonNullable<operations["audit_export"]["parameters"]["query"]>["format"]
>;
export type Policy = Schemas["PolicyOutput"];
export type PolicyCategory = Schemas["Category"];
export type ReasonCode = Schemas["ReasonCode"];
export type PolicyUpdate = Schemas["PatchedPolicyUpdateInputRequest"];
export type ModelCompare = Schemas["CompareOutput"];
export type CompareSide = Schemas["CompareSide"];
export type StageModelVersion = Schemas["ModelVersionOutput"];
export type ModelStage = StageModelVersion["stage"];
export type AuthorRecord = Schemas["AuthorRecord"];
export type AuthorStrike = Schemas["Strike"];
export type AuthorSanction = Schemas["AuthorAction"];
export type Wellness = Schemas["Wellness"];
export type WellnessValues = Schemas["WellnessValues"];
export type WellnessOwn = Schemas["WellnessOwn"];
export type WellnessDefaults = Schemas["WellnessDefaults"];
export type WellnessInput = Schemas["PatchedWellnessSettingsInputRequest"];
export type WellnessDefaultsInput = Schemas["PatchedWellnessDefaultsInputRequest"];
export type Exposure = Schemas["Exposure"];
export type TextSegment = Schemas["TextSegment"];
export type BlurStrength = WellnessValues["blur"];
export type BreakAction = Schemas["BreakInputRequest"]["action"];
export type SearchRow = Schemas["SearchRow"];
export type SearchPage = Schemas["SearchPage"];
export type BulkAction = Schemas["BulkAction"];
export type BulkActionInput = Schemas["BulkActionInputRequest"];
export type BulkActionKind = BulkActionInput["kind"];
export type SearchQuery = NonNullable<operations["moderation_search"]["parameters"]["query"]>;
/** The search form's values (the query string of ``search/`` without the cursor). */
export type SearchFilters = Omit<SearchQuery, "cursor" | "limit">;

// Enum types are taken from the fields, not by name: drf-spectacular renames an enum as soon as
// another schema has a field of the same name with other choices.
export type ContentState = NonNullable<QueueRow["state"]>;
export type ReviewTier = NonNullable<QueueRow["tier"]>;
export type DecisionAction = DecisionSummary["action"];
export type AuthorAction = NonNullable<DecisionSummary["author_action"]>;
export type AutomationLevel = Policy["automation_level"];
export type AppealState = NonNullable<Appeal["state"]>;
export type AppealOutcome = Schemas["AppealDecideInputRequest"]["outcome"];
export type SanctionKind = Schemas["StrikeThreshold"]["action"];

export const SANCTION_LABELS: Record<SanctionKind, string> = {
  warn: "Warn",
  suspend: "Suspend",
  ban: "Ban",
};

export type QueueFilters = {
  policy?: number | undefined;
  category?: number | undefined;
  state?: ContentState | undefined;
  tier?: ReviewTier | undefined;
};

/** The audit log's filters as the API takes them (`since` inclusive, `until` exclusive, instants). */
export type AuditFilters = {
  action?: string | undefined;
  object_type?: string | undefined;
  object_id?: string | undefined;
  actor?: string | undefined;
  request_id?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
};

const STATE_LABELS: Record<ContentState, string> = {
  allowed: "Allowed",
  removed: "Removed",
  pending: "Pending review",
  escalated: "Escalated",
};

const TIER_LABELS: Record<ReviewTier, string> = {
  standard: "Moderators",
  senior: "Senior moderators",
};

export const ACTION_LABELS: Record<DecisionAction, string> = {
  approve: "Approve",
  remove: "Remove",
  escalate: "Escalate",
};

export const AUTOMATION_LABELS: Record<AutomationLevel, string> = {
  human_only: "Human only (no model)",
  shadow: "Shadow (model scores logged, people decide)",
  assist: "Assist (model suggestion shown to moderators)",
  partial: "Partial (automatic outside the uncertain band)",
  full: "Full (the model decides)",
};

const REPORT_SOURCE_LABELS: Record<string, string> = {
  user: "User report",
  rule: "Rule",
  model: "Model",
  hash: "Hash match",
};

function labelOf(labels: Record<string, string>, value: string | null | undefined): string {
  if (!value) return "—";
  return Object.hasOwn(labels, value) ? (labels[value] ?? value) : value;
}

export const stateLabel = (state: string | null | undefined) => labelOf(STATE_LABELS, state);
export const tierLabel = (tier: string | null | undefined) => labelOf(TIER_LABELS, tier);
export const actionLabel = (action: string | null | undefined) => labelOf(ACTION_LABELS, action);
export const reportSourceLabel = (source: string | null | undefined) => labelOf(REPORT_SOURCE_LABELS, source);
export const STATE_CHOICES = STATE_LABELS;
export const TIER_CHOICES = TIER_LABELS;

// Rules over signals, their text banks and backtests.
export type Rule = Schemas["RuleOutput"];
export type RuleInput = Schemas["RuleInputRequest"];
export type RuleUpdate = Schemas["PatchedRuleUpdateInputRequest"];
export type RuleAction = Rule["action"];
export type RuleStatus = NonNullable<Rule["status"]>;
export type TextBank = Schemas["TextBankOutput"];
export type TextBankInput = Schemas["TextBankInputRequest"];
export type Backtest = Schemas["BacktestOutput"];
export type BacktestInput = Schemas["BacktestInputRequest"];
