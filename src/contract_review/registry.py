"""One small registry, used for everything that can be added to: extractors, loaders,
checker rules, batch executors and scored eval fields.

Built-in entries register exactly as a third-party package's would (the way simonw/llm
registers its plugins): a module decorates its functions or classes with
``REGISTRY.register(name)``, and importing the module is what registers them. A registry
knows the built-in modules to import and the entry-point group a plugin package declares
in its ``pyproject.toml``::

    [project.entry-points."contract_review.extractors"]
    my-extractor = "my_package.extractor"      # a module that registers when imported

Both are imported on first read, never at import time of this module, so a registry
costs nothing until it is used.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterator, MutableMapping
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

from .errors import ConfigError

T = TypeVar("T")
F = TypeVar("F")  # what a decorator registers keeps its own type

ENTRY_POINT_PREFIX = "contract_review."


@functools.cache
def _all_entry_points() -> dict[str, tuple[EntryPoint, ...]]:
    """Every installed entry point by group, read once per process: a scan of every
    installed distribution takes 0.1-0.2 s, and each registry would repeat it."""
    found = entry_points()
    if isinstance(found, dict):  # Python 3.11: a mapping of group -> entry points
        return {g: tuple(eps) for g, eps in found.items()}
    groups: dict[str, list[EntryPoint]] = {}
    for ep in found:
        groups.setdefault(ep.group, []).append(ep)
    return {g: tuple(eps) for g, eps in groups.items()}


def plugin_entry_points(group: str) -> tuple[EntryPoint, ...]:
    return _all_entry_points().get(group, ())


class Registry(MutableMapping[str, T], Generic[T]):
    """A name -> object mapping, in registration order, filled on first read.

    ``builtins`` are module names imported first; ``optional`` ones may be missing (an
    ImportError leaves their entries out). ``group`` is the entry-point group suffix
    (``"extractors"`` -> ``contract_review.extractors``) of third-party plugins."""

    def __init__(
        self, kind: str, *, builtins: tuple[str, ...] = (), optional: tuple[str, ...] = (), group: str | None = None
    ):
        self.kind = kind
        self._builtins = builtins
        self._optional = optional
        self._group = ENTRY_POINT_PREFIX + group if group else None
        self._items: dict[str, T] = {}
        self._loaded = False
        self._loading = False
        self._builtins_loaded = False

    # -- registration -------------------------------------------------------------------
    def register(self, *names: str) -> Callable[[F], F]:
        """A decorator registering its target under every one of ``names``."""
        if not names:
            raise ValueError(f"a {self.kind} needs a name to register under")

        def deco(obj: F) -> F:
            for name in names:
                self._items[name] = obj  # type: ignore[assignment]  # F is a T; Python cannot say so
            return obj

        return deco

    def load(self) -> None:
        """Import the built-in modules and the plugins of the entry-point group (once)."""
        if self._loaded or self._loading:
            return
        self._loading = True
        try:
            self._load_builtins()
            for module in self._optional:
                try:
                    importlib.import_module(module)
                except ImportError:  # an optional extra that is not installed
                    pass
            if self._group:
                for ep in plugin_entry_points(self._group):
                    try:
                        ep.load()
                    except Exception as e:  # a broken plugin is a configuration error, named
                        raise ConfigError(f"the {self.kind} plugin {ep.name!r} ({ep.value}) failed to load: {e}") from e
            self._loaded = True
        finally:
            self._loading = False

    def _load_builtins(self) -> None:
        if not self._builtins_loaded:
            for module in self._builtins:
                importlib.import_module(module)
            self._builtins_loaded = True

    # -- reading ------------------------------------------------------------------------
    def get_or_fail(self, name: str) -> T:
        """The entry for ``name``, or a :class:`ConfigError` that lists the known names.

        A built-in name, when no plugin is installed for this registry, is returned without
        importing the optional modules (the LLM extractor's LangChain stack is ~0.4 s of
        imports that a rules review does not wait for)."""
        if not self._loaded and not self._loading:
            self._load_builtins()
            if name in self._items and not (self._group and plugin_entry_points(self._group)):
                return self._items[name]
        self.load()
        try:
            return self._items[name]
        except KeyError:
            raise ConfigError(
                f"unknown {self.kind} {name!r}; choose one of: {', '.join(sorted(self._items))}"
            ) from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        self.load()
        return sorted(self._items)

    def __getitem__(self, name: str) -> T:
        self.load()
        return self._items[name]

    def __setitem__(self, name: str, obj: T) -> None:
        self._items[name] = obj

    def __delitem__(self, name: str) -> None:
        del self._items[name]

    def __iter__(self) -> Iterator[str]:
        self.load()
        return iter(dict(self._items))

    def __len__(self) -> int:
        self.load()
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        self.load()
        return name in self._items

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {sorted(self._items)!r})"
