"""The one place settings read the environment.

Every variable Tandem understands is read here or in ``config/settings/*`` through ``env``;
the README's configuration table lists them all.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Everything the embedded default writes (SQLite file, media, Celery's filesystem broker) lives
# under one directory so a laptop install is one folder to back up or delete.
DATA_DIR = Path(env.str("TANDEM_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
