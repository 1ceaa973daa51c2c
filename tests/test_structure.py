"""The shape of the source tree: no import cycles, and edge and cloud meet only in `shared/`.

Imports are read with `ast`, so every one counts: module level, inside functions and under
`TYPE_CHECKING`. A package's `__init__` is a module like any other, so importing
`edge_agent.store` depends on whatever `edge_agent/store/__init__.py` imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cloud", "edge_agent", "shared", "firmware_sim")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files(packages: Iterable[str]) -> dict[str, Path]:
    return {
        module_name(path): path for package in packages for path in (ROOT / package).rglob("*.py")
    }


def imported_names(path: Path, module: str) -> set[str]:
    """Every module name `path` imports, relative imports resolved against `module`."""
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            # `from package import module` imports the submodule too.
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph(packages: Iterable[str]) -> dict[str, set[str]]:
    """Module -> the project modules it imports (a submodule import also runs its parents)."""
    files = source_files(packages)
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        edges: set[str] = set()
        for name in imported_names(path, module):
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                target = ".".join(parts[:end])
                if target in files and target != module and not module.startswith(target + "."):
                    edges.add(target)
        graph[module] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a closed path of module names, or None."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        stack = [(start, iter(sorted(graph[start])))]
        path.append(start)
        on_path.add(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
            elif child in on_path:
                return [*path[path.index(child) :], child]
            elif child not in done:
                stack.append((child, iter(sorted(graph[child]))))
                path.append(child)
                on_path.add(child)
    return None


def test_the_source_tree_has_no_import_cycle() -> None:
    # One graph over every package: a cycle may pass through two of them.
    cycle = find_cycle(import_graph(PACKAGES))

    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_names_the_modules_of_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_imports_under_type_checking_and_inside_functions_are_read(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from edge_agent.agent import Agent\n"
        "def late():\n"
        "    import cloud.app\n"
        "    from . import sibling\n"
    )

    names = imported_names(source, "edge_agent.pkg.mod")

    assert {"edge_agent.agent", "cloud.app", "edge_agent.pkg.sibling"} <= names


def imports_of(package: str) -> set[tuple[str, str]]:
    """(module, imported name) for every import in `package`."""
    return {
        (module, name)
        for module, path in source_files([package]).items()
        for name in imported_names(path, module)
    }


# Edge and cloud meet only in `shared/`, which depends on neither; only the simulator, which
# runs both, may import them together.
@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("edge_agent", "cloud"),
        ("cloud", "edge_agent"),
        ("shared", "edge_agent"),
        ("shared", "cloud"),
        ("shared", "firmware_sim"),
        ("edge_agent", "firmware_sim"),
        ("cloud", "firmware_sim"),
    ],
)
def test_a_package_never_imports_one_it_must_not_know(package: str, forbidden: str) -> None:
    crossing = sorted(
        f"{module} imports {name}"
        for module, name in imports_of(package)
        if name.split(".")[0] == forbidden
    )

    assert crossing == []
