"""Settings of the test project: DATABASE_URL when set, otherwise an embedded PostgreSQL."""

import os

from django_orm_views_hook.embedded import database_settings

SECRET_KEY = "tests-only"
USE_TZ = True
TIME_ZONE = "Europe/Paris"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_default = database_settings()
_options = {}
if os.environ.get("ORM_VIEWS_SERVER_SIDE_BINDING"):
    _options["server_side_binding"] = True
DATABASES = {
    "default": {**_default, "OPTIONS": {**_default.get("OPTIONS", {}), **_options}},
    # A second database on the same server, for views that set `database = "other"`.
    "other": {**_default, "NAME": f"{_default['NAME']}_other"},
}

INSTALLED_APPS = [
    "django_orm_views_hook",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "tests.testapp",
    "django.contrib.admin",
    "django.contrib.sessions",
    "django.contrib.messages",
    "tests.readableapp",
    "tests.readableapp2",
]

ORM_VIEWS_GRANT_SELECT_TO = []

# Child processes started by the tests choose the views module through the environment.
ORM_VIEWS_MODULE_NAME = os.environ.get("ORM_VIEWS_MODULE_NAME", "postgres_views")

# The admin, where a readable view is listed read-only (tests/readableapp/admin.py).
ROOT_URLCONF = "tests.urls"
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
STATIC_URL = "/static/"
