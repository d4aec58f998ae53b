"""The dashboard's pages, in navigation order: one list used by dashboard.py, the tests and the bench.

Importable without Streamlit running (it imports nothing of Streamlit). A registered page whose file
is missing is an error, never a silent gap in the navigation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from oversight import settings


@dataclass(frozen=True)
class Page:
    section: str  # locale key of the navigation section
    file: str  # relative to the repository root
    url: str  # the page's name in links ("overview" is served at "/")
    title: str  # locale key
    icon: str
    import_only: bool = False  # listed only for roles that may import
    shows_rows: bool = True  # draws rows of the compounds in scope (the scope tests open every such page)

    @property
    def path(self) -> Path:
        return settings.ROOT / self.file

    @property
    def name(self) -> str:
        return Path(self.file).stem

    @property
    def url_path(self) -> str:
        # The default page is served at "/" but still reserves its own path: "home", so that
        # "overview" is free for its hidden twin (dashboard.overview_alias).
        return "home" if self.url == DEFAULT else self.url

    @property
    def default(self) -> bool:
        return self.url == DEFAULT


DEFAULT = "overview"

PAGES: tuple[Page, ...] = (
    Page("nav.section_overview", "app_pages/overview.py", "overview", "nav.overview", ":material/dashboard:"),
    Page("nav.section_overview", "app_pages/profile.py", "profile", "nav.profile", ":material/home_work:"),
    Page(
        "nav.section_renovation", "app_pages/renovation.py", "renovation", "nav.renovation", ":material/construction:"
    ),
    Page("nav.section_renovation", "app_pages/partners.py", "partners", "nav.partners", ":material/handshake:"),
    Page("nav.section_service", "app_pages/red_property.py", "red-property", "nav.red_property", ":material/flag:"),
    Page("nav.section_service", "app_pages/requests.py", "requests", "nav.requests", ":material/support_agent:"),
    Page(
        "nav.section_service",
        "app_pages/volunteers.py",
        "volunteers",
        "nav.volunteers",
        ":material/volunteer_activism:",
    ),
    Page(
        "nav.section_service",
        "app_pages/supervision.py",
        "supervision",
        "nav.supervision",
        ":material/assignment_late:",
    ),
    Page("nav.section_data", "app_pages/data.py", "data", "nav.data", ":material/upload_file:", import_only=True),
    Page("nav.section_data", "app_pages/help.py", "help", "nav.help", ":material/help:", shows_rows=False),
)


class MissingPageError(RuntimeError):
    """A registered page has no file: a broken deployment, reported instead of a missing menu entry."""


def registered() -> tuple[Page, ...]:
    """The pages, after checking that every file exists (raises MissingPageError naming those that do not)."""
    missing = [p.file for p in PAGES if not p.path.is_file()]
    if missing:
        raise MissingPageError("page files missing: " + ", ".join(missing))
    return PAGES


def by_url(url: str) -> Page:
    return next(p for p in PAGES if p.url == url)


def scoped_files() -> list[str]:
    """Files of the pages that draw rows of the compounds in scope and that every role may open."""
    return [p.file for p in PAGES if p.shows_rows and not p.import_only]
