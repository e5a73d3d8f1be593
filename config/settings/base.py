"""Settings shared by every environment. Values come from the environment through ``config.env``."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from config.env import BASE_DIR, DATA_DIR, env

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin with a throttled login form; its URLs exist only with TANDEM_ADMIN_ENABLED.
    "core.admin_apps.TandemAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before whitenoise's app: core's runserver (loopback only under local settings) wins.
    "core",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "models_app",
    "labeling",
    "moderation",
]

MIDDLEWARE = [
    # First: sets the CSP and the other security headers on every response, errors included.
    "core.security.SecurityHeadersMiddleware",
    "core.middleware.RequestIdMiddleware",
    # REMOTE_ADDR becomes the client's address (X-Forwarded-For only via TANDEM_TRUSTED_PROXIES).
    "core.net.ClientAddressMiddleware",
    # Local settings: requests from other machines get 403 (probes and static files included).
    "core.net.LoopbackOnlyMiddleware",
    # /healthz, /readyz and /metrics answer before the host check and the HTTPS redirect:
    # probes and Prometheus call the app's port directly, by address, over plain HTTP.
    "core.observability.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.observability.middleware.RequestMetricsMiddleware",
    "core.observability.middleware.DatabaseUnavailableMiddleware",
    # JSON error bodies under /api/ (also for Django's own and debug pages), then the body
    # limit, which must answer before anything below reads a body.
    "core.errors.ApiJsonErrorsMiddleware",
    "core.limits.BodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

FRONTEND_DIST = BASE_DIR / "frontend" / "dist"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'tandem.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must survive a web process and a worker writing at once: WAL lets
    # readers run beside the writer, IMMEDIATE takes the write lock when a transaction starts
    # (no upgrade deadlocks), and the busy timeout queues writers instead of failing them.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=30000;"
        ),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    # A reused connection is checked before each request: after PostgreSQL restarts, the first
    # request gets a new connection instead of an error.
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # libpq waits forever for an unreachable host; a request (or /readyz) should fail fast
        # into a 503 instead. DATABASE_URL's ?connect_timeout= wins.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (login throttling, rate limits) --------------------------------------------------
CACHES = {
    "default": env.cache_url("CACHE_URL", default=f"filecache://{DATA_DIR / 'cache'}"),
}

# --- Auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = int(timedelta(days=7).total_seconds())  # invitation links
# Security headers (core.security adds the Content-Security-Policy and Permissions-Policy).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [d for d in [FRONTEND_DIST] if d.is_dir()]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Stored files are never served from a public path; the API's file endpoints check the
# caller's role and then stream the file, or (with this set: an internal nginx location such
# as /_protected/ that aliases MEDIA_ROOT) answer with X-Accel-Redirect and let nginx send it.
TANDEM_FILES_X_ACCEL_REDIRECT = env.str("TANDEM_FILES_X_ACCEL_REDIRECT", default="")
# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None

# --- Tandem limits --------------------------------------------------------------------------
TANDEM_IMPORT_MAX_BYTES = env.int("TANDEM_IMPORT_MAX_BYTES", default=512 * 1024 * 1024)
TANDEM_IMAGE_MAX_BYTES = env.int("TANDEM_IMAGE_MAX_BYTES", default=20 * 1024 * 1024)
TANDEM_IMAGE_MAX_PIXELS = env.int("TANDEM_IMAGE_MAX_PIXELS", default=50_000_000)
TANDEM_TEXT_MAX_CHARS = env.int("TANDEM_TEXT_MAX_CHARS", default=1_000_000)
TANDEM_IMPORT_BATCH_SIZE = env.int("TANDEM_IMPORT_BATCH_SIZE", default=5000)
# PostgreSQL connections writing import batches while the file is parsed (0: parse, then write).
TANDEM_IMPORT_WRITER_THREADS = env.int("TANDEM_IMPORT_WRITER_THREADS", default=3)
# Helper tasks an embedding job queues on the embeddings queue: each worker process that picks
# one up embeds chunks of the job's items beside the job's own task (0: the job works alone).
TANDEM_EMBED_HELPERS = env.int("TANDEM_EMBED_HELPERS", default=1)
# Items per chunk of an embedding job: the unit one worker claims at a time.
TANDEM_EMBED_CHUNK_SIZE = env.int("TANDEM_EMBED_CHUNK_SIZE", default=1_024)
# Seconds a worker's claim on a chunk lasts; renewed after every batch (256 items) it embeds, so
# it must exceed the time of one batch. A dead worker's chunk waits this long to be taken over.
TANDEM_EMBED_CLAIM_SECONDS = env.int("TANDEM_EMBED_CLAIM_SECONDS", default=90)
if (
    not 0 <= TANDEM_EMBED_HELPERS <= 64
    or not 1 <= TANDEM_EMBED_CHUNK_SIZE <= 100_000
    or not 5 <= TANDEM_EMBED_CLAIM_SECONDS <= 86_400
):
    raise ImproperlyConfigured(
        "TANDEM_EMBED_HELPERS is 0 to 64, TANDEM_EMBED_CHUNK_SIZE 1 to 100000 and "
        "TANDEM_EMBED_CLAIM_SECONDS 5 to 86400, not "
        f"{TANDEM_EMBED_HELPERS!r}, {TANDEM_EMBED_CHUNK_SIZE!r} and {TANDEM_EMBED_CLAIM_SECONDS!r}"
    )
# The fast first pass: an embedding job with at least this many text items missing a vector
# from a transformer embedder first embeds them all with the distilled "static" model, so the
# queue's order and proposals are ready in seconds; the exact vectors follow (0: no fast pass).
TANDEM_FAST_PASS_MIN_ITEMS = env.int("TANDEM_FAST_PASS_MIN_ITEMS", default=2_000)
if TANDEM_FAST_PASS_MIN_ITEMS < 0:
    raise ImproperlyConfigured(
        f"TANDEM_FAST_PASS_MIN_ITEMS is 0 (off) or more, not {TANDEM_FAST_PASS_MIN_ITEMS!r}"
    )
# Similar-item search: nearest-neighbour index files (usearch, one per owner, embedder and
# generation) live here, private like every stored file. Building one uses this many threads
# (0: every core).
TANDEM_ANN_DIR = Path(env.str("TANDEM_ANN_DIR", default=str(DATA_DIR / "ann")))
TANDEM_ANN_BUILD_THREADS = env.int("TANDEM_ANN_BUILD_THREADS", default=0)
# Login throttling (API login, invitation accept, admin login): attempts per client address,
# and attempts per username from any address (a right password starts that count again).
TANDEM_LOGIN_RATE = env.str("TANDEM_LOGIN_RATE", default="10/min")
TANDEM_LOGIN_USERNAME_RATE = env.str("TANDEM_LOGIN_USERNAME_RATE", default="20/hour")
# Proxies (addresses or CIDRs) whose X-Forwarded-For is believed; nobody else's is.
TANDEM_TRUSTED_PROXIES = env.list("TANDEM_TRUSTED_PROXIES", default=[])
# Django's admin at /admin/ (404 unless enabled).
TANDEM_ADMIN_ENABLED = env.bool("TANDEM_ADMIN_ENABLED", default=False)
# Refuse requests from other machines and binding to other interfaces (the local settings).
TANDEM_LOOPBACK_ONLY = False
# The Davidson hate / offensive tweets the moderation demo (``runtandem``) is made from; when
# the file is missing, Tandem starts without that demo.
TANDEM_DEMO_DAVIDSON_CSV = Path(
    env.str(
        "TANDEM_DEMO_DAVIDSON_CSV",
        default=str(BASE_DIR.parent / "shared" / "datasets" / "davidson_hate_offensive.csv"),
    )
)
# ONNX Runtime threads per embedding process: 1 suits one worker process per core (on a busy
# two-core machine a two-threaded session was no faster and spent 25-45 % more CPU per text).
TANDEM_ONNX_THREADS = env.int("TANDEM_ONNX_THREADS", default=1)
# Queue an embedding job (embeddings queue) when an import adds items.
TANDEM_EMBED_AFTER_IMPORT = env.bool("TANDEM_EMBED_AFTER_IMPORT", default=True)
# How long an annotator holds an item before it returns to the queue (the client renews it).
TANDEM_LEASE_SECONDS = env.int("TANDEM_LEASE_SECONDS", default=300)
# After each rescoring, the queue's order (priority, with the model's prediction) is written
# for this many of the best candidates only; the rest of the pool waits at priority 0.
TANDEM_QUEUE_WINDOW = env.int("TANDEM_QUEUE_WINDOW", default=10_000)
# Webhooks: waits between delivery attempts (seconds; one attempt more than waits), and hosts
# that may be sent to although they resolve to private or loopback addresses.
TANDEM_WEBHOOK_BACKOFF_SECONDS = env.list(
    "TANDEM_WEBHOOK_BACKOFF_SECONDS", cast=float, default=[10, 30, 120, 600, 1800]
)
TANDEM_WEBHOOK_ALLOWED_HOSTS = env.list("TANDEM_WEBHOOK_ALLOWED_HOSTS", default=[])
# Webhooks: how long a sender holds a delivery it claimed for one attempt. Must exceed the
# webhook tasks' hard time limit (60 s): an expired claim means its sender is gone.
TANDEM_WEBHOOK_CLAIM_SECONDS = env.int("TANDEM_WEBHOOK_CLAIM_SECONDS", default=120)
# Webhooks: how often the worker's beat sends what is due in the outbox (seconds).
TANDEM_WEBHOOK_SEND_DUE_SECONDS = env.float("TANDEM_WEBHOOK_SEND_DUE_SECONDS", default=15.0)
if not 0 < TANDEM_WEBHOOK_SEND_DUE_SECONDS <= 3600:
    raise ImproperlyConfigured(
        "TANDEM_WEBHOOK_SEND_DUE_SECONDS is a period in seconds above 0 and at most 3600, "
        f"not {TANDEM_WEBHOOK_SEND_DUE_SECONDS!r}"
    )
# Moderation rules (RE2) read only this many characters of a text.
TANDEM_RULE_SCAN_MAX_CHARS = env.int("TANDEM_RULE_SCAN_MAX_CHARS", default=100_000)
# Moderation intake: a pHash within this many bits (of 64) of a hash-bank entry matches it.
TANDEM_PHASH_MAX_DISTANCE = env.int("TANDEM_PHASH_MAX_DISTANCE", default=8)
# Moderation intake: most items in one batch request.
TANDEM_INTAKE_BATCH_MAX = env.int("TANDEM_INTAKE_BATCH_MAX", default=500)

# --- Hostile input (core/limits.py) ------------------------------------------------------------
# Request bodies, refused with 413 from Content-Length before they are read. The default holds
# for every JSON endpoint without its own limit; single intake's limit is derived from
# TANDEM_IMAGE_MAX_BYTES (base64) and TANDEM_TEXT_MAX_CHARS; imports take
# TANDEM_IMPORT_MAX_BYTES plus 1 MiB of multipart overhead.
TANDEM_REQUEST_MAX_BYTES = env.int("TANDEM_REQUEST_MAX_BYTES", default=1024 * 1024)
TANDEM_INTAKE_BATCH_MAX_BYTES = env.int("TANDEM_INTAKE_BATCH_MAX_BYTES", default=32 * 1024 * 1024)
TANDEM_HASH_IMPORT_MAX_BYTES = env.int("TANDEM_HASH_IMPORT_MAX_BYTES", default=64 * 1024 * 1024)
# Parameters in a query string or form, and files in one multipart request.
TANDEM_REQUEST_MAX_FIELDS = env.int("TANDEM_REQUEST_MAX_FIELDS", default=1000)
TANDEM_UPLOAD_MAX_FILES = env.int("TANDEM_UPLOAD_MAX_FILES", default=100)
# Objects and arrays nested deeper than this are refused (request bodies, JSONL import rows).
TANDEM_JSON_MAX_DEPTH = env.int("TANDEM_JSON_MAX_DEPTH", default=32)
# Zip imports: entries and total uncompressed bytes, from the central directory at upload and
# counted again, in bytes actually decompressed, while the import reads it.
TANDEM_ZIP_MAX_ENTRIES = env.int("TANDEM_ZIP_MAX_ENTRIES", default=100_000)
TANDEM_ZIP_MAX_TOTAL_BYTES = env.int("TANDEM_ZIP_MAX_TOTAL_BYTES", default=2 * 1024**3)
# An import batch is written when it holds TANDEM_IMPORT_BATCH_SIZE rows or this many bytes
# of images and text, whichever comes first.
TANDEM_IMPORT_BATCH_MAX_BYTES = env.int("TANDEM_IMPORT_BATCH_MAX_BYTES", default=32 * 1024 * 1024)
# Items one platform may submit to intake (single and batch together), e.g. 6000/min.
TANDEM_INTAKE_RATE = env.str("TANDEM_INTAKE_RATE", default="6000/min")
# Runs of an import, embedding or training job whose worker died (killed, out of memory) before
# it is marked failed instead of being run again.
TANDEM_TASK_MAX_ATTEMPTS = env.int("TANDEM_TASK_MAX_ATTEMPTS", default=3)

# Django's own request limits follow Tandem's (core.limits): its in-memory body check is set to
# the largest body an endpoint reads into memory, so the endpoint's 413 always answers first.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(
    TANDEM_REQUEST_MAX_BYTES,
    TANDEM_INTAKE_BATCH_MAX_BYTES,
    TANDEM_HASH_IMPORT_MAX_BYTES,
    4 * -(-TANDEM_IMAGE_MAX_BYTES // 3) + 12 * TANDEM_TEXT_MAX_CHARS + 64 * 1024,
)
DATA_UPLOAD_MAX_NUMBER_FIELDS = TANDEM_REQUEST_MAX_FIELDS
DATA_UPLOAD_MAX_NUMBER_FILES = TANDEM_UPLOAD_MAX_FILES

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The token class first: it names the scheme in WWW-Authenticate, so a caller without
    # (or with a wrong or revoked) token gets 401 rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # A lone surrogate quoted back in an error is escaped, not a server error.
    "DEFAULT_RENDERER_CLASSES": [
        "core.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # orjson with a nesting-depth limit (TANDEM_JSON_MAX_DEPTH).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
    # Throttles identify clients by REMOTE_ADDR only, never by a header the client can write:
    # ClientAddressMiddleware has already put the address from a trusted proxy there.
    "NUM_PROXIES": 0,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # `format` is a real query parameter of the export endpoint, not a renderer override.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tandem API",
    "DESCRIPTION": "Label and moderate content together: people and models.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page's JavaScript is served from this install, not from a CDN.
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Names for the enums of models_app's choices (the stage one appears in several fields).
    "ENUM_NAME_OVERRIDES": {
        "ModelStageEnum": "models_app.choices.Stage",
        "ModelVersionStatusEnum": "models_app.choices.ModelVersionStatus",
        "TrainingJobStatusEnum": "models_app.choices.JobStatus",
        "TrainingJobKindEnum": "models_app.choices.JobKind",
        "TrainingJobTriggerEnum": "models_app.choices.JobTrigger",
        "ContentStateEnum": "moderation.choices.ContentState",
        "AppealStateEnum": "moderation.choices.AppealState",
        "HashKindEnum": "moderation.choices.HashKind",
        "AnnotationOutcomeEnum": "labeling.choices.AnnotationOutcome",
        "SuggestionSourceEnum": "labeling.choices.SuggestionSource",
        "SamplingStrategyEnum": "labeling.choices.SamplingStrategy",
        # The name it had while it was the only enum of a field called "source".
        "SourceEnum": "labeling.choices.AnnotationSource",
        "AuditObjectPageEnum": "core.choices.AuditObjectPage",
        "AuditObjectStateEnum": "core.choices.AuditObjectState",
        # Dataset snapshots and exports; import jobs' status is the same set of states.
        "JobStateEnum": "labeling.choices.JobState",
        "DatasetFormatEnum": "labeling.choices.DatasetFormat",
        "FormatEnum": "labeling.choices.ImportFormat",
        # Moderation rules, and the decision actions that had the name "action" to themselves.
        "ActionEnum": "moderation.choices.DecisionAction",
        "RuleActionEnum": "moderation.choices.RuleAction",
        "RuleStatusEnum": "moderation.choices.RuleStatus",
        # Actions on authors (threshold actions and the author record).
        "SanctionKindEnum": "moderation.choices.SanctionKind",
        "SanctionSourceEnum": "moderation.choices.SanctionSource",
        "BreakActionEnum": "moderation.choices.BreakAction",
        "BlurStrengthEnum": "moderation.choices.BlurStrength",
        # Investigation's bulk actions.
        "BulkActionKindEnum": "moderation.choices.BulkActionKind",
    },
}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_celery_dir = DATA_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "results", "control"):
        (_celery_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        # Exchange tables; without it kombu writes them into whatever folder a process runs in.
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    _default_result_backend = f"file://{_celery_dir / 'results'}"
else:
    # A message a worker took and did not acknowledge (tasks acknowledge late) goes back to
    # the queue after this many seconds: how long a task whose worker died (kill -9, a lost
    # machine) waits before another worker runs it. Keep it above the longest task's run time.
    _visibility_timeout = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility_timeout,
        # Workers look for such messages every tenth of the timeout (kombu's own period is
        # 100 s whatever the timeout, which would make a short timeout pointless).
        "unacked_restore_interval": max(1, min(100, _visibility_timeout // 10)),
        "unacked_restore_throttle": 1,
    }
    _default_result_backend = CELERY_BROKER_URL
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=_default_result_backend)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TRACK_STARTED = True
CELERY_RESULT_EXPIRES = int(timedelta(days=1).total_seconds())
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=55 * 60)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES_NAMES = ("default", "embeddings", "training", "webhooks")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Operability: probes, metrics, logs -----------------------------------------------------
# /readyz also waits for the intake models of scoring policies to be loaded in this process.
TANDEM_READYZ_MODELS = env.bool("TANDEM_READYZ_MODELS", default=True)
# Each gunicorn worker loads those models as it starts, before its first request
# (config/gunicorn.py), so no intake request loads one.
TANDEM_WARM_INTAKE_MODELS_AT_START = env.bool("TANDEM_WARM_INTAKE_MODELS_AT_START", default=True)
# Seconds each /readyz check (broker) may take before it counts as not answering.
TANDEM_READYZ_TIMEOUT = env.float("TANDEM_READYZ_TIMEOUT", default=2.0)
# /metrics answers only with "Authorization: Bearer <token>" when set, else loopback clients.
TANDEM_METRICS_TOKEN = env.str("TANDEM_METRICS_TOKEN", default="")
# Where every process writes its metric samples (prometheus-client's multiprocess mode);
# runtandem empties it at start.
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default=str(DATA_DIR / "prometheus"))
# A Celery worker serves its host's metrics on this port (0: off) and address.
TANDEM_WORKER_METRICS_PORT = env.int("TANDEM_WORKER_METRICS_PORT", default=0)
TANDEM_WORKER_METRICS_BIND = env.str("TANDEM_WORKER_METRICS_BIND", default="127.0.0.1")

# Log lines: "json" (one object per line, for log shippers) or "plain" (for a person reading a
# console; local settings use it). Both carry the request id and, in tasks, the task.
TANDEM_LOG_FORMAT = env.str("TANDEM_LOG_FORMAT", default="json")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMATS = ("json", "plain")
if TANDEM_LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(f"TANDEM_LOG_FORMAT is json or plain, not {TANDEM_LOG_FORMAT!r}")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.observability.logging.ContextFilter"}},
    "formatters": {
        "json": {"()": "core.observability.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(context)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": TANDEM_LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's request and dev-server loggers come with handlers of their own: route them
        # through ours so that their lines have the same shape.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}
