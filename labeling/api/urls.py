from django.urls import path

from labeling.api import views

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
]
