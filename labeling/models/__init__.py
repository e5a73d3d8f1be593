from labeling.models.annotation import Annotation
from labeling.models.dataset_snapshot import DatasetExport, DatasetSnapshot
from labeling.models.drift import DriftSettings, DriftWindow
from labeling.models.import_job import ImportJob
from labeling.models.item import Item
from labeling.models.project import LabelClass, Project, ProjectMembership
from labeling.models.queue import Adjudication, ItemFlag, QueueAssignment

__all__ = [
    "Adjudication",
    "Annotation",
    "DatasetExport",
    "DatasetSnapshot",
    "DriftSettings",
    "DriftWindow",
    "ImportJob",
    "Item",
    "ItemFlag",
    "LabelClass",
    "Project",
    "ProjectMembership",
    "QueueAssignment",
]
