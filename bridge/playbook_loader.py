"""Reading playbook YAML with errors a playbook author can act on.

Pydantic says *what* is wrong and at which key path; YAML's node tree knows *where* that key is.
This module joins the two so every error reads ``playbooks/acme.yml:12: departments.billing.keywrods:
unknown key (expected one of: ...)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]


class PlaybookError(ValueError):
    """A playbook that cannot be used; ``problems`` lists each one with file, line and key path."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(problems))


def _line_map(node: yaml.Node, loc: Loc, out: dict[Loc, int]) -> None:
    out.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*loc, str(key_node.value))
            out[key] = key_node.start_mark.line + 1
            _line_map(value_node, key, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*loc, index), out)


def _describe(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _closest_line(loc: Loc, lines: dict[Loc, int]) -> int:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return 1


def _allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys a mapping at ``loc`` would accept, to suggest next to an unknown key."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            continue  # a key of a dict[str, Model]: the value model is already current
        current = _model_of(field.annotation)
    fields = getattr(current, "model_fields", None)
    return sorted(fields) if fields else []


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _messages(path: Path, model: type[BaseModel], exc: ValidationError, lines: dict[Loc, int]) -> list[str]:
    problems = []
    for error in exc.errors():
        loc: Loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
        line = _closest_line(loc, lines)
        if error["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc)
            hint = f" (expected one of: {', '.join(allowed)})" if allowed else ""
            message = f"unknown key{hint}"
        else:
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "missing":
                message = "required key is missing"
            loc, message = _located(loc, message, lines)
            line = _closest_line(loc, lines)
        problems.append(f"{path}:{line}: {_describe(loc)}: {message}")
    return problems


_KEY_PATH = re.compile(r"^([A-Za-z_][\w\-]*(?:\.[\w\-]+)*): (.+)$", re.DOTALL)


def _located(loc: Loc, message: str, lines: dict[Loc, int]) -> tuple[Loc, str]:
    """A check across sections (``departments.billing.authors: ...``) points at the key it names."""
    match = _KEY_PATH.match(message)
    if match is None:
        return loc, message
    named = (*loc, *(int(p) if p.isdigit() else p for p in match.group(1).split(".")))
    return (named, match.group(2)) if named in lines else (loc, message)


def load_model(path: Path, model: type[M], *, text: str | None = None) -> M:
    """Parse and validate ``path`` as ``model``; raise :class:`PlaybookError` naming file, line and key."""
    try:
        source = text if text is not None else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlaybookError(path, [f"{path}: cannot read the playbook: {exc.strerror}"]) from exc
    try:
        root = yaml.compose(source)
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise PlaybookError(path, [f"{path}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from exc
    if not isinstance(data, dict):
        raise PlaybookError(
            path, [f"{path}:1: a playbook must be a mapping of keys (brand, departments, ...)"]
        )
    lines: dict[Loc, int] = {}
    if root is not None:
        _line_map(root, (), lines)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise PlaybookError(path, _messages(path, model, exc, lines)) from exc


def first_lines(problems: Iterable[str], limit: int = 20) -> str:
    items = list(problems)
    more = f"\n... and {len(items) - limit} more" if len(items) > limit else ""
    return "\n".join(items[:limit]) + more
