"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py` (docs/deployment.md).

The number of workers, the address and timeouts stay gunicorn's own options (command line or
`GUNICORN_CMD_ARGS`, e.g. `--workers 3 --bind 127.0.0.1:8000`). What is fixed here is the application
and its logs: access and error lines go to standard output/error through `MaskingLogger`, which masks
personal identity codes like every other log of the application (tukipolku/core/gunicorn.py).
"""

wsgi_app = "config.wsgi:application"
logger_class = "tukipolku.core.gunicorn.MaskingLogger"
accesslog = "-"
errorlog = "-"
