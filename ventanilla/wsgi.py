import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
application = get_wsgi_application()

# ---- create ----
# Once per worker, before its first request: what the first case opened would otherwise do
# while holding SQLite's write lock (ventanilla/tickets/warmup.py).
from ventanilla.tickets.warmup import warm_case_opening  # noqa: E402

warm_case_opening()
