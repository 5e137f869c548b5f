"""Plugin discovery: built-in packages, Python entry points, dotted paths and ``plugin.path`` folders.

A plugin is a concrete subclass of Connector, Transformation, Predicate, Converter or HeaderConverter.
It is found by any of:

* the catalogue of a built-in package (``genesis_connectors.catalog``, ``genesis_transforms.catalog``,
  ``genesis_worker.runtime.converters.catalog``): :class:`~genesis_worker.api.catalog.PluginEntry` rows that
  say what a class answers to without importing it;
* an entry point in the groups ``genesis_worker.connectors``, ``genesis_worker.transforms``,
  ``genesis_worker.converters``, ``genesis_worker.predicates`` (a pip-installed connector package) naming a
  plugin class, a module of plugin classes, or a tuple of ``PluginEntry`` (loaded lazily like the built-ins);
* a module or package inside a ``plugin.path`` folder;
* a dotted ``module.Class`` path written in a config, loaded on demand.

Each plugin answers to its Python dotted path, to its ``java_class_names`` (so existing Connect configs
keep working), and to Connect's aliases: the simple class name and that name without its type suffix
(``FileStreamSink`` for ``FileStreamSinkConnector``), registered only when unambiguous. Dotted paths
written before the built-in packages were renamed (``connectors.kafka.sink.KafkaSinkConnector``,
``transforms.cast.CastValue``) resolve to the same classes (see ``LEGACY_PREFIXES``).

A catalogued plugin's module (and its client library) is imported only when its class is first needed: a
connector of that class created or validated, its config asked for. One whose optional library is not
installed is not listed; the worker logs them once at INFO with the extra to install, and resolving one
raises :class:`PluginNotFoundException` (REST 400) saying the same. A module that fails to import is logged
and skipped; it does not stop the worker or hide the other plugins.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import inspect
import logging
import pkgutil
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any, cast

from genesis_worker import __version__
from genesis_worker.api.catalog import PluginEntry
from genesis_worker.api.connector import Connector, SinkConnector, SourceConnector
from genesis_worker.api.errors import ConnectException
from genesis_worker.api.plugin import Plugin
from genesis_worker.api.transform import Converter, HeaderConverter, PluginType, Predicate, Transformation

log = logging.getLogger(__name__)


class PluginNotFoundException(ConnectException):
    """No installed plugin answers to a class name a config gives: the client's mistake (REST 400)."""


BUILTIN_CATALOGS = (
    "genesis_connectors.catalog",
    "genesis_transforms.catalog",
    "genesis_worker.runtime.converters.catalog",
)
# Import names the built-in packages had before they were renamed; configs stored with the old dotted
# paths keep resolving.
LEGACY_PREFIXES = {"connectors.": "genesis_connectors.", "transforms.": "genesis_transforms."}
ENTRY_POINT_GROUPS = (
    "genesis_worker.connectors",
    "genesis_worker.transforms",
    "genesis_worker.converters",
    "genesis_worker.predicates",
)

# Order of kinds in GET /connector-plugins?connectorsOnly=false.
KIND_ORDER: tuple[PluginType, ...] = ("sink", "source", "transformation", "predicate", "converter", "header_converter")
_SUFFIX: dict[PluginType, tuple[str, ...]] = {
    "sink": ("Connector",),
    "source": ("Connector",),
    "converter": ("Converter",),
    "header_converter": ("HeaderConverter", "Converter"),
    "transformation": ("Transformation",),
    "predicate": ("Predicate",),
}


def plugin_kind(cls: type) -> PluginType | None:
    """The REST ``type`` of a plugin class, or None if it is not a plugin."""
    if not inspect.isclass(cls):
        return None
    if issubclass(cls, SinkConnector):
        return "sink"
    if issubclass(cls, SourceConnector):
        return "source"
    if issubclass(cls, Transformation):
        return "transformation"
    if issubclass(cls, Predicate):
        return "predicate"
    if issubclass(cls, HeaderConverter):
        return "header_converter"
    if issubclass(cls, Converter):
        return "converter"
    return None


_BASES: set[type] = {
    Plugin,
    Connector,
    SinkConnector,
    SourceConnector,
    Transformation,
    Predicate,
    Converter,
    HeaderConverter,
}


def is_concrete_plugin(cls: Any) -> bool:
    return (
        inspect.isclass(cls)
        and cls not in _BASES
        and plugin_kind(cls) is not None
        and not inspect.isabstract(cls)
        and not cls.__dict__.get("abstract_plugin", False)
        and not cls.__name__.startswith("_")
    )


