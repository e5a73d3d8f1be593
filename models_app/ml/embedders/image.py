"""Image embedders: ``pixels``, a small descriptor computed with Pillow."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from models_app.ml.embedders.base import Embedder


def _l2_normalise(matrix: np.ndarray) -> np.ndarray:
    """Scale rows to unit norm in place (rows of zeros are left as they are) and return them."""
    norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))
    nonzero = norms > 0
    matrix[nonzero] /= norms[nonzero, None]
    return matrix


class PixelEmbedder(Embedder):
    """Grayscale 16x16 layout, 8-bin-per-channel RGB histogram and 4x4 mean colours.

    Blocks: the thumbnail minus its mean brightness, unit norm (shape); the square roots of the
    per-channel histograms (Hellinger), unit norm (colour palette); the 4x4 mean colours scaled to
    at most unit norm (where the colours are). Weighted, concatenated, L2-normalised: 328 dims.
    Transparent pixels are composited on white, so the same picture saved as RGBA, P, L, CMYK or
    JPEG lands close to itself.
    """

    name = "pixels"
    version = "g16-h8-c4-v1"
    data_type = "image"
    dim = 16 * 16 + 3 * 8 + 4 * 4 * 3

    _work_size = (64, 64)
    _weights = (1.0, 0.5, 0.5)  # shape, palette, layout

    def embed(self, inputs: Sequence[str | bytes], *, batch_size: int = 64) -> np.ndarray:
        matrix = np.zeros((len(inputs), self.dim), dtype=np.float32)
        for row, data in enumerate(inputs):
            try:
                matrix[row] = self._describe(data)
            except Exception as exc:  # Pillow raises many types for broken or unknown files
                raise ValueError(f"input {row} is not a readable image: {exc}") from exc
        return _l2_normalise(matrix)

    def _describe(self, data: str | bytes) -> np.ndarray:
        from PIL import Image

        if isinstance(data, str):
            raise TypeError("image embedders take the file's bytes, not a str")
        image = Image.open(io.BytesIO(bytes(data)))
        # JPEG decoders can scale down while decoding: far cheaper for camera-size photos.
        image.draft("RGB", (self._work_size[0] * 2, self._work_size[1] * 2))
        rgb = self._to_rgb(image).resize(self._work_size, Image.Resampling.BOX, reducing_gap=3.0)
        pixels = np.asarray(rgb, dtype=np.float32) / 255.0  # (64, 64, 3)

        gray = np.asarray(rgb.convert("L").resize((16, 16), Image.Resampling.BOX), np.float32)
        shape = gray.ravel() / 255.0
        shape -= shape.mean()
        shape_norm = np.linalg.norm(shape)
        if shape_norm > 1e-6:  # a flat image has no shape, only colour
            shape /= shape_norm
        else:
            shape[:] = 0

        bins = np.minimum((pixels * 8).astype(np.int64), 7)  # (64, 64, 3) bin per channel
        palette = np.concatenate(
            [np.bincount(bins[..., c].ravel(), minlength=8) for c in range(3)]
        ).astype(np.float32)
        palette = np.sqrt(palette / bins[..., 0].size) / np.sqrt(3.0)

        layout = np.asarray(rgb.resize((4, 4), Image.Resampling.BOX), np.float32).ravel()
        layout = layout / 255.0 / np.sqrt(layout.size)

        w_shape, w_palette, w_layout = self._weights
        return np.concatenate([w_shape * shape, w_palette * palette, w_layout * layout])

    @staticmethod
    def _to_rgb(image: Any) -> Any:
        from PIL import Image, ImageOps

        image = ImageOps.exif_transpose(image) or image
        mode = image.mode
        if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
            mode == "P" and "transparency" in image.info
        ):
            rgba = image.convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            return Image.alpha_composite(white, rgba).convert("RGB")
        if mode.startswith(("I", "F")):
            # 16-bit and float images: Pillow's convert() would clip them; stretch instead.
            values = np.asarray(image, dtype=np.float64)
            low, high = float(values.min()), float(values.max())
            scaled = (values - low) / (high - low) * 255 if high > low else values * 0
            return Image.fromarray(scaled.astype(np.uint8), mode="L").convert("RGB")
        return image.convert("RGB")
