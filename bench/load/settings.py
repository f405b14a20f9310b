"""The production settings, but static files found in place instead of collected ahead.

The load test requests no static file (a browser gets them once, from the proxy's cache), and
collecting and compressing every file takes minutes on a busy two-core machine: the pages'
{% static %} tags give plain paths, served from the sources if anything asked for them.
"""

from ifm.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# No mail server here: the notifications the people's work sends are kept in memory.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
