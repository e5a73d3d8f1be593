from models_app.models.embedding import Embedding, EmbeddingWrites
from models_app.models.embedding_chunk import EmbeddingChunk
from models_app.models.registry import ModelVersion
from models_app.models.training_job import TrainingJob

__all__ = ["Embedding", "EmbeddingChunk", "EmbeddingWrites", "ModelVersion", "TrainingJob"]
