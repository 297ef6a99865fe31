"""Which of a recipient's list columns a message uses, read from its templates' syntax trees: the
history keeps just those with each delivery (what the citizen read, and no more of the list).

``recipient.rt``, ``recipient["rt"]`` and ``recipient.get("rt")`` name a column; a template that
reads ``recipient`` in a way not known ahead (``recipient[key]``, ``recipient.items()``, passing it
whole to a macro) uses all of them. Included, imported and extended templates count too.
"""

from __future__ import annotations

from collections.abc import Iterator

import jinja2
import jinja2.meta
from jinja2 import nodes

ALL = None  # every column
_TESTS = (nodes.If, nodes.CondExpr, nodes.Test, nodes.Not, nodes.And, nodes.Or)  # `{% if recipient %}`


def used_columns(env: jinja2.Environment, body: str, template: str) -> frozenset[str] | None:
    """Keys read from ``recipient`` by a post's body and its channel template (by name); None: all."""
    found: set[str] = set()
    seen: set[str] = set()
    try:
        trees = [env.parse(body)] if body else []
        pending = [template]
        while pending or trees:
            if trees:
                tree = trees.pop()
                keys = _keys(tree)
                if keys is ALL:
                    return ALL
                found |= keys
                for name in jinja2.meta.find_referenced_templates(tree):
                    if name is None:  # a template chosen at run time
                        return ALL
                    pending.append(name)
                continue
            name = pending.pop()
            if name not in seen:
                seen.add(name)
                source = env.loader.get_source(env, name)[0] if env.loader else ""
                trees.append(env.parse(source, name))
    except (jinja2.TemplateError, RecursionError, MemoryError, SyntaxError):
        return ALL  # rendering reports it; meanwhile keep everything
    return frozenset(found)


def _parents(tree: nodes.Node) -> Iterator[tuple[nodes.Node, nodes.Node]]:
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in node.iter_child_nodes():
            yield child, node
            stack.append(child)


def _keys(tree: nodes.Node) -> set[str] | None:
    keys: set[str] = set()
    pairs = list(_parents(tree))
    parent_of = {id(child): parent for child, parent in pairs}
    for node, parent in pairs:
        if not (isinstance(node, nodes.Name) and node.name == "recipient" and node.ctx == "load"):
            continue
        if isinstance(parent, nodes.Getattr) and parent.node is node:
            if parent.attr == "get":
                call = parent_of.get(id(parent))
                if not (isinstance(call, nodes.Call) and call.args and isinstance(call.args[0], nodes.Const)):
                    return ALL
                keys.add(str(call.args[0].value))
            elif parent.attr in ("items", "values", "keys"):
                return ALL
            else:
                keys.add(parent.attr)
        elif isinstance(parent, nodes.Getitem) and parent.node is node:
            if not isinstance(parent.arg, nodes.Const):
                return ALL
            keys.add(str(parent.arg.value))
        elif not isinstance(parent, _TESTS):
            return ALL
    return keys
