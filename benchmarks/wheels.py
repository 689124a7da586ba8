"""Which platforms and Pythons each libpg_query binding publishes binary wheels for, on PyPI.

    python benchmarks/wheels.py [NAME ...]     (default: the bindings docs/dependencies.md compares)

Reads the file list of each project's latest release from PyPI's JSON API and prints, per
platform, the CPython versions 3.10 to 3.14 that a wheel installs on (an abi3 wheel covers its
version and every later one; "sdist" means pip would build from source there).
"""

from __future__ import annotations

import json
import re
import sys
import urllib.request

DEFAULT = ["pglast", "pgparse", "postgast", "pg-query-python", "psqlparse2"]
PYTHONS = [10, 11, 12, 13, 14]
PLATFORMS = {
    "Linux x86_64": ("manylinux", "x86_64"),
    "Linux aarch64": ("manylinux", "aarch64"),
    "Linux musl x86_64": ("musllinux", "x86_64"),
    "macOS arm64": ("macosx", "arm64"),
    "macOS x86_64": ("macosx", "x86_64"),
    "Windows x86_64": ("win", "amd64"),
}
WHEEL = re.compile(r"-(?P<py>[^-]+)-(?P<abi>[^-]+)-(?P<platform>[^-]+)\.whl$")


def release(name: str) -> dict[str, object]:
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=60) as response:
        return dict(json.load(response))


def pythons(files: list[dict[str, str]], system: str, machine: str) -> list[int]:
    found: set[int] = set()
    for file in files:
        match = WHEEL.search(file["filename"])
        if not match or system not in match["platform"] or machine not in match["platform"]:
            continue
        if match["py"].startswith("py3") and match["abi"] == "none":
            found.update(PYTHONS)
        for tag in match["py"].split("."):
            if not tag.startswith("cp3"):
                continue
            minor = int(tag[3:])
            found.update(p for p in PYTHONS if p == minor or (match["abi"] == "abi3" and p > minor))
    return sorted(found)


def main() -> None:
    names = sys.argv[1:] or DEFAULT
    print("| project | release | " + " | ".join(PLATFORMS) + " |")
    print("|---|---|" + "---|" * len(PLATFORMS))
    for name in names:
        data = release(name)
        info, files = data["info"], data["urls"]
        assert isinstance(info, dict) and isinstance(files, list)
        cells = []
        for system, machine in PLATFORMS.values():
            found = pythons(files, system, machine)
            cells.append(", ".join(f"3.{p}" for p in found) if found else "sdist")
        print(f"| {name} | {info['version']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
