import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifm.settings")
application = get_wsgi_application()

# After Django is set up, before the first connection: web statements get their timeout.
from ifm.core.dbfaults import limit_web_statements  # noqa: E402

limit_web_statements()
