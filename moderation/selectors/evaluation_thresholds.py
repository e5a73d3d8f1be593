"""The policies of a labeling project with their categories' thresholds, for the evaluation of
its model versions (labeling asks through the provider registered in ``ModerationConfig``)."""

from typing import Any

from moderation.models import Policy


def policy_thresholds_of_project(project_id: int) -> list[dict[str, Any]]:
    """``[{"id", "name", "automation_level", "categories": [{"name", "label_class",
    "remove_threshold", "allow_threshold"}]}]`` of the policies linked to the project."""
    policies = Policy.objects.filter(project_id=project_id).prefetch_related("categories")
    return [
        {
            "id": policy.pk,
            "name": policy.name,
            "automation_level": policy.automation_level,
            "categories": [
                {
                    "name": category.name,
                    "label_class": category.label_class,
                    "remove_threshold": category.remove_threshold,
                    "allow_threshold": category.allow_threshold,
                }
                for category in policy.categories.all()
            ],
        }
        for policy in policies.order_by("name")
    ]
