"""Where a scenario's fields come from: its file, the files it ``extends``, and ``--set``.

A scenario file may start from another with ``extends: other.yaml`` (a path relative to the
file, or a built-in name): mappings merge key by key, the deriving file winning; any other
value, a list included, replaces the base's whole. Each file's relative paths are anchored to
that file's own folder before merging, so a base keeps finding its fee models. Overrides
(``--set arrivals.sessions=50``) apply last, before validation. Every field remembers the file
and line it was written on, so an error can say ``bad.yaml:7: arrivals.rate_per_minute: ...``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Key = tuple[str, ...]

#: Where an override came from, in place of a file name.
SET_FLAG = "--set"


class SourceError(Exception):
    """A scenario's files or overrides cannot be combined; the message is one line."""


@dataclass(frozen=True)
class Origin:
    """The file (as named) and line a field was written on; ``line`` None for an override."""

    file: str
    line: int | None = None

    def prefix(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass
class ScenarioSource:
    """The merged fields of a scenario and, for each field path, where it was written."""

    file: str
    raw: dict[str, Any]
    origins: dict[Key, Origin] = field(default_factory=dict)

    def where(self, loc: Sequence[object]) -> str:
        """``file:line`` of the deepest written field on ``loc`` (a pydantic error location),
        or the scenario file alone when none of it was written (a missing field)."""
        path = tuple(str(part) for part in loc)
        for end in range(len(path), 0, -1):
            origin = self.origins.get(path[:end])
            if origin is not None:
                return f"{self.file} ({SET_FLAG})" if origin.file == SET_FLAG else origin.prefix()
        return self.file


def read_source(
    path: Path,
    *,
    anchor: Callable[[dict, Path], dict],
    builtin: Callable[[], Mapping[str, Path]],
    overrides: Mapping[str, object] | None = None,
) -> ScenarioSource:
    """The scenario at ``path`` with what it extends merged in and ``overrides`` applied.

    ``anchor`` makes a file's relative paths relative to its folder; ``builtin`` lists the
    built-in scenarios ``extends`` may name."""
    source = _read(path, anchor, builtin, chain=())
    for dotted, value in (overrides or {}).items():
        _override(source, dotted, value)
    return source


def _read(
    path: Path,
    anchor: Callable[[dict, Path], dict],
    builtin: Callable[[], Mapping[str, Path]],
    chain: tuple[Path, ...],
) -> ScenarioSource:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise SourceError(f"{path}: file not found") from None
    loader = yaml.SafeLoader(text)  # one parse: the node keeps each field's line
    try:
        node = loader.get_single_node()
        raw = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise SourceError(f"{path}: not valid YAML{where}") from None
    finally:
        loader.dispose()
    if not isinstance(raw, dict):
        raise SourceError(f"{path}: expected a mapping of scenario fields at the top level")
    origins: dict[Key, Origin] = {}
    _lines(node, (), str(path), origins)
    own = ScenarioSource(str(path), anchor(raw, path.parent), origins)
    if "extends" not in raw:
        return own
    name = own.raw.pop("extends")
    where = own.origins.pop(("extends",), Origin(str(path))).prefix()
    if not isinstance(name, str) or not name.strip():
        raise SourceError(f"{where}: extends: give a scenario file or a built-in name")
    base_path = _base_path(name, path.parent, builtin)
    if base_path is None:
        raise SourceError(
            f"{where}: extends: {name}: no such scenario file or built-in scenario "
            f"(built in: {', '.join(sorted(builtin()))})"
        )
    seen = (*chain, path.resolve())
    if base_path.resolve() in seen:
        loop = " -> ".join(p.name for p in (*seen, base_path.resolve()))
        raise SourceError(f"{where}: extends: {name} makes a cycle ({loop})")
    base = _read(base_path, anchor, builtin, seen)
    base.raw = _merge(base.raw, own.raw, (), base.origins)
    base.origins.update(own.origins)
    base.file = own.file
    return base


def _base_path(name: str, folder: Path, builtin: Callable[[], Mapping[str, Path]]) -> Path | None:
    beside = folder / name
    if beside.is_file() or Path(name).suffix in (".yaml", ".yml"):
        return beside if not Path(name).is_absolute() else Path(name)
    return builtin().get(name)


def _merge(base: dict, child: dict, at: Key, origins: dict[Key, Origin]) -> dict:
    """``child`` deep-merged over ``base``; the base's origins of replaced values are dropped."""
    merged = dict(base)
    for key, value in child.items():
        here = (*at, str(key))
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value, here, origins)
        else:
            _forget(origins, here)
            merged[key] = value
    return merged


def _forget(origins: dict[Key, Origin], prefix: Key) -> None:
    for key in [k for k in origins if k[: len(prefix)] == prefix]:
        del origins[key]


def _lines(node: yaml.Node, at: Key, file: str, origins: dict[Key, Origin]) -> None:
    """Record the line of every key and list item under ``node``."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            here = (*at, str(key_node.value))
            origins[here] = Origin(file, key_node.start_mark.line + 1)
            _lines(value_node, here, file, origins)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            here = (*at, str(index))
            origins[here] = Origin(file, item.start_mark.line + 1)
            _lines(item, here, file, origins)


def _override(source: ScenarioSource, dotted: str, value: object) -> None:
    """Set the field at ``dotted`` (``arrivals.sessions``, ``merchants.0``) to ``value``."""
    parts = dotted.split(".")
    if not dotted or any(not part for part in parts):
        raise SourceError(f"{SET_FLAG} {dotted}: give a dotted field path, e.g. arrivals.sessions")
    container: Any = source.raw
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(container, list):
            if not part.isdigit() or int(part) >= len(container):
                raise SourceError(
                    f"{SET_FLAG} {dotted}: {'.'.join(parts[:depth]) or 'the scenario'} is a "
                    f"list of {len(container)}; {part} is not one of its indices"
                )
            index = int(part)
            if last:
                container[index] = value
            else:
                entry = container[index]
                if parts[:depth] == ["merchants"] and isinstance(entry, str):
                    entry = {"profile": entry}  # a profile by name: set fields over it
                container[index] = _copy(entry)
                container = container[index]
        elif isinstance(container, dict):
            if last:
                container[part] = value
            else:
                container[part] = _copy(container.get(part, {}))
                container = container[part]
        else:
            raise SourceError(
                f"{SET_FLAG} {dotted}: {'.'.join(parts[:depth])} is a value, not a mapping"
            )
    key = tuple(parts)
    _forget(source.origins, key)
    source.origins[key] = Origin(SET_FLAG)


def _copy(value: object) -> object:
    """A shallow copy to write into, so an override never changes a shared base value."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def parse_overrides(texts: Sequence[str]) -> dict[str, object]:
    """``["arrivals.sessions=50", "agent.policy=llm"]`` as a mapping of field paths to YAML
    values (``50`` an integer, ``[a, b]`` a list); later settings of a path win."""
    parsed: dict[str, object] = {}
    for text in texts:
        dotted, equals, value = text.partition("=")
        dotted = dotted.strip()
        if not equals or not dotted:
            raise SourceError(f"{SET_FLAG} {text}: write path=value, e.g. arrivals.sessions=50")
        try:
            parsed[dotted] = yaml.safe_load(value) if value.strip() else ""
        except yaml.YAMLError:
            raise SourceError(f"{SET_FLAG} {dotted}: the value is not valid YAML") from None
    return parsed
