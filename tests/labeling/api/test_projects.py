"""Projects, their label classes and guidelines, and project membership through the API."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labeling.choices import ImportFormat, Role
from labeling.models import ImportJob, Item, LabelClass, Project, ProjectMembership
from tests.factories import (
    AnnotationFactory,
    ItemFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BINARY = {
    "name": "SMS spam",
    "task_type": "binary",
    "label_classes": [{"name": "ham"}, {"name": "spam"}],
}


@pytest.fixture
def staff(api):
    return api.as_user(UserFactory(is_staff=True))


@pytest.fixture
def admin_client(api, make_member):
    return api.as_user(make_member(Role.ADMIN))


def create(client, **overrides):
    return client.post("/api/v1/projects/", {**BINARY, **overrides}, format="json")


# --- create and update -----------------------------------------------------------------------


def test_staff_creates_project_with_label_classes_in_order_with_hotkeys_one_to_n(staff):
    classes = [{"name": n} for n in ("hate", "offensive", "neither")]

    response = create(staff, task_type="multiclass", label_classes=classes)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(lc["name"], lc["hotkey"], lc["order"]) for lc in body["label_classes"]] == [
        ("hate", "1", 0),
        ("offensive", "2", 1),
        ("neither", "3", 2),
    ]
    assert len({lc["colour"] for lc in body["label_classes"]}) == 3
    assert body["item_count"] == 0
    assert body["role"] == Role.ADMIN


def test_project_keeps_the_hotkeys_and_colours_it_was_given(staff):
    classes = [
        {"name": "ham", "hotkey": "h", "colour": "#112233"},
        {"name": "spam", "hotkey": "s", "colour": "#AABBCC"},
    ]

    body = create(staff, label_classes=classes).json()

    assert [(lc["hotkey"], lc["colour"]) for lc in body["label_classes"]] == [
        ("h", "#112233"),
        ("s", "#AABBCC"),
    ]


def test_default_hotkey_never_takes_a_key_given_to_another_class(staff):
    classes = [{"name": "a"}, {"name": "b", "hotkey": "1"}, {"name": "c"}]

    response = create(staff, task_type="multiclass", label_classes=classes)

    assert response.status_code == 201, response.json()
    hotkeys = [lc["hotkey"] for lc in response.json()["label_classes"]]
    assert hotkeys[1] == "1"
    assert len(set(hotkeys)) == 3
    assert all(hotkeys)


def test_classes_after_the_ninth_get_no_default_hotkey(staff):
    classes = [{"name": f"class {n}"} for n in range(1, 12)]

    body = create(staff, task_type="multiclass", label_classes=classes).json()

    assert [lc["hotkey"] for lc in body["label_classes"]] == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "",
        "",
    ]


def test_duplicate_label_class_names_are_refused_naming_the_duplicates(staff):
    classes = [{"name": "ham"}, {"name": "spam"}, {"name": " ham "}, {"name": "spam"}]

    response = create(staff, task_type="multiclass", label_classes=classes)

    assert response.status_code == 400
    assert response.json() == {
        "message": "Label class names must be unique.",
        "extra": {"duplicates": ["ham", "spam"]},
    }
    assert not Project.objects.exists()


def test_duplicate_hotkeys_are_refused(staff):
    classes = [{"name": "ham", "hotkey": "x"}, {"name": "spam", "hotkey": "x"}]

    response = create(staff, label_classes=classes)

    assert response.status_code == 400
    assert "hotkeys must be unique" in response.json()["message"]
    assert not Project.objects.exists()


@pytest.mark.parametrize("names", [["only"], ["a", "b", "c"]], ids=["one", "three"])
def test_binary_project_needs_exactly_two_classes(staff, names):
    response = create(staff, label_classes=[{"name": n} for n in names])

    assert response.status_code == 400
    assert response.json()["message"] == "A binary project needs exactly two label classes."
    assert not Project.objects.exists()


def test_multiclass_project_needs_at_least_two_classes(staff):
    response = create(staff, task_type="multiclass", label_classes=[{"name": "alone"}])

    assert response.status_code == 400
    assert "at least two" in response.json()["message"]


def test_blank_label_class_name_is_refused(staff):
    response = create(staff, label_classes=[{"name": "ham"}, {"name": "   "}])

    assert response.status_code == 400
    assert not Project.objects.exists()


def test_invalid_colour_is_refused_naming_the_field(staff):
    response = create(staff, label_classes=[{"name": "ham"}, {"name": "spam", "colour": "red"}])

    assert response.status_code == 400
    assert response.json()["message"].startswith("label_classes:")
    assert "colour" in response.json()["extra"]["fields"]["label_classes"]["1"]


def test_creator_becomes_the_projects_only_admin(staff):
    body = create(staff).json()

    members = staff.get(f"/api/v1/projects/{body['id']}/members/").json()["results"]

    assert [m["role"] for m in members] == [Role.ADMIN]


def test_admin_renames_project_and_reorders_label_classes_swapping_hotkeys(admin_client, project):
    ham, spam = project.label_classes.order_by("order")

    response = admin_client.patch(
        f"/api/v1/projects/{project.pk}/",
        {
            "name": "Renamed",
            "label_classes": [{"name": "spam", "hotkey": "1"}, {"name": "ham", "hotkey": "2"}],
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["name"] == "Renamed"
    assert [(lc["id"], lc["name"], lc["hotkey"]) for lc in body["label_classes"]] == [
        (spam.pk, "spam", "1"),
        (ham.pk, "ham", "2"),
    ]


def test_updating_label_classes_replaces_the_list_matching_by_name(admin_client, project):
    ham = project.label_classes.get(name="ham")

    body = admin_client.patch(
        f"/api/v1/projects/{project.pk}/",
        {"label_classes": [{"name": "ham"}, {"name": "phishing", "hotkey": "1"}]},
        format="json",
    ).json()

    assert [lc["name"] for lc in body["label_classes"]] == ["ham", "phishing"]
    assert body["label_classes"][0]["id"] == ham.pk
    assert set(LabelClass.objects.filter(project=project).values_list("name", flat=True)) == {
        "ham",
        "phishing",
    }
    assert len({lc["hotkey"] for lc in body["label_classes"]}) == 2


def test_update_with_duplicate_names_changes_nothing(admin_client, project):
    response = admin_client.patch(
        f"/api/v1/projects/{project.pk}/",
        {"name": "Changed", "label_classes": [{"name": "x"}, {"name": "x"}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["extra"] == {"duplicates": ["x"]}
    project.refresh_from_db()
    assert project.name != "Changed"
    assert list(project.label_classes.values_list("name", flat=True)) == ["ham", "spam"]


def test_update_keeps_a_binary_project_at_two_classes(admin_client, project):
    response = admin_client.patch(
        f"/api/v1/projects/{project.pk}/",
        {"label_classes": [{"name": "ham"}, {"name": "spam"}, {"name": "phishing"}]},
        format="json",
    )

    assert response.status_code == 400
    assert project.label_classes.count() == 2


def test_admin_deletes_project_with_its_items(admin_client, project):
    ItemFactory.create_batch(3, project=project)

    response = admin_client.delete(f"/api/v1/projects/{project.pk}/")

    assert response.status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not Item.objects.filter(project_id=project.pk).exists()
    assert admin_client.get(f"/api/v1/projects/{project.pk}/").status_code == 404


def test_project_detail_counts_its_items(admin_client, project):
    ItemFactory.create_batch(4, project=project)
    ItemFactory.create_batch(2)  # another project's

    body = admin_client.get(f"/api/v1/projects/{project.pk}/").json()

    assert body["item_count"] == 4


# --- guidelines and names are data, not markup ---------------------------------------------------


GUIDELINES = """# Spam

