"""Settings for the test suite: tinyforge.settings with fixed test values.

The local .env is never read here, so a developer's demo settings cannot
change a test result. DATABASE_URL still selects the database, which is how
CI runs the suite on PostgreSQL.
"""

import hashlib
import os

os.environ["TINYFORGE_ENV_FILE"] = ""
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DEBUG", "off")
# Two keys, newest first, so every test runs with rotation in play.
os.environ.setdefault(
    "TINYFORGE_ENCRYPTION_KEYS",
    "hZ3sQaQmB5OYw5NEIIbU6EyQKqVmi8r0Zwv1pSNZqVw=,3Hd0LkQz2rx1hfpQOvUuY3tM9yq0pWQm0oNQ8kN9Z1c=",
)
os.environ.setdefault("SECURE_SSL_REDIRECT", "off")
# One process-local cache per test run, so no test reads another run's entries.
os.environ.setdefault("CACHE_URL", "locmemcache://tinyforge-tests")
os.environ.setdefault("SESSION_COOKIE_SECURE", "off")
os.environ.setdefault("CSRF_COOKIE_SECURE", "off")

from tinyforge.settings import *  # noqa: F403
from tinyforge.settings import BASE_DIR, DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's default in-memory test database, so that threads in
    # the concurrency tests open real connections to one database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
else:
    # One test database per checkout, so two checkouts on one server never
    # drop each other's database mid-run.
    checkout = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{checkout}"}

# Tests run without DEBUG but never run collectstatic, so static URLs are the
# plain app paths and WhiteNoise looks files up per request instead of
# scanning a STATIC_ROOT that does not exist.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost", "[::1]"]
