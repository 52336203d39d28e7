"""Screenshots in Finnish at phone and desktop widths, saved outside the repository (issue 10)."""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

SHOTS = Path(os.environ.get("TUKIPOLKU_SHOTS", Path(tempfile.gettempdir()) / "tukipolku-shots"))
WIDTHS = (1280, 375)


def finnish_shots(
    browser: Any, live_server: Any, username: str, path: str, name: str, act: Callable[[Any], None] | None = None
) -> list[Path]:
    """Log `username` in with Finnish as the language, open `path`, do `act`, photograph the whole page
    at each width; each width must fit without sideways scrolling."""
    taken = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        context = browser.new_context(
            locale="fi-FI", viewport={"width": width, "height": 900}, base_url=live_server.url
        )
        context.add_cookies([{"name": "django_language", "value": "fi", "url": live_server.url}])
        page = context.new_page()
        page.goto("/login/")
        page.locator("#id_login").fill(username)
        page.locator("#id_password").fill("test-password-123")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "fi"
        if act is not None:
            act(page)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{name}: {scroll} px wide at {width} px"
        target = SHOTS / f"{name}-fi-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        taken.append(target)
        context.close()
    return taken
