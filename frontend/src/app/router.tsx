import { useState } from "react";
import { createBrowserRouter, Navigate, RouterProvider } from "react-router";

import { paths } from "@/config/paths";
import { RequireAuth } from "@/features/auth/components/require-auth";

import { AcceptInviteRoute } from "./routes/accept-invite";
import { AccountRoute } from "./routes/account";
import { AppRoot } from "./routes/app-root";
import { LoginRoute } from "./routes/login";
import { ModerationAppealsRoute } from "./routes/moderation/appeals";
import { ModerationAuditRoute } from "./routes/moderation/audit";
import { ModerationAuthorRoute } from "./routes/moderation/author";
import { ModerationLayout } from "./routes/moderation/moderation-layout";
import { ModerationPoliciesRoute } from "./routes/moderation/policies";
import { ModerationPolicyRoute } from "./routes/moderation/policy";
import { ModerationQualityRoute } from "./routes/moderation/quality";
import { ModerationQueueRoute } from "./routes/moderation/queue";
import { ModerationReviewRoute } from "./routes/moderation/review";
import { ModerationSearchRoute } from "./routes/moderation/search";
import { ModerationWellnessRoute } from "./routes/moderation/wellness";
import { NotFoundRoute } from "./routes/not-found";
import { PlatformRoute } from "./routes/platforms/detail";
import { PlatformsRoute } from "./routes/platforms/list";
import { ProjectAnnotateRoute } from "./routes/projects/annotate";
import { CreateProjectRoute } from "./routes/projects/create";
import { ProjectDashboardRoute } from "./routes/projects/dashboard";
import { ProjectDatasetsRoute } from "./routes/projects/datasets";
import { ProjectDriftRoute } from "./routes/projects/drift";
import { ProjectExportRoute } from "./routes/projects/export";
import { ProjectImportRoute } from "./routes/projects/import";
import { ProjectItemRoute } from "./routes/projects/item";
import { ProjectItemsRoute } from "./routes/projects/items";
import { ProjectsRoute } from "./routes/projects/list";
import { ProjectMembersRoute } from "./routes/projects/members";
import { ProjectModelCompareRoute } from "./routes/projects/model-compare";
import { ProjectModelsRoute } from "./routes/projects/models";
import { ProjectOverviewRoute } from "./routes/projects/overview";
import { ProjectSettingsRoute } from "./routes/projects/settings";
import { ProjectSuspectLabelsRoute } from "./routes/projects/suspect-labels";
import { ProjectLayout } from "./routes/projects/project-layout";
import { RouteError } from "./routes/route-error";
import { UsersRoute } from "./routes/users";

export function createAppRouter() {
  return createBrowserRouter([
    { path: paths.login.path, element: <LoginRoute />, errorElement: <RouteError /> },
    { path: paths.acceptInvite.path, element: <AcceptInviteRoute />, errorElement: <RouteError /> },
    {
      path: paths.home.path,
      element: (
        <RequireAuth>
          <AppRoot />
        </RequireAuth>
      ),
      errorElement: <RouteError />,
      children: [
        { index: true, element: <Navigate to={paths.projects.href()} replace /> },
        { path: paths.projects.path, element: <ProjectsRoute /> },
        { path: paths.projectCreate.path, element: <CreateProjectRoute /> },
        {
          path: paths.project.path,
          element: <ProjectLayout />,
          children: [
            { index: true, element: <ProjectOverviewRoute /> },
            { path: paths.projectItems.path, element: <ProjectItemsRoute /> },
            { path: paths.projectItem.path, element: <ProjectItemRoute /> },
            { path: paths.projectImport.path, element: <ProjectImportRoute /> },
            { path: paths.projectExport.path, element: <ProjectExportRoute /> },
            { path: paths.projectModels.path, element: <ProjectModelsRoute /> },
            { path: paths.projectDatasets.path, element: <ProjectDatasetsRoute /> },
            { path: paths.projectDrift.path, element: <ProjectDriftRoute /> },
            { path: paths.projectModelCompare.path, element: <ProjectModelCompareRoute /> },
            { path: paths.projectSuspectLabels.path, element: <ProjectSuspectLabelsRoute /> },
            { path: paths.projectAnnotate.path, element: <ProjectAnnotateRoute /> },
            { path: paths.projectDashboard.path, element: <ProjectDashboardRoute /> },
            { path: paths.projectMembers.path, element: <ProjectMembersRoute /> },
            { path: paths.projectSettings.path, element: <ProjectSettingsRoute /> },
          ],
        },
        {
          path: paths.moderation.path,
          element: <ModerationLayout />,
          children: [
            { index: true, element: <ModerationQueueRoute /> },
            { path: paths.moderationReview.path, element: <ModerationReviewRoute /> },
            { path: paths.moderationAppeals.path, element: <ModerationAppealsRoute /> },
            { path: paths.moderationAudit.path, element: <ModerationAuditRoute /> },
            { path: paths.moderationPolicies.path, element: <ModerationPoliciesRoute /> },
            { path: paths.moderationPolicy.path, element: <ModerationPolicyRoute /> },
            { path: paths.moderationWellness.path, element: <ModerationWellnessRoute /> },
            { path: paths.moderationSearch.path, element: <ModerationSearchRoute /> },
            { path: paths.moderationAuthor.path, element: <ModerationAuthorRoute /> },
            { path: paths.moderationQuality.path, element: <ModerationQualityRoute /> },
          ],
        },
        { path: paths.platforms.path, element: <PlatformsRoute /> },
        { path: paths.platform.path, element: <PlatformRoute /> },
        { path: paths.users.path, element: <UsersRoute /> },
        { path: paths.account.path, element: <AccountRoute /> },
        { path: "*", element: <NotFoundRoute /> },
      ],
    },
  ]);
}

export function AppRouter() {
  const [router] = useState(createAppRouter);
  return <RouterProvider router={router} />;
}
