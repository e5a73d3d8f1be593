from labeling.models.annotation import Annotation
from labeling.models.import_job import ImportJob
from labeling.models.item import Item
from labeling.models.project import LabelClass, Project, ProjectMembership

__all__ = ["Annotation", "ImportJob", "Item", "LabelClass", "Project", "ProjectMembership"]