class PluginDesc:
    """A discovered plugin: its REST type, class name and version; its class (``cls``) is imported on first use."""

    __slots__ = ("_cls", "class_name", "entry", "kind", "version")

    def __init__(
        self,
        kind: PluginType,
        class_name: str,
        version: str,
        *,
        cls: type[Plugin] | None = None,
        entry: PluginEntry | None = None,
    ) -> None:
        self.kind = kind
        self.class_name = class_name
        self.version = version
        self.entry = entry
        self._cls = cls

    @property
    def loaded(self) -> bool:
        return self._cls is not None

    @property
    def cls(self) -> type[Plugin]:
        if self._cls is None:
            assert self.entry is not None
            self._cls = _load_entry(self.entry)
        return self._cls

    def to_info(self) -> dict[str, str]:
        info = {"class": self.class_name, "type": self.kind}
        if self.version and self.version != "undefined":
            info["version"] = self.version
        return info

    def __repr__(self) -> str:
        return f"PluginDesc({self.kind} {self.class_name} {self.version})"


def _load_entry(entry: PluginEntry) -> type[Plugin]:
    """Import a catalogued class; a catalogue that does not match its module is the package's bug (500)."""
    try:
        obj = getattr(importlib.import_module(entry.module), entry.qualname)
    except Exception as e:
        raise ConnectException(f"Plugin {entry.class_name} could not be loaded from {entry.path}: {e}") from e
    if not is_concrete_plugin(obj) or plugin_kind(obj) != entry.kind:
        raise ConnectException(f"{entry.path} is not a {entry.kind} plugin")
    log.debug("Loaded plugin %s", entry.path)
    return cast(type[Plugin], obj)


def missing_requirements(entry: PluginEntry) -> list[str]:
    """The optional libraries of ``entry`` that are not installed (found without importing them)."""
    return [m for m in entry.requires if importlib.util.find_spec(m) is None]


def install_hint(entry: PluginEntry, missing: Iterable[str]) -> str:
    libraries = ", ".join(missing)
    how = f": pip install '{entry.extra}'" if entry.extra else ""
    return f"{entry.class_name} needs {libraries}, which is not installed{how}"


