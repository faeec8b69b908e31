"""Settings of the hordak wallet, all from the environment (start.sh writes wallet.env).

WALLET_DATABASE_URL        postgresql://user@host:port/db
WALLET_RELEASE             1 or 2: the application release this process runs
WALLET_STRIPE_SECRET_KEY, WALLET_STRIPE_API_BASE, WALLET_STRIPE_WEBHOOK_SECRETS (comma list)
WALLET_ADYEN_API_KEY, WALLET_ADYEN_API_BASE, WALLET_ADYEN_HMAC_KEY, WALLET_ADYEN_MERCHANT
HORDAK_WALLET_FAULTS       comma list of seeded faults (FAULTS.md); empty in production
"""

import os
from urllib.parse import unquote, urlsplit

env = os.environ.get


def _database(url: str) -> dict[str, object]:
    u = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": u.path.lstrip("/"),
        "USER": unquote(u.username or ""),
        "PASSWORD": unquote(u.password or ""),
        "HOST": u.hostname or "",
        "PORT": str(u.port or ""),
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": 0,
    }


SECRET_KEY = env("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "walletsite.urls"
WSGI_APPLICATION = "walletsite.wsgi.application"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "mptt",
    "hordak",
    "wallet",
]
MIDDLEWARE: list[str] = []
DATABASES = {"default": _database(env("WALLET_DATABASE_URL", "postgresql://localhost/wallet"))}
LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}

# hordak: three decimal places, so BHD (3) fits beside EUR (2) and JPY (0)
HORDAK_DECIMAL_PLACES = 3
HORDAK_MAX_DIGITS = 20
CURRENCIES = ["EUR", "USD", "GBP", "JPY", "BHD"]
DEFAULT_CURRENCY = "EUR"

WALLET_RELEASE = int(env("WALLET_RELEASE", "2"))
WALLET_FAULTS = frozenset(
    f.strip() for f in env("HORDAK_WALLET_FAULTS", "").split(",") if f.strip()
)
STRIPE_SECRET_KEY = env("WALLET_STRIPE_SECRET_KEY", "")
STRIPE_API_BASE = env("WALLET_STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_WEBHOOK_SECRETS = [s for s in env("WALLET_STRIPE_WEBHOOK_SECRETS", "").split(",") if s]
ADYEN_API_KEY = env("WALLET_ADYEN_API_KEY", "")
ADYEN_API_BASE = env("WALLET_ADYEN_API_BASE", "")
ADYEN_HMAC_KEY = env("WALLET_ADYEN_HMAC_KEY", "")
ADYEN_MERCHANT = env("WALLET_ADYEN_MERCHANT", "HordakWalletECOM")
PSP_TIMEOUT_SECONDS = float(env("WALLET_PSP_TIMEOUT_SECONDS", "5"))
