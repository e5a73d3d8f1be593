import pytest

pytestmark = pytest.mark.django_db


def test_staff_user_creates_project_and_becomes_its_admin(api, make_member):
    staff = make_member(None, is_staff=True)
    response = api.as_user(staff).post(
        "/api/v1/projects/",
        {
            "name": "SMS",
            "task_type": "binary",
            "label_classes": [{"name": "ham"}, {"name": "spam"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["role"] == "admin"
    assert [lc["hotkey"] for lc in body["label_classes"]] == ["1", "2"]