class PluginRegistry:
    """All plugins this worker can run, with name resolution."""

    def __init__(self) -> None:
        self._by_name: dict[str, PluginDesc] = {}
        self._plugins: dict[str, PluginDesc] = {}  # by Python dotted path
        self._aliases: dict[str, set[str]] = {}
        self._unavailable: dict[str, str] = {}  # name or alias -> why (a missing optional library)

    @classmethod
    def discover(cls, plugin_path: Iterable[str] = (), *, builtins: bool = True) -> PluginRegistry:
        reg = cls()
        if builtins:
            for catalog in BUILTIN_CATALOGS:
                reg.add_catalog(importlib.import_module(catalog).PLUGINS)
        reg.scan_entry_points()
        for folder in plugin_path:
            reg.scan_folder(Path(folder))
        reg.log_unavailable()
        return reg

    # --- discovery ------------------------------------------------------------------------------

    def add_catalog(self, entries: Iterable[PluginEntry]) -> None:
        """Register catalogued plugins without importing them; those missing a library are kept apart."""
        for entry in entries:
            missing = missing_requirements(entry)
            if missing:
                hint = install_hint(entry, missing)
                for name in self._names(entry.path, entry.java_class_names, entry.kind):
                    self._unavailable.setdefault(name, hint)
            elif entry.path not in self._plugins:
                version = entry.version if entry.version is not None else __version__
                self._register(PluginDesc(entry.kind, entry.class_name, version, entry=entry), entry.path)

    def log_unavailable(self) -> None:
        """One INFO line for the plugins whose optional library is not installed."""
        hints = sorted(set(self._unavailable.values()))
        if hints:
            log.info("Optional plugins not available: %s", "; ".join(hints))

    def scan_package(self, package: str) -> None:
        try:
            mod = importlib.import_module(package)
        except Exception as e:  # a broken plugin package must not stop the worker
            log.warning("Skipping plugin package %s: %s", package, e)
            return
        self.scan_module(mod)
        for info in pkgutil.walk_packages(
            getattr(mod, "__path__", []), prefix=package + ".", onerror=lambda name: log.warning("Cannot scan %s", name)
        ):
            try:
                self.scan_module(importlib.import_module(info.name))
            except Exception as e:
                log.warning("Skipping plugin module %s: %s", info.name, e)

    def scan_module(self, mod: ModuleType) -> None:
        for obj in vars(mod).values():
            if is_concrete_plugin(obj) and obj.__module__ == mod.__name__:
                self.add(obj)

    def scan_entry_points(self) -> None:
        for group in ENTRY_POINT_GROUPS:
            for ep in importlib.metadata.entry_points(group=group):
                try:
                    obj = ep.load()
                except Exception as e:
                    log.warning("Skipping entry point %s (%s): %s", ep.name, group, e)
                    continue
                if inspect.ismodule(obj):
                    self.scan_module(obj)
                elif is_concrete_plugin(obj):
                    self.add(obj)
                elif isinstance(obj, (tuple, list)) and obj and all(isinstance(e, PluginEntry) for e in obj):
                    self.add_catalog(obj)
                else:
                    log.warning("Entry point %s (%s) is not a plugin class, module or catalogue", ep.name, group)

    def scan_folder(self, folder: Path) -> None:
        """Import every module and package directly inside ``folder`` (a ``plugin.path`` entry)."""
        if not folder.is_dir():
            log.warning("plugin.path entry %s is not a directory; ignored", folder)
            return
        if str(folder) not in sys.path:
            sys.path.append(str(folder))
        for info in pkgutil.iter_modules([str(folder)]):
            if info.ispkg:
                self.scan_package(info.name)
            else:
                try:
                    self.scan_module(importlib.import_module(info.name))
                except Exception as e:
                    log.warning("Skipping plugin module %s in %s: %s", info.name, folder, e)

    def add(self, cls: type) -> PluginDesc:
        path = f"{cls.__module__}.{cls.__qualname__}"
        known = self._plugins.get(path)
        if known is not None:
            if known._cls is None and known.kind == plugin_kind(cls):
                known._cls = cls  # a catalogued class imported by its module path
            return known
        kind = plugin_kind(cls)
        if kind is None:
            raise ConnectException(f"{cls} is not a plugin")
        assert issubclass(cls, Plugin)
        try:
            version = cls().version()
        except Exception:
            version = "undefined"
        return self._register(PluginDesc(kind, cls.class_name(), version, cls=cls), path, cls.java_class_names)

    def _register(self, desc: PluginDesc, path: str, java_class_names: tuple[str, ...] | None = None) -> PluginDesc:
        if java_class_names is None:
            assert desc.entry is not None
            java_class_names = desc.entry.java_class_names
        self._plugins[path] = desc
        names = {desc.class_name, path, *java_class_names}
        for n in names:
            self._by_name[n] = desc
            self._unavailable.pop(n, None)
        for alias in self._names(path, java_class_names, desc.kind) - names:
            self._aliases.setdefault(alias, set()).add(path)
        return desc

    @staticmethod
    def _names(path: str, java_class_names: tuple[str, ...], kind: PluginType) -> set[str]:
        """Every name a plugin answers to: its dotted path, Java names, simple names and those without the
        type suffix (the last two only when unambiguous, see :meth:`find`)."""
        names = {path, *java_class_names}
        for full in list(names):
            simple = full.rsplit(".", 1)[-1]
            names.add(simple)
            for suffix in _SUFFIX[kind]:
                if simple.endswith(suffix) and len(simple) > len(suffix):
                    names.add(simple[: -len(suffix)])
                    break
        return names

    # --- lookup ---------------------------------------------------------------------------------

    def plugins(self, kinds: Iterable[PluginType] = KIND_ORDER) -> list[PluginDesc]:
        """Plugins of the given kinds, ordered as Connect lists them."""
        wanted = list(kinds)
        out = [d for d in self._plugins.values() if d.kind in wanted]
        return sorted(out, key=lambda d: (wanted.index(d.kind), d.class_name, d.version))

    def find(self, name: str) -> PluginDesc | None:
        """Resolve a class name, Java name or unambiguous alias; load dotted paths on demand."""
        name = name.strip()
        if name in self._by_name:
            return self._by_name[name]
        owners = self._aliases.get(name)
        if owners and len(owners) == 1:
            return self._plugins[next(iter(owners))]
        if "." not in name:
            return None
        for old, new in LEGACY_PREFIXES.items():
            if name.startswith(old) and (desc := self.find(new + name[len(old) :])) is not None:
                return desc
        return self._load_dotted(name)

    def _load_dotted(self, name: str) -> PluginDesc | None:
        module_name, _, attr = name.rpartition(".")
        try:
            obj = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError, ValueError):
            return None
        except Exception as e:
            log.warning("Loading plugin %s failed: %s", name, e)
            return None
        return self.add(obj) if is_concrete_plugin(obj) else None

    def unavailable(self, name: str) -> str | None:
        """Why the plugin ``name`` cannot be used (its optional library is missing), or None."""
        name = name.strip()
        for old, new in LEGACY_PREFIXES.items():
            if name.startswith(old) and new + name[len(old) :] in self._unavailable:
                return self._unavailable[new + name[len(old) :]]
        return self._unavailable.get(name)

    def resolve(self, name: str, kinds: Iterable[PluginType]) -> PluginDesc:
        """Like :meth:`find` but raises Connect's error when the name is unknown or of another kind."""
        kinds = tuple(kinds)
        desc = self.find(name)
        if desc is None and (why := self.unavailable(name)) is not None:
            raise PluginNotFoundException(why)
        if desc is None or desc.kind not in kinds:
            if set(kinds) <= {"sink", "source"}:
                available = ", ".join(d.class_name for d in self.plugins(("sink", "source")))
                raise PluginNotFoundException(
                    f"Failed to find any class that implements Connector and which name matches {name}, "
                    f"available connectors are: {available}"
                )
            raise PluginNotFoundException(f"Class {name} could not be found.")
        return desc

    def new_instance(self, name: str, kinds: Iterable[PluginType]) -> Any:
        return self.resolve(name, kinds).cls()
