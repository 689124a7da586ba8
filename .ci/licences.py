"""The licence of every distribution in this environment; fails on a copyleft one.

    python .ci/licences.py [--readme docs/dependencies.md]

Run by .ci/run in a clean virtualenv where only `pip install '.[psycopg]'` (or `[psycopg2]`) ran,
so the list is what a project that installs the package gets. Each licence is read from the
distribution's metadata: License-Expression, else a short License field, else the "License ::"
classifiers. The exit status is 1 when a licence is strong copyleft (GPL, AGPL, SSPL, EUPL, OSL),
when one cannot be read, or when one is weak copyleft (LGPL, MPL, EPL) and the docs'
"Dependencies" section does not name that distribution (a sentence there must say what it means
for a project that uses the package). pip, setuptools and wheel, the virtualenv's own tools, are
left out.
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import metadata
from pathlib import Path

TOOLS = {"pip", "setuptools", "wheel"}
STRONG = re.compile(
    r"(?<![L\w])A?GPL|(?<!Lesser )General Public License|\bSSPL\b|Server Side Public|"
    r"\bEUPL\b|\bOSL\b|Open Software License",
    re.IGNORECASE,
)
WEAK = re.compile(r"\bLGPL|Lesser General Public|\bMPL\b|Mozilla Public|\bEPL\b|Eclipse Public")


def licence(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 100 and text.upper() != "UNKNOWN":
        return text
    classifiers = [
        c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")
    ]
    return "; ".join(classifiers)


def dependencies_section(readme: Path) -> str:
    """The page's "Dependencies" section, to the next heading of its level or above."""
    text = readme.read_text(encoding="utf-8")
    heading = re.search(r"^(#+) Dependencies[ \t]*$", text, re.M)
    if heading is None:
        return ""
    rest = text[heading.end() :]
    end = re.search(rf"^#{{1,{len(heading.group(1))}}} ", rest, re.M)
    return rest[: end.start()] if end else rest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readme", type=Path, default=Path("docs/dependencies.md"))
    args = parser.parse_args()
    section = dependencies_section(args.readme).lower()
    failures = []
    rows = []
    for dist in sorted(metadata.distributions(), key=lambda d: d.metadata["Name"].lower()):
        name = dist.metadata["Name"]
        if name.lower() in TOOLS:
            continue
        found = licence(dist)
        if not found:
            verdict = "FAIL: no licence in its metadata"
        elif STRONG.search(found) and not WEAK.search(found):
            verdict = "FAIL: copyleft"
        elif WEAK.search(found):
            named = name.lower() in section or name.lower().replace("-", "_") in section
            verdict = "weak copyleft, explained in the docs" if named else "FAIL: weak copyleft"
            if not named:
                verdict += f", and the docs' Dependencies page does not name {name}"
        else:
            verdict = "ok"
        rows.append((name, dist.version, found or "?", verdict))
        if verdict.startswith("FAIL"):
            failures.append(name)
    width = max(len(row[0]) for row in rows)
    print(f"{'distribution':<{width}}  version      licence  ->  verdict")
    for name, version, found, verdict in rows:
        print(f"{name:<{width}}  {version:<11}  {found}  ->  {verdict}")
    if failures:
        print(f"FAILED: {', '.join(failures)}", file=sys.stderr)
        return 1
    print(f"{len(rows)} distributions, no copyleft licence unexplained.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
