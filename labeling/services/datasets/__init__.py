"""Dataset snapshots: cutting them (``cut``), their stored file (``schema``) and the formats
they are exported in (``formats``)."""
