"""Every COPY/ADD source of every image docker-compose.yml builds exists in its build context and
is not excluded by the context's .dockerignore.

Nothing here can run `docker build`, and that is where a missing or ignored source would first
show: so the check reads the Dockerfiles the way the builder would resolve them.
"""

import glob
import json
import os
import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

IgnoreRule = tuple[re.Pattern[str], bool]


def dockerignore_rules(context: Path, dockerfile: Path) -> list[IgnoreRule]:
    """The rules that apply, as (pattern, re-includes with `!`): <Dockerfile>.dockerignore if
    there is one, else <context>/.dockerignore."""
    for path in (
        dockerfile.with_name(dockerfile.name + ".dockerignore"),
        context / ".dockerignore",
    ):
        if path.is_file():
            return [_ignore_rule(line) for line in _patterns(path)]
    return []


def is_ignored(relative_path: str, rules: list[IgnoreRule]) -> bool:
    """Docker's semantics: the last rule matching the path or any directory above it wins."""
    parts = relative_path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern, reinclude in rules:
        if any(pattern.match(prefix) for prefix in prefixes):
            ignored = not reinclude
    return ignored


def copy_source_problems(model: Mapping[str, Any]) -> list[str]:
    built: dict[tuple[Path, Path], str] = {}
    for name, service in (model.get("services") or {}).items():
        build = service.get("build")
        if build:
            context = Path(build["context"])
            built[(context, context / build.get("dockerfile", "Dockerfile"))] = name
    problems = []
    for (context, dockerfile), name in sorted(built.items()):
        if not dockerfile.is_file():
            problems.append(f"{name}: no Dockerfile at {dockerfile}")
            continue
        rules = dockerignore_rules(context, dockerfile)
        where = (
            dockerfile.relative_to(context) if dockerfile.is_relative_to(context) else dockerfile
        )
        for source in _copy_sources(dockerfile):
            matches = glob.glob(os.path.join(context, os.path.normpath(source).lstrip("/")))
            if not matches:
                problems.append(f"{where}: COPY source {source} does not exist")
            elif all(is_ignored(os.path.relpath(match, context), rules) for match in matches):
                problems.append(f"{where}: COPY source {source} is excluded by .dockerignore")
    return problems


def _copy_sources(dockerfile: Path) -> list[str]:
    """The sources each COPY/ADD takes from the build context (`--from` takes from a stage)."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    sources = []
    for line in text.splitlines():
        words = line.strip().split(None, 1)
        if len(words) < 2 or words[0].upper() not in ("COPY", "ADD"):
            continue
        args = json.loads(words[1]) if words[1].lstrip().startswith("[") else shlex.split(words[1])
        if any(arg.startswith("--from") for arg in args):
            continue
        paths = [arg for arg in args if not arg.startswith("--")]
        sources += paths[:-1]
    return sources


def _patterns(dockerignore: Path) -> list[str]:
    lines = (line.strip() for line in dockerignore.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _ignore_rule(line: str) -> IgnoreRule:
    reinclude = line.startswith("!")
    pattern = os.path.normpath(line.lstrip("!").strip().lstrip("/"))
    regex = ""
    for part in re.split(r"(\*\*/?|\*|\?)", pattern):
        if part == "**/":
            regex += "(?:.*/)?"
        elif part == "**":
            regex += ".*"
        elif part == "*":
            regex += "[^/]*"
        elif part == "?":
            regex += "[^/]"
        else:
            regex += re.escape(part)
    return re.compile(regex + r"\Z"), reinclude
