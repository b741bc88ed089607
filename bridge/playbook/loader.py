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
from pydantic_core import InitErrorDetails, PydanticCustomError

from bridge.domain.errors import PlaybookError

__all__ = ["Loc", "M", "first_lines", "load_model", "problems_at"]

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]


#: The error type of :func:`problems_at`: its location is exact, its message is final.
_AT_KEY = "playbook_key"


def problems_at(title: str, found: list[tuple[Loc, str]]) -> ValidationError:
    """Raise this from a validator to report every problem at the key it belongs to.

    Each ``(loc, message)`` is relative to the model being validated; pydantic prefixes the model's own
    place in the playbook, so ``(("default_department",), "...")`` reads ``file:2: default_department: ...``
    whatever characters the keys on the way hold.
    """
    return ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(
                type=PydanticCustomError(_AT_KEY, "{message}", {"message": message}), loc=loc, input=None
            )
            for loc, message in found
        ],
    )


class _UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` refusing a key given twice in one mapping (YAML keeps the last, silently).

    Merge keys (``<<: *defaults``) still work: keys a mapping merges in may be overridden by its own.
    Every repeat is recorded with both lines, and the key path found through :meth:`locate`.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, Loc, int]] = []  # (line, key path, line of the first)
        self._paths: dict[int, Loc] = {}

    def locate(self, node: yaml.Node, loc: Loc = ()) -> None:
        """Remember the key path of every mapping under ``node`` (the first path of an aliased one)."""
        if id(node) in self._paths:
            return
        self._paths[id(node)] = loc
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                self.locate(value_node, (*loc, str(key_node.value)))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.locate(item, (*loc, index))

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    if key in first:
                        self.duplicates.append((line, (*self._paths.get(id(node), ()), str(key)), first[key]))
                    else:
                        first[key] = line
                except TypeError:  # an unhashable key: construction itself refuses it below
                    continue
        return super().construct_mapping(node, deep=deep)


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
        if error["type"] == _AT_KEY:  # a validator named the key itself: nothing to guess
            message = error["msg"]
        elif error["type"] == "extra_forbidden":
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


def _decoded(path: Path, raw: bytes) -> str:
    """The playbook's text; bytes that are not UTF-8 are an error naming their line and column."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problem = f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {column}); save the file as UTF-8"
        raise PlaybookError(path, [f"{path}:{line}: {problem}"]) from None


def _parse(path: Path, source: str) -> tuple[Any, dict[Loc, int]]:
    """The YAML's data and the line of every key path; a key given twice in a mapping is an error."""
    lines: dict[Loc, int] = {}
    try:
        loader = _UniqueKeyLoader(source)  # reads the first characters already
        try:
            root = loader.get_single_node()
            if root is None:
                return None, lines
            _line_map(root, (), lines)  # before construction, which flattens merge keys in place
            loader.locate(root)
            data = loader.construct_document(root)
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:  # a control character: no mark, but its position
        line = source.count("\n", 0, exc.position) + 1
        problem = f"character #x{exc.character:04x} is not allowed ({exc.reason})"
        raise PlaybookError(path, [f"{path}:{line}: not valid YAML: {problem}"]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise PlaybookError(path, [f"{path}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from exc
    if loader.duplicates:
        raise PlaybookError(
            path,
            [
                f"{path}:{line}: {_describe(loc)}: duplicate key (first at line {first})"
                for line, loc, first in sorted(loader.duplicates, key=lambda found: found[0])
            ],
        )
    return data, lines


def load_model(path: Path, model: type[M], *, text: str | None = None) -> M:
    """Parse and validate ``path`` as ``model``; raise :class:`PlaybookError` naming file, line and key."""
    if text is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise PlaybookError(path, [f"{path}: cannot read the playbook: {exc.strerror}"]) from exc
        text = _decoded(path, raw)
    data, lines = _parse(path, text)
    if not isinstance(data, dict):
        raise PlaybookError(
            path, [f"{path}:1: a playbook must be a mapping of keys (brand, departments, ...)"]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise PlaybookError(path, _messages(path, model, exc, lines)) from exc


def first_lines(problems: Iterable[str], limit: int = 20) -> str:
    items = list(problems)
    more = f"\n... and {len(items) - limit} more" if len(items) > limit else ""
    return "\n".join(items[:limit]) + more
