"""The pages follow the conventions that let tests/docs/test_pages.py run them (no database).

Also: what the pages name (settings and their defaults, system checks, tests, pages) exists,
and README stays a front door.
"""

from __future__ import annotations

import ast
import re

import django_orm_views_hook
from django_orm_views_hook import conf
from tests.docs import expected
from tests.docs.pages import BASES, NORUN, ROOT, SHELL, all_pages

PAGES = all_pages()
DOCS = ROOT / "docs"
#: Blocks a page may leave unrun: installs and builds, the test suite, benchmarks, and the code
#: of the packages one comes from. Raise it only for a block that cannot run in a test.
MOST_NOT_RUN = 12
#: Modules of the package the docs may name: the stable public ones (the rest are internal and
#: move between releases), the executor's logger (its name is kept whatever module logs), and
#: the schema the package keeps its refresh state in. The layout page names the others.
NAMEABLE = {"exceptions", "signals", "embedded", "conf", "admin", "executor"}
STATE_OBJECTS = {"refresh_state", "refresh_schedule", "refresh_due"}
LAYOUT_PAGE = "docs/architecture.md"


def blocks():
    return [block for page in PAGES for block in page.blocks]


def test_runnable_blocks_come_after_a_session_of_a_known_base():
    assert [b.where for page in PAGES for b in page.orphans] == []
    assert {s.where: s.base for page in PAGES for s in page.sessions if s.base not in BASES} == {}


def test_shell_examples_are_console_blocks_with_prompts():
    for block in blocks():
        assert block.language not in {"sh", "bash", "shell", "shell-session"}, block.where
        if block.language == SHELL:
            assert expected.commands(block.text, block.line), f"{block.where}: no `$ ` command"
        elif block.output_of is None:
            assert not re.search(r"^\$ ", block.text, re.M), f"{block.where}: a command, not run"


def test_file_blocks_and_diffs_name_their_file():
    for block in blocks():
        if block.language == "diff" and block.runs:
            assert block.file_path, f"{block.where}: a diff starts with --- PATH and +++ PATH"


def test_few_blocks_are_not_run():
    skipped = [b.where for b in blocks() if NORUN in b.flags]
    assert len(skipped) <= MOST_NOT_RUN, skipped


def settings_sections() -> dict[str, str]:
    text = (DOCS / "settings.md").read_text()
    heading = r"^## `(ORM_VIEWS_\w+)`\n\n\*\*Type:\*\* [^\n]*\*\*Default:\*\* `([^`]+)`"
    return dict(re.findall(heading, text, re.M))


def test_every_setting_has_a_section_with_its_default():
    sections = settings_sections()
    assert set(sections) == set(conf.DEFAULTS)
    for name, default in sections.items():
        assert ast.literal_eval(default) == conf.DEFAULTS[name], name


def test_the_settings_named_exist():
    named = {name for page in PAGES for name in re.findall(r"\bORM_VIEWS_[A-Z_]+\b", _text(page))}
    assert named - set(conf.DEFAULTS) == set()


def test_the_system_checks_named_exist():
    source = "".join(p.read_text() for p in (ROOT / "django_orm_views_hook").rglob("*.py"))
    named = {i for page in PAGES for i in re.findall(r"orm_views\.[EW]\d{3}\b", _text(page))}
    assert {check for check in named if check not in source} == set()


def test_the_tests_named_exist():
    files = {path.name: path for path in (ROOT / "tests").rglob("test_*.py")}
    missing, seen = [], 0
    for page in PAGES:
        for cell in re.split(r"\||\n\n", _text(page)):
            current = None
            for name, test in re.findall(r"`(?:[\w/]*/)?(test_\w+\.py)?(?:::([\w*]+))?`", cell):
                current = name or current
                if not name and not test:
                    continue
                seen += 1
                if current not in files:
                    missing.append(f"{page.name}: {current}")
                elif test and not _defines(files[current], test):
                    missing.append(f"{page.name}: {current}::{test}")
    assert seen > 50 and missing == []


def _defines(path, test: str) -> bool:
    pattern = test[:-1] if test.endswith("*") else test
    return re.search(rf"^def {re.escape(pattern)}", path.read_text(), re.M) is not None


def test_the_docs_name_no_internal_module():
    names = []
    for page in PAGES:
        if page.name == LAYOUT_PAGE:
            continue
        text = _text(page)
        names += [f"{page.name}: {m}" for m in re.findall(r"django_orm_views_hook/\w+\.py", text)]
        for module in re.findall(r"django_orm_views_hook\.([a-z_]+)", text):
            if module not in NAMEABLE | STATE_OBJECTS | set(django_orm_views_hook.__all__):
                names.append(f"{page.name}: django_orm_views_hook.{module}")
    assert names == []


def test_every_page_is_in_the_toctree():
    index = (DOCS / "index.md").read_text()
    listed = set(re.findall(r"^([\w-]+)$", index, re.M))
    pages = {path.stem for path in DOCS.glob("*.md")} - {"index"}
    assert pages - listed == set()


def test_readme_is_a_front_door():
    """About 150 lines at most; what it leaves out is a link away, and every link works."""
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 150
    for target in re.findall(r"\]\((docs/[\w.-]+\.md)(?:#[\w-]+)?\)", readme):
        assert (ROOT / target).exists(), target


def _text(page) -> str:
    return page.path.read_text(encoding="utf-8")
