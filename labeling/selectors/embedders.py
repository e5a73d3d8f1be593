"""Which embedder a project's vectors come from.

Vectors live in models_app's cache under the project's owner key and the embedder's key
(``name@version``), so changing the embedder or its version never mixes vector spaces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from labeling.models import Project

if TYPE_CHECKING:
    from models_app.ml.embedders.base import Embedder


def project_embedder_name(*, project: Project) -> str:
    from models_app.ml.embedders.registry import default_embedder_name

    return project.embedder or default_embedder_name(project.data_type)


def project_embedder(*, project: Project) -> Embedder:
    """The project's embedder (weights load on first use); ``EmbedderUnavailable`` names the
    package to install when it cannot run here."""
    from models_app.ml.embedders.registry import get_embedder

    return get_embedder(project_embedder_name(project=project))
