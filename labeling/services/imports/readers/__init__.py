"""Streaming readers for import files, one module per format.

Pure Python: no models, no database, nothing imported from Django (an import-linter
contract keeps it so), so they are tested on bytes alone.

``rows`` (the ``ParsedRow`` every reader yields, ``ImportFileError``, shared clean-up) and
``lines`` (UTF-8 lines with bad ones kept aside) are shared; ``csv_reader``, ``jsonl_reader``,
``text_reader`` and ``image_reader`` (image files and zips, with their limits) read one format each.
"""