Mark **unsolicited** offers as spam. See [the policy](https://example.org/policy).

<script>alert("guidelines")</script>
<img src="x.png" onerror="alert('img')">
<a href="javascript:alert('link')">click</a>
<p onclick="alert('p')">text</p>
[markdown link](javascript:alert('md'))
"""


def test_guidelines_are_stored_as_written_and_rendered_without_scripts_or_handlers(staff):
    response = create(staff, guidelines=GUIDELINES)

    assert response.status_code == 201
    body = response.json()
    assert body["guidelines"] == GUIDELINES
    html = body["guidelines_html"].lower()
    assert "<h1>spam</h1>" in html
    assert "<strong>unsolicited</strong>" in html
    assert 'href="https://example.org/policy"' in html
    assert "<script" not in html
    assert "alert(" not in html
    for handler in ("onerror", "onclick", "javascript:"):
        assert handler not in html


def test_updated_guidelines_are_rendered_again_safely(admin_client, project):
    body = admin_client.patch(
        f"/api/v1/projects/{project.pk}/",
        {"guidelines": "Be kind.<svg onload=alert(1)><script>x()</script>"},
        format="json",
    ).json()

    assert body["guidelines"] == "Be kind.<svg onload=alert(1)><script>x()</script>"
    assert "Be kind." in body["guidelines_html"]
    for unsafe in ("<script", "onload", "<svg", "x()"):
        assert unsafe not in body["guidelines_html"]


def test_project_name_with_html_is_stored_and_returned_as_plain_data(staff):
    name = '<b>Bold</b> <img src=x onerror="alert(1)"> & co'

    response = create(staff, name=name)

    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert response.json()["name"] == name
    assert Project.objects.get().name == name
    listed = staff.get("/api/v1/projects/").json()["results"]
    assert listed[0]["name"] == name


# --- members -----------------------------------------------------------------------------------


def members_url(project):
    return f"/api/v1/projects/{project.pk}/members/"


def test_admin_adds_a_member_by_username(admin_client, project):
    newcomer = UserFactory(username="nina", email="nina@example.org")

    response = admin_client.post(
        members_url(project), {"username": "nina", "role": Role.ANNOTATOR}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["user"], body["username"], body["email"], body["role"]) == (
        newcomer.pk,
        "nina",
        "nina@example.org",
        Role.ANNOTATOR,
    )
    assert ProjectMembership.objects.filter(project=project, user=newcomer).exists()


def test_adding_an_existing_member_again_is_a_conflict(admin_client, project):
    member = MembershipFactory(project=project, role=Role.ANNOTATOR)

    response = admin_client.post(
        members_url(project),
        {"username": member.user.username, "role": Role.ADMIN},
        format="json",
    )

    assert response.status_code == 409
    assert "already a member" in response.json()["message"]
    member.refresh_from_db()
    assert member.role == Role.ANNOTATOR


def test_adding_an_unknown_username_names_the_field(admin_client, project):
    response = admin_client.post(
        members_url(project), {"username": "ghost", "role": Role.ANNOTATOR}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["message"].startswith("username:")


def test_adding_a_member_with_an_unknown_role_is_refused(admin_client, project):
    UserFactory(username="nina")

    response = admin_client.post(
        members_url(project), {"username": "nina", "role": "overlord"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["message"].startswith("role:")


def test_admin_changes_a_members_role(admin_client, project):
    member = MembershipFactory(project=project, role=Role.ANNOTATOR)

    response = admin_client.patch(
        f"{members_url(project)}{member.pk}/", {"role": Role.SENIOR_MODERATOR}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["role"] == Role.SENIOR_MODERATOR
    member.refresh_from_db()
    assert member.role == Role.SENIOR_MODERATOR


def test_admin_removes_a_member(admin_client, project):
    member = MembershipFactory(project=project, role=Role.MODERATOR)

    response = admin_client.delete(f"{members_url(project)}{member.pk}/")

    assert response.status_code == 204
    assert not ProjectMembership.objects.filter(pk=member.pk).exists()


def test_removed_member_loses_access_to_the_project(api, admin_client, project):
    user = UserFactory()
    member = MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
    admin_client.delete(f"{members_url(project)}{member.pk}/")

    response = api.as_user(user).get(f"/api/v1/projects/{project.pk}/items/")

    assert response.status_code == 404


def test_last_admin_cannot_be_removed(api, project, make_member):
    admin = make_member(Role.ADMIN)
    membership = ProjectMembership.objects.get(project=project, user=admin)

    response = api.as_user(admin).delete(f"{members_url(project)}{membership.pk}/")

    assert response.status_code == 409
    assert response.json() == {"message": "A project must keep at least one admin.", "extra": {}}
    assert ProjectMembership.objects.filter(pk=membership.pk).exists()


def test_last_admin_cannot_be_demoted(api, project, make_member):
    admin = make_member(Role.ADMIN)
    membership = ProjectMembership.objects.get(project=project, user=admin)

    response = api.as_user(admin).patch(
        f"{members_url(project)}{membership.pk}/", {"role": Role.ANNOTATOR}, format="json"
    )

    assert response.status_code == 409
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_an_admin_may_step_down_while_another_admin_remains(api, project, make_member):
    admin = make_member(Role.ADMIN)
    make_member(Role.ADMIN)
    membership = ProjectMembership.objects.get(project=project, user=admin)

    response = api.as_user(admin).patch(
        f"{members_url(project)}{membership.pk}/", {"role": Role.ML_ENGINEER}, format="json"
    )

    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.role == Role.ML_ENGINEER


def test_last_admin_may_keep_the_admin_role(api, project, make_member):
    admin = make_member(Role.ADMIN)
    membership = ProjectMembership.objects.get(project=project, user=admin)

    response = api.as_user(admin).patch(
        f"{members_url(project)}{membership.pk}/", {"role": Role.ADMIN}, format="json"
    )

    assert response.status_code == 200


# --- list endpoints keep a fixed number of queries ---------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("rows", [1, 30])
def test_project_list_query_count_does_not_grow_with_projects(
    api, django_assert_max_num_queries, rows
):
    user = UserFactory()
    for project in ProjectFactory.create_batch(rows):
        MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
        ItemFactory.create_batch(2, project=project)
    client = api.as_user(user)

    # Six, and four for the status line (imports, jobs, models, label counts).
    with django_assert_max_num_queries(10):
        body = client.get("/api/v1/projects/").json()

    assert body["count"] == rows
    assert all(len(p["label_classes"]) == 2 and p["item_count"] == 2 for p in body["results"])


@pytest.mark.parametrize("rows", [1, 30])
def test_member_list_query_count_does_not_grow_with_members(
    admin_client, project, django_assert_max_num_queries, rows
):
    MembershipFactory.create_batch(rows, project=project)

    with django_assert_max_num_queries(6):
        body = admin_client.get(members_url(project)).json()

    assert body["count"] == rows + 1
    assert all(m["username"] for m in body["results"])


@pytest.mark.parametrize("rows", [1, 30])
def test_item_list_query_count_does_not_grow_with_items_or_annotations(
    admin_client, project, django_assert_max_num_queries, rows
):
    annotator = UserFactory()
    for item in ItemFactory.create_batch(rows, project=project):
        AnnotationFactory(item=item, annotator=annotator)
        AnnotationFactory(item=item, annotator=UserFactory())

    with django_assert_max_num_queries(7):
        body = admin_client.get(f"/api/v1/projects/{project.pk}/items/").json()

    assert body["count"] == rows
    assert all(len(i["annotations"]) == 2 for i in body["results"])
    assert all(a["annotator"] for i in body["results"] for a in i["annotations"])


@pytest.mark.parametrize("rows", [1, 30])
def test_import_list_query_count_does_not_grow_with_imports(
    admin_client, project, django_assert_max_num_queries, rows
):
    for n in range(rows):
        job = ImportJob(
            project=project,
            created_by=UserFactory(),
            original_name=f"{n}.csv",
            format=ImportFormat.CSV,
        )
        job.file.save(f"{project.pk}/{n}.csv", ContentFile(b"text\nx\n"), save=False)
        job.save()

    with django_assert_max_num_queries(6):
        body = admin_client.get(f"/api/v1/projects/{project.pk}/imports/").json()

    assert body["count"] == rows
    assert all(j["created_by"] for j in body["results"])


@pytest.mark.parametrize("rows", [1, 30])
def test_user_list_query_count_does_not_grow_with_users(api, django_assert_max_num_queries, rows):
    UserFactory.create_batch(rows)
    client = api.as_user(UserFactory(is_staff=True))

    with django_assert_max_num_queries(4):
        body = client.get("/api/v1/users/").json()

    assert body["count"] == rows + 1


def test_list_endpoints_use_the_same_queries_for_one_row_as_for_thirty(api):
    """No N+1: the query count for 30 rows equals the count for 1 row on every list."""
    user = UserFactory(is_staff=True)
    client = api.as_user(user)

    def counts():
        project = ProjectFactory()
        MembershipFactory(project=project, user=user, role=Role.ADMIN)
        return project

    small, large = counts(), counts()
    for project, rows in ((small, 1), (large, 30)):
        for item in ItemFactory.create_batch(rows, project=project):
            AnnotationFactory(item=item, annotator=UserFactory())
        MembershipFactory.create_batch(rows, project=project)
    ProjectFactory.create_batch(29)

    def per_project(project):
        return [
            count_queries(client, f"/api/v1/projects/{project.pk}/items/"),
            count_queries(client, f"/api/v1/projects/{project.pk}/members/"),
        ]

    assert per_project(small) == per_project(large)


def test_project_list_pages_through_every_project_once_newest_first(api):
    user = UserFactory()
    projects = ProjectFactory.create_batch(5)
    for project in projects:
        MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
    client = api.as_user(user)

    pages = [
        client.get("/api/v1/projects/", {"page": page, "page_size": 2}).json()["results"]
        for page in (1, 2, 3)
    ]

    seen = [p["id"] for page in pages for p in page]
    assert seen == [p.pk for p in reversed(projects)]


def test_guidelines_keep_leading_indentation_that_markdown_reads_as_code(admin_client, project):
    guidelines = "    label_of(item) -> 'spam'\n\nThen explain why.\n"

    body = admin_client.patch(
        f"/api/v1/projects/{project.pk}/", {"guidelines": guidelines}, format="json"
    ).json()

    assert body["guidelines"] == guidelines
    assert body["guidelines_html"].startswith("<pre><code>")
