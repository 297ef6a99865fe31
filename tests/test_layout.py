"""The package's shape: rooms by stage, imports one way (counting imports inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "siaran"


def _room(module: str) -> str:
    """siaran.delivery.engine → delivery; siaran.app → app."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def room_imports() -> dict[str, set[str]]:
    """Top-level room → rooms it imports, from every import statement in its modules."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        room = _room(name)
        if not room:
            continue
        found = graph.setdefault(room, set())
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {  # ``if TYPE_CHECKING:`` imports are never made at run time
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("siaran.")]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                if mod.startswith("siaran"):
                    targets = [mod] if node.module else [f"{mod}.{a.name}" for a in node.names]
            for target in targets:
                other = _room(target)
                if other and other != room:
                    found.add(other)
    return graph


def test_no_two_rooms_import_each_other_directly_or_in_a_circle():
    graph = room_imports()
    seen: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(room: str, path: list[str]) -> None:
        seen[room] = 1
        for other in sorted(graph.get(room, ())):
            assert seen.get(other) != 1, "import cycle: " + " → ".join([*path, room, other])
            if other not in seen:
                visit(other, [*path, room])
        seen[room] = 2

    for room in sorted(graph):
        if room not in seen:
            visit(room, [])
    assert {"content", "render", "schedule", "delivery", "channels", "history", "cli"} <= set(graph)


def test_flow_goes_one_way():
    graph = room_imports()
    # history only stores (reasons are its data) and explains its failures
    assert not graph["history"] - {"errors", "i18n", "reasons"}
    assert "delivery" not in graph["channels"] and "cli" not in graph["delivery"]
    assert not graph["content"] - {"errors", "clock", "i18n"}  # files → model, nothing downstream


def test_few_loose_modules():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    assert len(loose) <= 10, loose
