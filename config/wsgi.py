import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

from tukipolku.core.runtime import tune_gc  # noqa: E402  (needs the app registry loaded above)

tune_gc()
