"""Playwright in Debian's Chromium against pytest-django's live server, with axe-core checks."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("TUKIPOLKU_CHROMIUM", "/usr/bin/chromium")
AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text(encoding="utf-8")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make install-test`.")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(15000)
    p = context.new_page()
    dialogs: list[str] = []
    p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    p.dialogs = dialogs
    yield p
    context.close()


def login(page, username: str, password: str = "test-password-123") -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


class Actions:
    """Counts what the user does, for the routine-task budgets (docs/usability.md).

    One action is a click, a field filled (however long the text), a choice picked from a list, a box
    ticked, a key pressed, or an address typed into the browser. Reading, scrolling and the browser's
    own page loads are not actions. `mark(label)` notes where a part of a journey ends, for the
    per-screen breakdown that `summary()` prints.
    """

    def __init__(self, page):
        self.page, self.count = page, 0
        self.marks: list[tuple[str, int]] = []

    def goto(self, url):
        self.count += 1
        self.page.goto(url)

    def click(self, locator):
        self.count += 1
        locator.click()

    def fill(self, locator, text):
        self.count += 1
        locator.fill(text)

    def type(self, locator, text):
        """Type key by key (for fields that react as one types); still one action."""
        self.count += 1
        locator.press_sequentially(text)

    def select(self, locator, value):
        self.count += 1
        locator.select_option(value)

    def check(self, locator):
        self.count += 1
        locator.check()

    def press(self, key):
        self.count += 1
        self.page.keyboard.press(key)

    def mark(self, label: str) -> None:
        self.marks.append((label, self.count))

    def summary(self) -> str:
        lines, before = [], 0
        for label, at in self.marks:
            lines.append(f"  {at - before:3d}  {label}")
            before = at
        return "\n".join([*lines, f"  {self.count:3d}  in all"])


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.1 A/AA rules) on the current page and return its violations."""
    page.evaluate(AXE)
    tags = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']"
    result = page.evaluate(f"async () => await axe.run(document, {{runOnly: {{type: 'tag', values: {tags}}}}})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
