"""Every install line of the docs works today: the package is on no index, so each names a path.

The docs: README.md, the pages of the site (docs/*.md) and benchmarks/README.md.

.ci/run runs the wheel's line for real (a clean virtualenv, then the example project).
"""

from __future__ import annotations

import re
from pathlib import Path

import django_orm_views_hook

ROOT = Path(__file__).resolve().parents[2]
DOCS = [
    ROOT / "README.md",
    ROOT / "benchmarks" / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]


def install_commands() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for line in doc.read_text().splitlines():
            for command in re.findall(r"pip install [^`#&\n]+", line):
                found.append((doc.name, command.strip()))
    return found


def test_no_install_line_has_a_placeholder():
    for doc, command in install_commands():
        assert "<" not in command and "..." not in command, (doc, command)


def test_every_install_of_the_package_names_a_checkout_a_wheel_or_a_file():
    ours = [
        (doc, command)
        for doc, command in install_commands()
        if "django-orm-views-hook" in command or command.split()[-1].startswith(("'.", '".', "."))
    ]
    assert ours, "the docs show no install line for the package"
    for doc, command in ours:
        target = command.split()[-1].strip("'\"")
        assert target.startswith((".", "dist/", "file://")) or " @ file://" in command, (
            doc,
            command,
        )


def test_the_wheel_named_is_the_one_a_build_makes_today():
    text = "".join(doc.read_text() for doc in DOCS)
    wheels = set(re.findall(r"django_orm_views_hook-[^-\s]+-py3-none-any\.whl", text))
    assert wheels == {f"django_orm_views_hook-{django_orm_views_hook.__version__}-py3-none-any.whl"}
