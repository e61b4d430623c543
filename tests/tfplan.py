"""An offline `terraform plan` for infra/terraform: the resource graph, rendered from HCL.

No terraform binary can run here, so this module evaluates the configuration itself:
python-hcl2 parses each .tf file into a syntax tree, and the evaluator below resolves
what Terraform would resolve at plan time: variables (defaults and a tfvars file),
locals, references between resources, `for_each` and `count` (over locals, sets and
other resources), `dynamic` blocks, `for` expressions and the functions the
configuration uses (jsondecode(file(...)) included). The result is every resource
INSTANCE with its evaluated arguments, and every dependency edge Terraform derives
(references plus depends_on), so tests can assert order constraints ("no function is
created before the builder's storage grant and its wait") and invariants ("each
private function has exactly the invokers it needs") on the plan, not on the text.

Values known only after apply (a service account's e-mail, a function's Cloud Run
service) are `Unknown`; inside strings they render as `⟨address.attribute⟩`, so an
IAM member reads `serviceAccount:⟨google_service_account.fn["tts_worker"].email⟩`.

Anything the evaluator does not understand raises PlanError: a restructured
configuration cannot pass by going unread.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2.api
from lark import Token, Tree


class PlanError(AssertionError):
    """The configuration cannot be rendered (or uses what this evaluator lacks)."""


# ------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Unknown:
    """A value Terraform knows only after apply."""

    what: str

    def __str__(self) -> str:
        return f"⟨{self.what}⟩"


def unknown(what: str) -> str:
    """How an unknown value reads inside a string (for comparing rendered members)."""
    return str(Unknown(what))


class Block(dict[str, Any]):
    """A resource's evaluated arguments (or one nested block): a missing attribute is
    one Terraform computes, hence Unknown, not an error as for a missing object key."""

    def __init__(self, path: str, items: Mapping[str, Any] | None = None) -> None:
        super().__init__(items or {})
        self.path = path


class BlockList(list[Block]):
    def __init__(self, path: str, items: Iterable[Block] = ()) -> None:
        super().__init__(items)
        self.path = path


@dataclass(frozen=True)
class FrozenSet:
    """A Terraform set (of strings here): iterates in lexical order."""

    items: tuple[Any, ...]

    @staticmethod
    def of(values: Iterable[Any]) -> FrozenSet:
        return FrozenSet(tuple(sorted(set(values), key=str)))

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


# ------------------------------------------------------------------------ parsing


@dataclass
class Body:
    attributes: dict[str, Tree[Any]] = field(default_factory=dict)
    blocks: list[tuple[str, list[str], Body]] = field(default_factory=list)


def _children(tree: Tree[Any]) -> list[Any]:
    """Children without comments/newlines."""
    return [c for c in tree.children
            if not (isinstance(c, Tree) and c.data == "new_line_or_comment")]


def _name(node: Any) -> str:
    """The text of an identifier / keyword / string label node."""
    if isinstance(node, Token):
        return str(node)
    if isinstance(node, Tree):
        if node.data == "string":
            parts = [c for c in node.children if isinstance(c, Tree)]
            text = ""
            for part in parts:
                for token in part.children:
                    if not isinstance(token, Token):
                        raise PlanError("interpolation in a block label")
                    text += str(token)
            return text
        if node.data in ("identifier", "keyword", "literal_value"):
            return _name(node.children[0])
    raise PlanError(f"not a name: {node!r}")


def parse_body(tree: Tree[Any]) -> Body:
    body = Body()
    for item in _children(tree):
        if item.data == "attribute":
            parts = _children(item)
            body.attributes[_name(parts[0])] = parts[-1]
        elif item.data == "block":
            parts = [p for p in _children(item) if not isinstance(p, Token)]
            *labels, inner = parts
            body.blocks.append((_name(labels[0]), [_name(x) for x in labels[1:]],
                                parse_body(inner)))
        else:
            raise PlanError(f"unexpected {item.data} in a body")
    return body


# --------------------------------------------------------------------- resources


@dataclass
class ResourceSpec:
    mode: str  # "resource" or "data"
    type: str
    name: str
    body: Body
    file: str

    @property
    def address(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        return f"{prefix}{self.type}.{self.name}"


@dataclass
class Instance:
    resource: str  # e.g. google_service_account.fn
    key: str | int | None
    config: Block
    each_value: Any = None

    @property
    def address(self) -> str:
        return self.resource + _key_suffix(self.key)

    @property
    def type(self) -> str:
        return self.resource.removeprefix("data.").split(".")[0]


def _key_suffix(key: str | int | None) -> str:
    if key is None:
        return ""
    return f"[{key}]" if isinstance(key, int) else f'["{key}"]'


class InstanceRef:
    """A reference to one instance (resource.name, resource.name["k"], ...[0])."""

    def __init__(self, plan: Plan, resource: str, key: str | int | None) -> None:
        self._plan = plan
        self.resource = resource
        self.key = key

    @property
    def address(self) -> str:
        return self.resource + _key_suffix(self.key)

    def attribute(self, name: str) -> Any:
        config = self._plan.instance_config(self.resource, self.key)
        if name in config:
            return config[name]
        return Unknown(f"{self.address}.{name}")


# -------------------------------------------------------------------------- scope


@dataclass
class Scope:
    names: dict[str, Any] = field(default_factory=dict)  # each, count, for/dynamic vars
    refs: set[str] | None = None  # resources referenced (collected for the graph)

    def child(self, **names: Any) -> Scope:
        return Scope({**self.names, **names}, self.refs)


class _Namespace:
    def __init__(self, attribute: Callable[[str], Any], what: str) -> None:
        self.attribute = attribute
        self.what = what


# ----------------------------------------------------------------------- the plan


class Plan:
    """The rendered configuration of one Terraform module directory."""

    def __init__(self, directory: Path, variables: Mapping[str, Any] | None = None) -> None:
        self.directory = directory
        self.given = dict(variables or {})
        self.variables: dict[str, Body] = {}
        self.local_exprs: dict[str, Tree[Any]] = {}
        self.outputs: dict[str, Body] = {}
        self.specs: dict[str, ResourceSpec] = {}
        self.terraform_blocks: list[Body] = []
        self.provider_blocks: list[tuple[str, Body]] = []
        self.checks: dict[str, Body] = {}
        for path in sorted(directory.glob("*.tf")):
            self._load(path)
        self._locals: dict[str, tuple[Any, frozenset[str]]] = {}
        self._locals_busy: set[str] = set()
        self._configs: dict[tuple[str, str | int | None], Block] = {}
        self._configs_busy: set[str] = set()
        self._keys: dict[str, list[tuple[str | int | None, Any]]] = {}
        self._refs: dict[str, set[str]] = {}
        self._collected: dict[str, set[str]] = {}  # references found per resource
        missing = [n for n, b in self.variables.items()
                   if "default" not in b.attributes and n not in self.given]
        if missing:
            raise PlanError(f"no value for required variables {missing}")
        unknown_vars = set(self.given) - set(self.variables)
        if unknown_vars:
            raise PlanError(f"values given for undeclared variables {sorted(unknown_vars)}")
        failed = self.validation_errors()
        if failed:
            raise PlanError(f"invalid variable values: {failed}")

    def validation_errors(self) -> list[str]:
        """The error messages of every variable validation that fails."""
        errors = []
        for name, spec in self.variables.items():
            for kind, _, block in spec.blocks:
                if kind != "validation":
                    continue
                ok = self.evaluate(block.attributes["condition"], Scope())
                if ok is not True:
                    message = self.evaluate(block.attributes["error_message"], Scope())
                    errors.append(f"{name}: {message}")
        return errors

    def _load(self, path: Path) -> None:
        tree = hcl2.api.parses_to_tree(path.read_text(encoding="utf-8"))
        body = parse_body(_children(tree)[0])
        if body.attributes:
            raise PlanError(f"{path.name}: top-level attributes")
        for kind, labels, inner in body.blocks:
            if kind in ("resource", "data"):
                spec = ResourceSpec(kind, labels[0], labels[1], inner, path.name)
                if spec.address in self.specs:
                    raise PlanError(f"duplicate {spec.address}")
                self.specs[spec.address] = spec
            elif kind == "locals":
                for name, expr in inner.attributes.items():
                    if name in self.local_exprs:
                        raise PlanError(f"duplicate local.{name}")
                    self.local_exprs[name] = expr
            elif kind == "variable":
                self.variables[labels[0]] = inner
            elif kind == "output":
                self.outputs[labels[0]] = inner
            elif kind == "terraform":
                self.terraform_blocks.append(inner)
            elif kind == "provider":
                self.provider_blocks.append((labels[0], inner))
            elif kind == "check":
                self.checks[labels[0]] = inner
            else:
                raise PlanError(f"{path.name}: unsupported top-level block {kind}")

    # ---------------------------------------------------------------- public API
    @property
    def resource_addresses(self) -> list[str]:
        return sorted(self.specs)

    def instances(self, resource: str | None = None) -> list[Instance]:
        """Every instance of one resource (or of all), with evaluated arguments."""
        out = []
        for address in [resource] if resource else self.resource_addresses:
            for key, each_value in self.instance_keys(address):
                out.append(Instance(address, key, self.instance_config(address, key),
                                    each_value))
        return out

    def of_type(self, rtype: str) -> list[Instance]:
        return [i for r in self.resource_addresses if self.specs[r].type == rtype
                and self.specs[r].mode == "resource" for i in self.instances(r)]

    def depends_on(self, resource: str) -> set[str]:
        """Resources this one waits for: references in its arguments (through locals)
        and its depends_on list. Like Terraform, per resource, not per instance."""
        if resource not in self._refs:
            spec = self.spec(resource)
            refs: set[str] = set()
            for key, _ in self.instance_keys(resource):
                self.instance_config(resource, key)
            refs |= self._collected.get(resource, set())
            for target in self._depends_on_list(spec):
                refs.add(target)
            refs.discard(resource)
            self._refs[resource] = refs
        return self._refs[resource]

    def ancestors(self, resource: str) -> set[str]:
        """Everything created before this resource, transitively."""
        seen: set[str] = set()
        todo = list(self.depends_on(resource))
        while todo:
            current = todo.pop()
            if current in seen or current not in self.specs:
                continue
            seen.add(current)
            todo.extend(self.depends_on(current))
        return seen

    def local(self, name: str) -> Any:
        return self._local(name)[0]

    def variable(self, name: str) -> Any:
        if name in self.given:
            return self.given[name]
        spec = self.variables.get(name)
        if spec is None:
            raise PlanError(f"undeclared variable {name}")
        return self.evaluate(spec.attributes["default"], Scope())

    def output(self, name: str) -> Any:
        return self.evaluate(self.outputs[name].attributes["value"], Scope(refs=set()))

    def spec(self, resource: str) -> ResourceSpec:
        if resource not in self.specs:
            raise PlanError(f"no such resource {resource}")
        return self.specs[resource]

    # ------------------------------------------------------------ instance keys
    def instance_keys(self, resource: str) -> list[tuple[str | int | None, Any]]:
        if resource not in self._keys:
            spec = self.spec(resource)
            refs: set[str] = set()
            attrs = spec.body.attributes
            if "for_each" in attrs and "count" in attrs:
                raise PlanError(f"{resource}: both for_each and count")
            if "for_each" in attrs:
                value = self.evaluate(attrs["for_each"], Scope(refs=refs))
                if isinstance(value, FrozenSet):
                    keys: list[tuple[str | int | None, Any]] = [(v, v) for v in value]
                elif isinstance(value, dict):
                    keys = [(k, v) for k, v in sorted(value.items())]
                else:
                    raise PlanError(f"{resource}: for_each is neither a map nor a set")
                if any(not isinstance(k, str) for k, _ in keys):
                    raise PlanError(f"{resource}: for_each keys must be known strings")
            elif "count" in attrs:
                count = self.evaluate(attrs["count"], Scope(refs=refs))
                if not isinstance(count, int):
                    raise PlanError(f"{resource}: count must be a known number")
                keys = [(i, None) for i in range(count)]
            else:
                keys = [(None, None)]
            self._collected.setdefault(resource, set()).update(refs)
            self._keys[resource] = keys
        return self._keys[resource]

    def instance_config(self, resource: str, key: str | int | None) -> Block:
        cache_key = (resource, key)
        if cache_key in self._configs:
            return self._configs[cache_key]
        address = resource + _key_suffix(key)
        if address in self._configs_busy:
            raise PlanError(f"cycle through {address}")
        values = dict(self.instance_keys(resource))
        if key not in values:
            raise PlanError(f"{resource} has no instance {key!r}")
        spec = self.spec(resource)
        names: dict[str, Any] = {}
        if isinstance(key, str):
            names["each"] = {"key": key, "value": values[key]}
        elif isinstance(key, int):
            names["count"] = {"index": key}
        refs: set[str] = set()
        self._configs_busy.add(address)
        try:
            config = self._evaluate_body(spec.body, Scope(names, refs), address, meta=True)
        finally:
            self._configs_busy.discard(address)
        self._collected.setdefault(resource, set()).update(refs)
        self._configs[cache_key] = config
        return config

    def _depends_on_list(self, spec: ResourceSpec) -> list[str]:
        expr = spec.body.attributes.get("depends_on")
        if expr is None:
            return []
        node = _unwrap(expr)
        if node.data != "tuple":
            raise PlanError(f"{spec.address}: depends_on must be a list")
        targets = []
        for item in _expressions(node):
            path = _traversal(item)
            if path[0] == "data":
                targets.append(".".join(path[:3]))
            elif path[0] in ("var", "local"):
                continue  # no resource ordering of its own
            else:
                targets.append(".".join(path[:2]))
        for target in targets:
            if target not in self.specs:
                raise PlanError(f"{spec.address}: depends_on names unknown {target}")
        return targets

    def _evaluate_body(self, body: Body, scope: Scope, path: str, meta: bool = False) -> Block:
        out = Block(path)
        for name, expr in body.attributes.items():
            if meta and name in ("for_each", "count", "depends_on", "provider"):
                continue
            out[name] = self.evaluate(expr, scope)
        for kind, labels, inner in body.blocks:
            if meta and kind == "lifecycle":
                continue
            if kind == "dynamic":
                self._expand_dynamic(labels[0], inner, scope, out, path)
                continue
            if labels:
                raise PlanError(f"{path}: labelled nested block {kind}")
            blocks = out.setdefault(kind, BlockList(f"{path}.{kind}"))
            blocks.append(self._evaluate_body(inner, scope, f"{path}.{kind}[{len(blocks)}]"))
        return out

    def _expand_dynamic(self, kind: str, spec: Body, scope: Scope, out: Block,
                        path: str) -> None:
        iterator = kind
        if "iterator" in spec.attributes:
            iterator = _name(_unwrap(spec.attributes["iterator"]).children[0])
        collection = self.evaluate(spec.attributes["for_each"], scope)
        contents = [b for b in spec.blocks if b[0] == "content"]
        if len(contents) != 1:
            raise PlanError(f"{path}: dynamic {kind} needs one content block")
        blocks = out.setdefault(kind, BlockList(f"{path}.{kind}"))
        for key, value in _items(collection):
            inner = scope.child(**{iterator: {"key": key, "value": value}})
            blocks.append(self._evaluate_body(contents[0][2], inner,
                                              f"{path}.{kind}[{len(blocks)}]"))

    # ----------------------------------------------------------------- locals
    def _local(self, name: str) -> tuple[Any, frozenset[str]]:
        if name not in self._locals:
            if name not in self.local_exprs:
                raise PlanError(f"no such local.{name}")
            if name in self._locals_busy:
                raise PlanError(f"cycle through local.{name}")
            self._locals_busy.add(name)
            refs: set[str] = set()
            try:
                value = self.evaluate(self.local_exprs[name], Scope(refs=refs))
            finally:
                self._locals_busy.discard(name)
            self._locals[name] = (value, frozenset(refs))
        return self._locals[name]

    # ------------------------------------------------------------- expressions
    def evaluate(self, node: Any, scope: Scope) -> Any:
        return _Evaluator(self, scope).eval(node)

    def _root(self, name: str, scope: Scope) -> Any:
        if name in scope.names:
            return scope.names[name]
        if name == "local":
            def attribute_local(attr: str) -> Any:
                value, refs = self._local(attr)
                if scope.refs is not None:
                    scope.refs.update(refs)
                return value
            return _Namespace(attribute_local, "local")
        if name == "var":
            return _Namespace(self.variable, "var")
        if name == "path":
            return {"module": str(self.directory), "root": str(self.directory),
                    "cwd": str(self.directory)}
        if name == "data":
            return _Namespace(lambda rtype: _Namespace(
                lambda rname: self._reference(f"data.{rtype}.{rname}", scope),
                f"data.{rtype}"), "data")
        if name == "each" or name == "count":
            raise PlanError(f"{name} used outside a resource with {name}")
        if any(s.type == name and s.mode == "resource" for s in self.specs.values()):
            return _Namespace(lambda rname: self._reference(f"{name}.{rname}", scope), name)
        raise PlanError(f"unknown name {name}")

    def _reference(self, resource: str, scope: Scope) -> Any:
        spec = self.spec(resource)
        if scope.refs is not None:
            scope.refs.add(spec.address)
        attrs = spec.body.attributes
        keys = self.instance_keys(resource)
        if "for_each" in attrs:
            return {k: InstanceRef(self, resource, k) for k, _ in keys}
        if "count" in attrs:
            return [InstanceRef(self, resource, k) for k, _ in keys]
        return InstanceRef(self, resource, None)


def _unwrap(node: Any) -> Any:
    """An expression node without expr_term/parentheses wrappers."""
    while isinstance(node, Tree) and node.data == "expr_term":
        parts = _children(node)
        if len(parts) == 3 and isinstance(parts[0], Token) and parts[0].type == "LPAR":
            node = parts[1]
        elif len(parts) == 1:
            node = parts[0]
        else:
            break
    return node


def _expressions(tree: Tree[Any]) -> list[Any]:
    return [c for c in _children(tree) if isinstance(c, Tree)]


def _traversal(node: Any) -> list[str]:
    """A plain reference (a.b.c, a.b["k"]) as its parts, for depends_on."""
    node = _unwrap(node)
    if isinstance(node, Tree) and node.data == "identifier":
        return [_name(node)]
    if isinstance(node, Tree) and node.data == "get_attr_expr_term":
        base, attr = _children(node)
        return [*_traversal(base), _name(_children(attr)[-1])]
    if isinstance(node, Tree) and node.data == "index_expr_term":
        return _traversal(_children(node)[0])
    raise PlanError(f"depends_on entries must be references, not {node!r}")


def _items(collection: Any) -> list[tuple[Any, Any]]:
    if isinstance(collection, dict):
        return sorted(collection.items())
    if isinstance(collection, FrozenSet):
        return [(v, v) for v in collection]
    if isinstance(collection, list):
        return list(enumerate(collection))
    raise PlanError(f"cannot iterate over {type(collection).__name__}")


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _string_chars(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt == "u":
                out.append(chr(int(text[i + 2:i + 6], 16)))
                i += 6
                continue
            raise PlanError(f"unsupported escape \\{nxt}")
        out.append(ch)
        i += 1
    return "".join(out)


def _render(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str | Unknown):
        return str(value)
    if value is None:
        raise PlanError("null in a string template")
    raise PlanError(f"cannot put a {type(value).__name__} in a string")


class _Evaluator:
    def __init__(self, plan: Plan, scope: Scope) -> None:
        self.plan = plan
        self.scope = scope

    def eval(self, node: Any) -> Any:
        node = _unwrap(node)
        if isinstance(node, Token):
            raise PlanError(f"unexpected token {node!r}")
        handler = getattr(self, f"_{node.data}", None)
        if handler is None:
            raise PlanError(f"unsupported expression {node.data}")
        return handler(node)

    # literals
    def _int_lit(self, node: Tree[Any]) -> int:
        return int(str(node.children[0]))

    def _float_lit(self, node: Tree[Any]) -> float:
        return float(str(node.children[0]))

    def _literal_value(self, node: Tree[Any]) -> Any:
        return {"true": True, "false": False, "null": None}[str(node.children[0])]

    def _string(self, node: Tree[Any]) -> Any:
        parts: list[Any] = []
        for part in node.children:
            if not isinstance(part, Tree):
                continue  # the quotes
            inner = part.children[0]
            if isinstance(inner, Token):
                text = str(inner)
                if inner.type == "ESCAPED_INTERPOLATION":
                    parts.append("$" + text[2:])
                elif inner.type == "ESCAPED_DIRECTIVE":
                    parts.append("%" + text[2:])
                else:
                    parts.append(_string_chars(text))
            elif inner.data == "interpolation":
                parts.append(self.eval(_expressions(inner)[0]))
            else:
                raise PlanError(f"unsupported template directive {inner.data}")
        if len(parts) == 1 and not isinstance(parts[0], str):
            return parts[0]  # "${x}" is x itself, not a string of it
        return "".join(p if isinstance(p, str) else _render(p) for p in parts)

    def _heredoc_template(self, node: Tree[Any]) -> str:
        raise PlanError("heredocs are not supported")

    # collections
    def _tuple(self, node: Tree[Any]) -> list[Any]:
        return [self.eval(e) for e in _expressions(node)]

    def _object(self, node: Tree[Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for elem in _expressions(node):
            key_node, value_node = _expressions(elem)
            key_expr = _unwrap(_children(key_node)[0])
            if isinstance(key_expr, Tree) and key_expr.data in ("identifier", "keyword"):
                key = _name(key_expr)
            else:
                key = self.eval(key_expr)
            if not isinstance(key, str):
                raise PlanError(f"object key {key!r} is not a string")
            out[key] = self.eval(value_node)
        return out

    # names and traversals
    def _identifier(self, node: Tree[Any]) -> Any:
        return self.plan._root(_name(node), self.scope)

    def _get_attr_expr_term(self, node: Tree[Any]) -> Any:
        base_node, attr = _children(node)
        return self._attribute(self.eval(base_node), _name(_children(attr)[-1]))

    def _attribute(self, base: Any, name: str) -> Any:
        if isinstance(base, _Namespace):
            return base.attribute(name)
        if isinstance(base, InstanceRef):
            return base.attribute(name)
        if isinstance(base, Unknown):
            return Unknown(f"{base.what}.{name}")
        if isinstance(base, Block):
            return base[name] if name in base else Unknown(f"{base.path}.{name}")
        if isinstance(base, dict):
            if name not in base:
                raise PlanError(f"object has no attribute {name!r} (has {sorted(base)})")
            return base[name]
        raise PlanError(f"cannot read .{name} of {type(base).__name__}")

    def _index_expr_term(self, node: Tree[Any]) -> Any:
        base_node, index = _children(node)
        base = self.eval(base_node)
        if index.data == "short_index":
            key: Any = int(str(_children(index)[-1]))
        else:
            key = self.eval(_expressions(index)[0])
        return self._index(base, key)

    def _index(self, base: Any, key: Any) -> Any:
        if isinstance(base, Unknown) or isinstance(key, Unknown):
            return Unknown(f"{base}[{key}]")
        if isinstance(base, dict):
            if key not in base:
                raise PlanError(f"no key {key!r} (has {sorted(base)})")
            return base[key]
        if isinstance(base, list):
            if not isinstance(key, int) or not 0 <= key < len(base):
                raise PlanError(f"index {key!r} out of range")
            return base[key]
        raise PlanError(f"cannot index {type(base).__name__}")

    # operators
    def _conditional(self, node: Tree[Any]) -> Any:
        cond, then, other = _expressions(node)
        test = self.eval(cond)
        if isinstance(test, Unknown):
            raise PlanError("a condition known only after apply")
        if not isinstance(test, bool):
            raise PlanError("condition is not a bool")
        return self.eval(then if test else other)

    def _unary_op(self, node: Tree[Any]) -> Any:
        op, operand = node.children[0], node.children[1]
        value = self.eval(operand)
        if isinstance(value, Unknown):
            raise PlanError("arithmetic on a value known only after apply")
        return (not value) if str(op) == "!" else -value

    def _binary_op(self, node: Tree[Any]) -> Any:
        left_node, term = _expressions(node)
        op_node, right_node = _expressions(term)
        op = str(op_node.children[0])
        left = self.eval(left_node)
        if op == "&&" and left is False:
            return False
        if op == "||" and left is True:
            return True
        right = self.eval(right_node)
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            raise PlanError(f"{op} on a value known only after apply")
        ops: dict[str, Callable[[Any, Any], Any]] = {
            "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
            "/": lambda a, b: a / b, "%": lambda a, b: a % b,
            "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
            "<": lambda a, b: a < b, ">": lambda a, b: a > b,
            "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
            "&&": lambda a, b: a and b, "||": lambda a, b: a or b,
        }
        if op in "+-*/%<><=>=" and not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right)):
            raise PlanError(f"{op} needs numbers")
        return ops[op](left, right)

    # for expressions
    def _for_parts(self, node: Tree[Any]) -> tuple[list[str], Any, list[Any], Any]:
        intro = next(c for c in _children(node) if isinstance(c, Tree) and c.data == "for_intro")
        names = [_name(c) for c in _children(intro)
                 if isinstance(c, Tree) and c.data == "identifier"]
        collection = self.eval(_expressions(intro)[-1])
        cond = next((c for c in _children(node) if isinstance(c, Tree)
                     and c.data == "for_cond"), None)
        body = [c for c in _children(node) if isinstance(c, Tree)
                and c.data not in ("for_intro", "for_cond")]
        return names, collection, body, cond

    def _iterations(self, names: list[str], collection: Any, cond: Any) -> Iterator[_Evaluator]:
        if isinstance(collection, Unknown):
            raise PlanError("for over a value known only after apply")
        for key, value in _items(collection):
            bound = {names[0]: value} if len(names) == 1 else {names[0]: key, names[1]: value}
            inner = _Evaluator(self.plan, self.scope.child(**bound))
            if cond is not None:
                test = inner.eval(_expressions(cond)[0])
                if not isinstance(test, bool):
                    raise PlanError("for ... if: condition is not a bool")
                if not test:
                    continue
            yield inner

    def _for_tuple_expr(self, node: Tree[Any]) -> list[Any]:
        names, collection, body, cond = self._for_parts(node)
        return [inner.eval(body[0]) for inner in self._iterations(names, collection, cond)]

    def _for_object_expr(self, node: Tree[Any]) -> dict[str, Any]:
        names, collection, body, cond = self._for_parts(node)
        grouping = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children)
        out: dict[str, Any] = {}
        for inner in self._iterations(names, collection, cond):
            key, value = inner.eval(body[0]), inner.eval(body[1])
            if not isinstance(key, str):
                raise PlanError(f"for: key {key!r} is not a string")
            if grouping:
                out.setdefault(key, []).append(value)
            elif key in out:
                raise PlanError(f"for: duplicate key {key!r}")
            else:
                out[key] = value
        return out

    # functions
    def _function_call(self, node: Tree[Any]) -> Any:
        parts = _children(node)
        name = _name(parts[0])
        arguments = next((p for p in parts if isinstance(p, Tree) and p.data == "arguments"),
                         None)
        if name in ("can", "try"):
            return self._guarded(name, arguments)
        args: list[Any] = []
        if arguments is not None:
            args = [self.eval(a) for a in _expressions(arguments)]
            if any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in arguments.children):
                *args, last = args
                if not isinstance(last, list):
                    raise PlanError(f"{name}(...): expanding a non-list")
                args.extend(last)
        function = FUNCTIONS.get(name)
        if function is None:
            raise PlanError(f"unsupported function {name}()")
        if name not in STRUCTURAL and any(isinstance(a, Unknown) for a in args):
            return Unknown(f"{name}(...)")
        if name == "file":
            return function(self.plan.directory, *args)
        return function(*args)


    def _guarded(self, name: str, arguments: Any) -> Any:
        """can(expr) / try(a, b, ...): evaluated here, errors caught, as Terraform does."""
        for candidate in _expressions(arguments) if arguments is not None else []:
            try:
                value = self.eval(candidate)
            except (PlanError, KeyError, TypeError, ValueError):
                if name == "can":
                    return False
                continue
            return True if name == "can" else value
        if name == "can":
            return False
        raise PlanError("try(): no argument could be evaluated")


# ---------------------------------------------------------------------- functions


def _merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        if m is None:
            continue
        if not isinstance(m, dict):
            raise PlanError("merge() of a non-map")
        out.update(m)
    return out


def _replace(text: str, old: str, new: str) -> str:
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        return re.sub(old[1:-1], re.sub(r"\$(\d)", r"\\\1", new), text)
    return text.replace(old, new)


def _file(directory: Path, name: str) -> str:
    path = Path(name)
    if not path.is_absolute():  # terraform runs in the root module's directory
        path = directory / path
    return path.read_text(encoding="utf-8")


def _tostring(value: Any) -> str:
    if isinstance(value, str):
        return value
    return _render(value)


def _coalesce(*values: Any) -> Any:
    for value in values:
        if value is not None and value != "":
            return value
    raise PlanError("coalesce(): no non-null argument")


def _length(value: Any) -> int:
    if isinstance(value, str | list | dict | FrozenSet):
        return len(value)
    raise PlanError(f"length() of {type(value).__name__}")


def _flatten(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        out.extend(_flatten(v) if isinstance(v, list) else [v])
    return out


def _regex(pattern: str, text: str) -> Any:
    match = re.search(pattern, text)
    if match is None:
        raise PlanError(f"regex(): {pattern!r} does not match")  # as Terraform: an error
    return match.group(0) if not match.groups() else list(match.groups())


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "merge": _merge,
    "toset": lambda v: FrozenSet.of(v),
    "tolist": lambda v: list(v),
    "tomap": lambda v: dict(v),
    "tostring": _tostring,
    "tonumber": lambda v: float(v) if "." in str(v) else int(v),
    "length": _length,
    "keys": lambda m: sorted(m),
    "values": lambda m: [m[k] for k in sorted(m)],
    "lookup": lambda m, k, *d: m[k] if k in m else (d[0] if d else _missing(k)),
    "contains": lambda c, v: v in list(c),
    "coalesce": _coalesce,
    "replace": _replace,
    "join": lambda sep, items: sep.join(_tostring(i) for i in items),
    "split": lambda sep, text: text.split(sep),
    "lower": lambda s: s.lower(),
    "upper": lambda s: s.upper(),
    "concat": lambda *ls: [x for lst in ls for x in lst],
    "flatten": _flatten,
    "distinct": lambda items: list(dict.fromkeys(items)),
    "min": lambda *v: min(v),
    "max": lambda *v: max(v),
    "ceil": lambda v: math.ceil(v),
    "floor": lambda v: math.floor(v),
    "base64encode": lambda s: base64.b64encode(s.encode()).decode(),
    "jsondecode": json.loads,
    "jsonencode": lambda v: json.dumps(v, separators=(",", ":"), sort_keys=True),
    "file": _file,
    "startswith": lambda s, p: s.startswith(p),
    "endswith": lambda s, p: s.endswith(p),
    "format": lambda f, *a: re.sub(r"%[sd]", "{}", f).format(*a),
    "regex": _regex,
    "sort": lambda items: sorted(items),
    "trimspace": lambda s: s.strip(),
}
# Functions that keep working with unknown values inside their arguments.
STRUCTURAL = frozenset({"merge", "tolist", "tomap", "keys", "values", "lookup", "length",
                        "concat", "flatten", "jsonencode"})


def _missing(key: str) -> Any:
    raise PlanError(f"lookup(): no key {key!r}")


# ------------------------------------------------------------------------ tfvars


def load_tfvars(path: Path) -> dict[str, Any]:
    """Variable values of a .tfvars file (literal values only, as Terraform requires)."""
    tree = hcl2.api.parses_to_tree(path.read_text(encoding="utf-8"))
    body = parse_body(_children(tree)[0])
    if body.blocks:
        raise PlanError(f"{path.name}: blocks in a tfvars file")
    scratch = Plan.__new__(Plan)  # literal evaluation needs no module
    scratch.directory = path.parent
    return {name: _Evaluator(scratch, Scope()).eval(expr)
            for name, expr in body.attributes.items()}
