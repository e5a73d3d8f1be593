// Every client-side route in one place, so links and the router cannot drift apart.
export const paths = {
  login: {
    path: "/login",
    href: (next?: string) => (next ? `/login?next=${encodeURIComponent(next)}` : "/login"),
  },
  acceptInvite: { path: "/accept-invite", href: () => "/accept-invite" },
  home: { path: "/", href: () => "/" },
  projects: { path: "/projects", href: () => "/projects" },
  projectCreate: { path: "/projects/new", href: () => "/projects/new" },
  project: {
    path: "/projects/:projectId",
    href: (projectId: number) => `/projects/${projectId}`,
  },
  projectItems: { path: "items", href: (projectId: number) => `/projects/${projectId}/items` },
  projectItem: {
    path: "items/:itemId",
    href: (projectId: number, itemId: number) => `/projects/${projectId}/items/${itemId}`,
  },
  projectImport: {
    path: "import",
    href: (projectId: number, jobId?: number) =>
      jobId === undefined
        ? `/projects/${projectId}/import`
        : `/projects/${projectId}/import?job=${jobId}`,
  },
  projectExport: { path: "export", href: (projectId: number) => `/projects/${projectId}/export` },
  projectDatasets: {
    path: "datasets",
    href: (projectId: number, snapshot?: number) =>
      snapshot === undefined ? `/projects/${projectId}/datasets` : `/projects/${projectId}/datasets?snapshot=${snapshot}`,
  },
  projectModels: { path: "models", href: (projectId: number) => `/projects/${projectId}/models` },
  projectDrift: { path: "drift", href: (projectId: number) => `/projects/${projectId}/drift` },
  projectSuspectLabels: {
    path: "models/suspects",
    href: (projectId: number) => `/projects/${projectId}/models/suspects`,
  },
  projectModelCompare: {
    path: "models/compare",
    href: (projectId: number, a: number, b: number) => `/projects/${projectId}/models/compare?a=${a}&b=${b}`,
  },
  projectAnnotate: {
    path: "annotate",
    href: (projectId: number) => `/projects/${projectId}/annotate`,
  },
  projectDashboard: {
    path: "dashboard",
    href: (projectId: number) => `/projects/${projectId}/dashboard`,
  },
  projectSettings: {
    path: "settings",
    href: (projectId: number) => `/projects/${projectId}/settings`,
  },
  projectMembers: {
    path: "members",
    href: (projectId: number) => `/projects/${projectId}/members`,
  },
  moderation: { path: "/moderation", href: () => "/moderation" },
  moderationReview: {
    path: "review",
    href: ({
      tier,
      policy,
      category,
    }: {
      tier: "standard" | "senior";
      policy?: number | undefined;
      category?: number | undefined;
    }) => {
      const query = new URLSearchParams({ tier });
      if (policy !== undefined) query.set("policy", String(policy));
      if (category !== undefined) query.set("category", String(category));
      return `/moderation/review?${query.toString()}`;
    },
  },
  moderationAppeals: { path: "appeals", href: () => "/moderation/appeals" },
  moderationAudit: { path: "audit", href: () => "/moderation/audit" },
  moderationWellness: { path: "wellness", href: () => "/moderation/wellness" },
  moderationQuality: { path: "quality", href: () => "/moderation/quality" },
  moderationPolicies: { path: "policies", href: () => "/moderation/policies" },
  moderationSearch: { path: "search", href: () => "/moderation/search" },
  moderationAuthor: {
    path: "authors/:authorId",
    href: (authorId: number) => `/moderation/authors/${authorId}`,
  },
  moderationPolicy: {
    path: "policies/:policyId",
    href: (policyId: number) => `/moderation/policies/${policyId}`,
  },
  platforms: { path: "/platforms", href: () => "/platforms" },
  platform: {
    path: "/platforms/:platformId",
    href: (platformId: number) => `/platforms/${platformId}`,
  },
  users: { path: "/users", href: () => "/users" },
  account: { path: "/account", href: () => "/account" },
} as const;
