"""Settings for Onboarding Portal.

Everything comes from the environment (django-environ). With nothing set, the app runs on
embedded defaults: SQLite and a file-system Celery broker under ``var/``, so a newcomer's
first run needs no server. Set ``DATABASE_URL`` and ``CELERY_BROKER_URL`` (or ``REDIS_URL``)
to run on PostgreSQL and Redis. ``.env.example`` and README list every variable.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=False)
# PRODUCTION switches on every transport-security default (HTTPS redirect, secure cookies, HSTS).
PRODUCTION = env.bool("PRODUCTION", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    # Development and tests only; PRODUCTION refuses to start without a real key.
    SECRET_KEY = "dev-insecure-" + "k" * 50
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Our own reverse proxies (addresses or networks). Only requests from these may name the client's address in
# X-Forwarded-For; empty means the app is reached directly and REMOTE_ADDR is the client (accounts/client_address.py).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError as _error:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network.") from _error

INSTALLED_APPS = [
    # The audit trail's admin (each tracked object's change page links its events): before Django's admin, whose
    # object-tools template it extends.
    "pghistory.admin",
    # Django's admin, with a password-change page that counts towards the lockout (onboarding_portal/admin_site.py).
    "onboarding_portal.admin_apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    # Nested inlines in the admin: a checklist template's stages and their items on one page.
    "nested_admin",
    "axes",
    "csp",
    # Two-factor login (accounts/mfa/): allauth's authenticators (TOTP, recovery codes) and its record of how a
    # session signed in; the login itself stays accounts' own (no allauth signup or login pages are routed).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # The audit trail (audit/): history rows written by PostgreSQL triggers (pgtrigger), read by audit's selectors.
    "pgtrigger",
    "pghistory",
    "audit",
    "accounts",
    "attachments",
    "engagements",
    # Decision receipts (below the deciding apps, above engagements).
    "receipts",
    "checklists",
    "governance",
    "escalations",
    "quality",
    "documents",
    "notifications",
    "webhooks",
    "portfolio",
    # The REST API (api/): token authentication, the OpenAPI schema and its reference page (assets vendored).
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    # A client's data on request (client_data/): the export of everything of one client organization.
    "client_data",
    # The project package: seed_demo and the orchestration of the apps' demo data.
    "onboarding_portal",
]

MIDDLEWARE = [
    # Drops X-Forwarded-Proto unless an own proxy sent it (TRUSTED_PROXIES), before anything asks is_secure().
    "accounts.middleware.ForwardedProtoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here and never reach the middleware below (no session, CSP or no-store).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # allauth's request context (its TOTP helpers read the request from it).
    "allauth.account.middleware.AccountMiddleware",
    # A session that must enrol a second factor first reaches only the enrolment page (accounts/mfa/).
    "accounts.mfa.middleware.EnrolmentRequiredMiddleware",
    "accounts.middleware.PrivatePagesMiddleware",
    # The audit trail's context: each write of the request carries its user and client address (off on SQLite).
    "audit.context.AuditContextMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    # After the user's language, so the page that refuses a NUL byte is in it.
    "accounts.middleware.RefuseNulBytesMiddleware",
    # Staff reading an engagement's portal as its client sees it (read-only): after the user's own preferences.
    "portfolio.preview.PortalPreviewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "onboarding_portal.urls"
WSGI_APPLICATION = "onboarding_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portfolio.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
if "DATABASE_URL" not in env or not env.str("CELERY_BROKER_URL", default=env.str("REDIS_URL", default="")):
    # Embedded defaults keep their files here.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if not env.bool("DATABASE_JIT", default=False):
        # PostgreSQL's JIT compiles the dashboards' one large figures query (every health signal as a subquery) for
        # ~10 s before running it for ~1 s: a web app's short queries never gain from it, so it is off per session.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
else:
    # SQLite: wait for a lock instead of failing at once while worker and web both write.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes requires, so locked-out users are refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Idle timeout: the session expires after this many seconds without a request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# How long the link that confirms a new email address stays valid.
EMAIL_CHANGE_VALID_HOURS = env.int("EMAIL_CHANGE_VALID_HOURS", default=24)
# Mail people can make the portal send (password resets, invitations, address confirmations), per kind, per
# window: to one address, and from one client address (anonymous visitors / signed-in people).
MAIL_LIMIT_WINDOW_MINUTES = env.int("MAIL_LIMIT_WINDOW_MINUTES", default=60)
MAIL_LIMIT_PER_ADDRESS = env.int("MAIL_LIMIT_PER_ADDRESS", default=5)
MAIL_LIMIT_PER_IP = env.int("MAIL_LIMIT_PER_IP", default=20)
MAIL_LIMIT_PER_IP_SIGNED_IN = env.int("MAIL_LIMIT_PER_IP_SIGNED_IN", default=200)

# Two-factor login (accounts/mfa/): a decision asks for the second factor again when the last one is older.
MFA_STEP_UP_MINUTES = env.int("MFA_STEP_UP_MINUTES", default=15)
# How long the code page waits for the second factor after the right password.
MFA_LOGIN_TIMEOUT_SECONDS = 5 * 60
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Onboarding Portal")
# One code either side of now: a phone's clock a little off still signs in.
MFA_TOTP_TOLERANCE = 1
# Recovery codes are shown once, when made (the profile offers new ones, which void the old).
MFA_RECOVERY_CODES_SHOW_ONCE = True
# allauth.account is installed for its authentication records only: no signup, login by email.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Lock the account under attack whatever IP the attempts come from, and an IP that sprays
# passwords over many accounts.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
# Counted as the login form matches: "IT@Acme.example " is "it@acme.example"; and from the client's own
# address, never our proxy's (see accounts/lockout.py).
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.axes_client_ip"
# A successful login clears the failures against that account only (accounts.lockout), never those of its address.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ADMIN = True
AXES_VERBOSE = False

# Believed from TRUSTED_PROXIES only (accounts.middleware.ForwardedProtoMiddleware drops it from anyone else).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only our own files run and style pages: no inline script, style or event handler, no eval, no framing. A
# third-party template that needs an inline script (an admin page) carries the per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # Bootstrap draws its icons (menu toggler, select arrows) as data: SVG images in its CSS.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# --- Internationalization --------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
# Every string is marked for translation; a language is listed here once its catalogue exists under locale/,
# so nobody can pick a language and still get English.
LANGUAGES = [("en", _("English")), ("pl", _("Polish")), ("de", _("German"))]
# Unambiguous date formats per language (see onboarding_portal/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["onboarding_portal.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files and uploads --------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    # Uploads never get a public URL: they are served by access-checked views only.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("UPLOAD_ROOT", default=str(VAR_DIR / "uploads")), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Email -------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# A hung SMTP server must not hold a relay (and its claimed rows) until the task's hard time limit.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Onboarding Portal <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery --------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery-broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        # kombu's default is ./control, relative to the working directory: it wrote exchange files into
        # the repository root.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than any task's hard time limit, so a running task is never handed out twice.
        "visibility_timeout": 3600,
        # A Redis host that is rebooting drops packets instead of refusing: without a bound, each reconnect
        # attempt would hang for the kernel's connect timeout (about two minutes) instead of retrying.
        "socket_connect_timeout": 5,
        # A Redis that vanishes without closing the TCP connection (failover, NAT or firewall timeout) would
        # otherwise leave a publish or an ack waiting forever on the dead socket (kombu's redis transport docs).
        # Far above any command we send; the consumer's idle BRPOP is watched by health_check_interval instead.
        "socket_timeout": 30,
        # kombu's default, written out because the line above relies on it: a BRPOP or pub/sub connection whose
        # reply is this overdue is dropped and reconnected, so a consumer on a half-open socket recovers in ~1 min.
        "health_check_interval": 25,
    }
# Surviving a Redis restart (a worker that exits is restarted by its supervisor: bin/start, deploy/):
# - Retry the broker connection forever, at startup and after a loss. Celery's default gives up after 100
#   attempts (about 45 minutes of outage) and the worker exits; the rows wait in the database meanwhile.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# - One task at a time per worker process (scale with more worker processes, never with --concurrency).
#   With Celery 5.7 / kombu 5.7, a worker that holds some unacknowledged messages while it is still polling
#   for more (0 < unacked < concurrency x prefetch) when Redis goes away exits with "Unrecoverable error:
#   AttributeError('NoneType' object has no attribute 'hostname')": the consumer's cleanup closes its
#   channel twice, and the second close tries to restore the unacked messages through a transport whose
#   client it has just set to None. With one process and a prefetch of one the worker either holds nothing
#   or holds one message and is not polling, so it never takes that path (measured with a worker busy sending
#   mail while its Redis restarted: concurrency 2 exited in 5 of 21 restarts, concurrency 1 in none of 34).
#   onboarding_portal/celery.py warns when this is overridden.
CELERY_WORKER_CONCURRENCY = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A worker reserves nothing beyond the task it runs (see CELERY_WORKER_CONCURRENCY above).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat's schedule lives in django-celery-beat's tables (editable in admin); the rows are created once,
# after migrate, by notifications/schedule.py. No CELERY_BEAT_SCHEDULE: beat would overwrite admin edits.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ALWAYS_EAGER = False
# A kick enqueued while the broker is down must not hang the request that wrote the rows: give up quickly
# (the outbox row is already committed, and the periodic tick delivers it).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_BROKER_CONNECTION_TIMEOUT = 5
# When the broker connection drops, let the running task finish instead of killing it. Our tasks carry no
# data (ids at most) and do their work in the database and over SMTP, not through the broker: a relay killed
# mid-batch would leave its claimed rows waiting for their lease (NOTIFICATIONS_LEASE_SECONDS) and resend the
# message it was sending. Finished, it marks them sent; only the ack of its tick is lost, and a tick that
# comes again is harmless. Measured over Redis restarts mid-relay: killing resent one email each time and
# delayed the batch by the lease; finishing resent none. Set explicitly: Celery 6 changes the default.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False

# --- Webhooks ----------------------------------------------------------------------------------------
# Networks webhooks may be sent to although they are not public (refused otherwise: no server-side request forgery),
# e.g. "10.0.0.0/24,127.0.0.1/32" for a receiver inside your own network.
WEBHOOKS_ALLOWED_NETWORKS = env.list("WEBHOOKS_ALLOWED_NETWORKS", default=[])
# Seconds one delivery may take (connect, and each read): a slow receiver must not hold up the relay.
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=5.0)
WEBHOOKS_RELAY_BATCH = env.int("WEBHOOKS_RELAY_BATCH", default=200)
# Deliveries of one endpoint per batch (sent one after another in that endpoint's thread), and threads per relay.
WEBHOOKS_PER_ENDPOINT = env.int("WEBHOOKS_PER_ENDPOINT", default=5)
WEBHOOKS_RELAY_THREADS = env.int("WEBHOOKS_RELAY_THREADS", default=8)
# Longer than one endpoint's share of a batch can take (WEBHOOKS_PER_ENDPOINT x WEBHOOKS_TIMEOUT_SECONDS x 2).
WEBHOOKS_LEASE_SECONDS = env.int("WEBHOOKS_LEASE_SECONDS", default=120)
WEBHOOKS_RELAY_TIME_BUDGET = env.float("WEBHOOKS_RELAY_TIME_BUDGET", default=60.0)
WEBHOOKS_RETRY_JITTER = env.float("WEBHOOKS_RETRY_JITTER", default=0.1)
WEBHOOKS_RETRY_AFTER_MAX_SECONDS = env.int("WEBHOOKS_RETRY_AFTER_MAX_SECONDS", default=24 * 3600)
# How long the old secret stays valid (and signs too) after a rotation.
WEBHOOKS_SECRET_GRACE_HOURS = env.int("WEBHOOKS_SECRET_GRACE_HOURS", default=24)
# Events (and their delivery log) are kept this long; an hourly tick deletes older ones.
WEBHOOKS_KEEP_DAYS = env.int("WEBHOOKS_KEEP_DAYS", default=30)

# --- Notifications and reminders -------------------------------------------------------------------
NOTIFICATIONS_MESSAGE_ID_DOMAIN = env.str(
    "NOTIFICATIONS_MESSAGE_ID_DOMAIN", default=SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0]
)
NOTIFICATIONS_RELAY_BATCH = env.int("NOTIFICATIONS_RELAY_BATCH", default=50)
# Deferred fan-out rows (a sweep's "who must be told of what") the relay expands into outbox rows per transaction.
NOTIFICATIONS_FANOUT_BATCH = env.int("NOTIFICATIONS_FANOUT_BATCH", default=1000)
# Seconds the relay expands fan-out batches before it sends a batch of mail (and again after it).
NOTIFICATIONS_FANOUT_SLICE = env.float("NOTIFICATIONS_FANOUT_SLICE", default=2.0)
# Expanded fan-out rows are bookkeeping: an hourly tick deletes those older than this, so many at a time.
NOTIFICATIONS_FANOUT_KEEP_DAYS = env.int("NOTIFICATIONS_FANOUT_KEEP_DAYS", default=30)
NOTIFICATIONS_FANOUT_PURGE_BATCH = env.int("NOTIFICATIONS_FANOUT_PURGE_BATCH", default=5000)
# How long a relay may hold a claimed row before another relay may take it (a crashed relay's rows).
NOTIFICATIONS_LEASE_SECONDS = env.int("NOTIFICATIONS_LEASE_SECONDS", default=300)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=60)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=6 * 3600)
# Stay well inside the task soft time limit; the next tick continues.
NOTIFICATIONS_RELAY_TIME_BUDGET = env.float("NOTIFICATIONS_RELAY_TIME_BUDGET", default=90.0)
REMINDERS_SWEEP_BATCH = env.int("REMINDERS_SWEEP_BATCH", default=500)
REMINDERS_SWEEP_TIME_BUDGET = env.float("REMINDERS_SWEEP_TIME_BUDGET", default=90.0)
# Red flags claimed per batch by the escalation sweep, and how long one tick may sweep before the next goes on. A
# batch's rules and people are loaded once, and a burst of one engagement's flags in one batch makes one group notice,
# so after an outage larger batches clear faster. Measured (bench/escalations_bench.py, 98,890 due, one worker):
# 5,000: 14.3 s end to end; 20,000: 6.1-7.0 s; 50,000: 5.8 s; with bin/start's two workers sharing the backlog
# (ESCALATIONS_SWEEP_HELPERS below), 100,000 in 4.4 s at 20,000. But a batch holds its flags' row locks until it
# commits, and an acknowledgement of one of them waits that long: about 1.2 s at 20,000, 2.6 s at 50,000.
ESCALATIONS_SWEEP_BATCH = env.int("ESCALATIONS_SWEEP_BATCH", default=20000)
ESCALATIONS_SWEEP_TIME_BUDGET = env.float("ESCALATIONS_SWEEP_TIME_BUDGET", default=25.0)
# When more is due than one batch, beat's sweep asks this many other workers to sweep beside it (their claims skip
# each other's rows). One less than the worker processes: bin/start runs two.
ESCALATIONS_SWEEP_HELPERS = env.int("ESCALATIONS_SWEEP_HELPERS", default=1)
# More flags than this of one engagement and level escalating in one sweep batch: one notice per person for them all.
ESCALATIONS_GROUP_NOTICES_ABOVE = env.int("ESCALATIONS_GROUP_NOTICES_ABOVE", default=3)
# Checklist reminders: how long before the due date the "due soon" reminder fires, and how often an overdue
# item is reminded again.
CHECKLIST_DUE_SOON_LEAD = timedelta(hours=env.int("CHECKLIST_DUE_SOON_LEAD_HOURS", default=48))
CHECKLIST_OVERDUE_REPEAT = timedelta(hours=env.int("CHECKLIST_OVERDUE_REPEAT_HOURS", default=72))

# --- Audit trail ---------------------------------------------------------------------------------
# Recorded on PostgreSQL only (its triggers write it); AUDIT_TRAIL=false leaves the context out of every write and
# the pages say the trail is off (the triggers themselves are switched with `manage.py pgtrigger disable`).
AUDIT_TRAIL = env.bool("AUDIT_TRAIL", default=True)
# Triggers are installed by the migrations (pgtrigger's operations do nothing on SQLite).
PGTRIGGER_INSTALL_ON_MIGRATE = False
# The admin's events list: our own, which is empty (and says why) while the trail is off.
PGHISTORY_ADMIN_CLASS = "audit.admin.EventsAdmin"
PGHISTORY_ADMIN_LIST_DISPLAY = ["pgh_created_at", "pgh_obj_model", "pgh_obj_id", "pgh_label", "pgh_diff", "pgh_context"]

# --- Engagements ---------------------------------------------------------------------------------
# Active engagements one CSM can carry (e.g. 4 large clients); the director's workload view warns above it.
ENGAGEMENT_CSM_CAPACITY = env.int("ENGAGEMENT_CSM_CAPACITY", default=4)
ENGAGEMENT_PM_CAPACITY = env.int("ENGAGEMENT_PM_CAPACITY", default=6)

# --- Governance ------------------------------------------------------------------------------------
# How far ahead meetings are generated (a periodic tick tops the horizon up), and how often an overdue action
# item is reminded again.
GOVERNANCE_HORIZON_WEEKS = env.int("GOVERNANCE_HORIZON_WEEKS", default=12)
GOVERNANCE_ACTION_OVERDUE_REPEAT_DAYS = env.int("GOVERNANCE_ACTION_OVERDUE_REPEAT_DAYS", default=3)
# How long before a promise is due its owner is reminded (GOVERNANCE_PROMISE_REMIND_HOURS is its former name).
PROMISE_REMIND_HOURS = env.int("PROMISE_REMIND_HOURS", default=env.int("GOVERNANCE_PROMISE_REMIND_HOURS", default=24))

# --- Working days ---------------------------------------------------------------------------------
# Whose public holidays are no working days (engagements/working_days.py): when the minutes fall due (two working
# days after a meeting) and when a document's key user is reminded to acknowledge it. The ISO code of the country
# the team works in (PL, DE, ...); empty: weekends only. GOVERNANCE_HOLIDAY_COUNTRY is its name from when only the
# minutes used it, still read so deployments that set it keep their holidays.
# A won deal's CSM (``api.crm``): an active CSM's email, or "round-robin" (the fewest active engagements).
CRM_CSM = env.str("CRM_CSM", default="round-robin")
# The HubSpot app's client secret: X-HubSpot-Signature-v3 of its webhooks (empty: the HubSpot adapter refuses all).
CRM_HUBSPOT_SECRET = env.str("CRM_HUBSPOT_SECRET", default="")
# The staff user (email) HubSpot's signed calls act as (an admin or director: they open clients and engagements).
CRM_HUBSPOT_USER = env.str("CRM_HUBSPOT_USER", default="")
# The secret shared with Salesforce's Closed Won callout (api/crm_signatures.py; empty: the adapter refuses all).
CRM_SALESFORCE_SECRET = env.str("CRM_SALESFORCE_SECRET", default="")
# The staff user (email) Salesforce's signed calls act as.
CRM_SALESFORCE_USER = env.str("CRM_SALESFORCE_USER", default="")

HOLIDAY_COUNTRY = env.str("HOLIDAY_COUNTRY", default=env.str("GOVERNANCE_HOLIDAY_COUNTRY", default=""))

# --- Documents ------------------------------------------------------------------------------------
# Working days (Monday to Friday, less HOLIDAY_COUNTRY's public holidays) after a version is delivered
# before its key user is reminded to acknowledge it.
DOCUMENTS_ACK_REMIND_BUSINESS_DAYS = env.int("DOCUMENTS_ACK_REMIND_BUSINESS_DAYS", default=3)

# --- Client data exports --------------------------------------------------------------------------
# How long a built export stays downloadable, and a worker's lease on one it builds (a dead worker's export is
# built again once the lease ends; each finished section renews it).
CLIENT_EXPORT_KEEP_HOURS = env.int("CLIENT_EXPORT_KEEP_HOURS", default=72)
CLIENT_EXPORT_LEASE_SECONDS = env.int("CLIENT_EXPORT_LEASE_SECONDS", default=600)

# --- Decision receipts -----------------------------------------------------------------------------
# The Ed25519 key that signs receipts (32 bytes, base64; `python manage.py receipt_key` prints a new one). Unset: a
# development key kept in $VAR_DIR/receipt-signing-key. After a rotation, list the earlier public keys (base64,
# comma-separated, as the verification page published them) so receipts signed with them still verify.
RECEIPT_SIGNING_KEY = env.str("RECEIPT_SIGNING_KEY", default="")
RECEIPT_RETIRED_PUBLIC_KEYS = env.list("RECEIPT_RETIRED_PUBLIC_KEYS", default=[])
# Checks of the public verification page per client address and window.
RECEIPT_VERIFY_PER_IP = env.int("RECEIPT_VERIFY_PER_IP", default=30)
RECEIPT_VERIFY_WINDOW_MINUTES = env.int("RECEIPT_VERIFY_WINDOW_MINUTES", default=10)

# --- REST API ------------------------------------------------------------------------------------
# Token requests per minute, per token (api/throttling.py); the reference page and schema are for signed-in people.
API_RATE_PER_MINUTE = env.int("API_RATE_PER_MINUTE", default=120)
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 100
# A token's last use is written at most this often, so reading through the API costs no write per request.
API_LAST_USED_EVERY_SECONDS = 60
# How long a POST's first answer is kept for a retry with the same Idempotency-Key.
API_IDEMPOTENCY_HOURS = env.int("API_IDEMPOTENCY_HOURS", default=24)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScopes"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.problem_handler",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Onboarding Portal API",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem",
        "api.schema.add_links",
    ],
    # Several resources have a "status" of their own: each set of choices gets a name that says whose it is.
    "ENUM_NAME_OVERRIDES": {
        "ItemStatusEnum": "checklists.models.ItemStatus",
        "ItemStatusChangeEnum": ["open", "in_progress", "blocked", "not_applicable"],
        "RedFlagStatusEnum": "escalations.models.FlagStatus",
        "SideEnum": "engagements.models.Side",
        "PromiseStatusEnum": "engagements.models.PromiseStatus",
        "MeetingStatusEnum": "governance.models.MeetingStatus",
        "ActionItemStatusEnum": "governance.models.ActionStatus",
    },
}

# --- Crispy forms ------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Cache ---------------------------------------------------------------------------------------
# The mail limits count here, so every web process must share it: Redis when REDIS_URL is set (keys prefixed,
# beside the broker's), else local memory (one development process).
CACHES = {"default": env.cache_url("CACHE_URL", default=REDIS_URL or "locmemcache://")}
CACHES["default"].setdefault("KEY_PREFIX", "op-cache")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
