from django.urls import path

from labeling.api import learning_views, views

urlpatterns = [
    path("projects/", views.ProjectListCreateApi.as_view(), name="projects"),
    path("projects/<int:project_id>/", views.ProjectDetailApi.as_view(), name="project-detail"),
    path("projects/<int:project_id>/members/", views.MemberListCreateApi.as_view(), name="members"),
    path(
        "projects/<int:project_id>/members/<int:member_id>/",
        views.MemberDetailApi.as_view(),
        name="member-detail",
    ),
    path("projects/<int:project_id>/items/", views.ItemListApi.as_view(), name="items"),
    path(
        "projects/<int:project_id>/items/<int:item_id>/",
        views.ItemDetailApi.as_view(),
        name="item-detail",
    ),
    path(
        "projects/<int:project_id>/items/<int:item_id>/annotations/",
        views.ItemAnnotationCreateApi.as_view(),
        name="item-annotations",
    ),
    path("projects/<int:project_id>/imports/", views.ImportListCreateApi.as_view(), name="imports"),
    path(
        "projects/<int:project_id>/imports/<int:import_id>/",
        views.ImportDetailApi.as_view(),
        name="import-detail",
    ),
    path(
        "projects/<int:project_id>/imports/<int:import_id>/retry/",
        views.ImportRetryApi.as_view(),
        name="import-retry",
    ),
    path("projects/<int:project_id>/export/", views.ExportApi.as_view(), name="export"),
    path(
        "projects/<int:project_id>/training-jobs/",
        learning_views.TrainingJobListCreateApi.as_view(),
        name="training-jobs",
    ),
    path(
        "projects/<int:project_id>/training-jobs/<int:job_id>/",
        learning_views.TrainingJobDetailApi.as_view(),
        name="training-job-detail",
    ),
    path(
        "projects/<int:project_id>/model-versions/",
        learning_views.ModelVersionListApi.as_view(),
        name="model-versions",
    ),
    path(
        "projects/<int:project_id>/model-versions/<int:version_id>/",
        learning_views.ModelVersionDetailApi.as_view(),
        name="model-version-detail",
    ),
    path(
        "projects/<int:project_id>/model-versions/<int:version_id>/stage/",
        learning_views.ModelVersionStageApi.as_view(),
        name="model-version-stage",
    ),
    path(
        "projects/<int:project_id>/learning-curve/",
        learning_views.LearningCurveApi.as_view(),
        name="learning-curve",
    ),
    path(
        "projects/<int:project_id>/auto-label/",
        learning_views.AutoLabelApi.as_view(),
        name="auto-label",
    ),
]
