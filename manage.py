#!/usr/bin/env python
import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    if "SECRET_KEY" not in os.environ and not (Path(__file__).resolve().parent / ".env").exists():
        # A developer's checkout without configuration: run commands in development mode. The web
        # entry points (config/wsgi.py, config/asgi.py) never do this and refuse to start unconfigured.
        os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
