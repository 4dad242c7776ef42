"""RFC 7644 §3.5.2 PATCH operations applied to a resource as a plain dict.

django-scim2 routes a PATCH to its adapter's handlers and leaves the handlers to the
application (its own cover only a few attributes). We apply every operation to the resource's
client-facing dict and hand the result to the same validation a PUT goes through, so a PATCH
can never store something a PUT would refuse. Attribute names are matched without regard to
case (RFC 7643 §2.1); value filters in paths support ``eq`` joined by ``and``
(``emails[type eq "work"].value``, ``members[value eq "…"]``), which is what Entra ID and
Okta send.
"""

import copy
import re

from django_scim import exceptions

from .schemas import ENTERPRISE_USER, GROUP, MULTI_VALUED, USER

SCHEMA_URNS = (ENTERPRISE_USER, USER, GROUP)
_PATH = re.compile(r"^(?P<attr>[A-Za-z$][\w$-]*)(?:\[(?P<filter>[^\]]*)\])?(?:\.(?P<sub>[A-Za-z$][\w$-]*))?$")
_CLAUSE = re.compile(
    r'^\s*(?P<attr>[A-Za-z$][\w$-]*)\s+eq\s+(?P<value>"(?:[^"\\]|\\.)*"|true|false|null|-?\d+)\s*$', re.I
)


def _bad(detail: str, scim_type: str = "invalidPath"):
    return exceptions.BadRequestError(detail, scim_type=scim_type)


def _key(container: dict, name: str) -> str:
    """The key in `container` that `name` means (attribute names ignore case); `name` itself if absent."""
    for key in container:
        if key.casefold() == name.casefold():
            return key
    return name


def _split(path: str) -> tuple[list[str], dict | None]:
    """('urn:…:User:name.givenName') → (container keys from the root, parsed final segment)."""
    prefix: list[str] = []
    rest = path.strip()
    for urn in SCHEMA_URNS:
        if rest.casefold() == urn.casefold():
            return ([] if urn in (USER, GROUP) else [urn]), None
        if rest.casefold().startswith(urn.casefold() + ":"):
            rest = rest[len(urn) + 1 :]
            prefix = [] if urn in (USER, GROUP) else [urn]
            break
    match = _PATH.match(rest)
    if not match:
        raise _bad(f"PATCH path {path!r} is not an attribute path this server understands.")
    return prefix, match.groupdict()


def _filter(text: str):
    clauses = []
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.I):
        clause = _CLAUSE.match(part)
        if not clause:
            raise _bad(
                f"Only 'attribute eq value' filters (joined by 'and') are supported in a PATCH path: {text!r}.",
                "invalidFilter",
            )
        raw = clause["value"]
        if raw.startswith('"'):
            value = raw[1:-1].replace('\\"', '"')
        else:
            value = {"true": True, "false": False, "null": None}.get(raw.lower(), raw)
            if isinstance(value, str):
                value = int(value)
        clauses.append((clause["attr"], value))

    def matches(item) -> bool:
        if not isinstance(item, dict):
            return False
        for attr, value in clauses:
            actual = item.get(_key(item, attr))
            if isinstance(value, str) and isinstance(actual, str):
                if actual.casefold() != value.casefold():
                    return False
            elif actual != value:
                return False
        return True

    return matches


def _container(resource: dict, keys: list[str], *, create: bool) -> dict | None:
    node = resource
    for name in keys:
        key = _key(node, name)
        if not isinstance(node.get(key), dict):
            if not create:
                return None
            node[key] = {}
        node = node[key]
    return node


def _same(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict) and "value" in a and "value" in b:
        return str(a["value"]) == str(b["value"])
    return a == b


def _add_values(current: list, values) -> list:
    values = values if isinstance(values, list) else [values]
    result = list(current)
    for value in values:
        for index, existing in enumerate(result):
            if _same(existing, value):
                result[index] = value
                break
        else:
            result.append(value)
    return result


def _apply(resource: dict, op: str, path: str | None, value) -> None:
    if not path:
        if op == "remove":
            raise _bad('"path" is required for a remove operation.', "noTarget")
        if not isinstance(value, dict):
            raise _bad("A PATCH operation without a path needs an object as its value.", "invalidValue")
        for name, item in value.items():
            _apply(resource, op, name, item)
        return
    prefix, segment = _split(path)
    if segment is None:  # the path is an extension's URN: its value holds that extension's attributes
        if op == "remove":
            resource.pop(_key(resource, prefix[0]), None) if prefix else None
            return
        if not isinstance(value, dict):
            raise _bad(f"The value for {path!r} must be an object.", "invalidValue")
        for name, item in value.items():
            _apply(resource, op, f"{prefix[0]}:{name}" if prefix else name, item)
        return
    attr, filter_text, sub = segment["attr"], segment["filter"], segment["sub"]
    if filter_text is None and sub is not None and attr.casefold() not in MULTI_VALUED:
        prefix, attr, sub = [*prefix, attr], sub, None  # name.givenName: a sub-attribute of a complex attribute
    node = _container(resource, prefix, create=op != "remove")
    if node is None:
        return
    key = _key(node, attr)
    multi = attr.casefold() in MULTI_VALUED
    if filter_text is not None:
        if not multi:
            raise _bad(f"{attr!r} is not multi-valued, so it cannot be filtered.", "invalidPath")
        matches = _filter(filter_text)
        items = node.get(key) or []
        hits = [item for item in items if matches(item)]
        if op == "remove":
            if sub is None:
                node[key] = [item for item in items if not matches(item)]
            else:
                for item in hits:
                    item.pop(_key(item, sub), None)
            return
        if not hits:
            if op == "replace" or sub is None:
                raise _bad(f"No value of {attr!r} matches {filter_text!r}.", "noTarget")
            # add emails[type eq "work"].value on a person with no work email: make one.
            seed = {}
            for clause in re.split(r"\s+and\s+", filter_text.strip(), flags=re.I):
                parsed = _CLAUSE.match(clause)
                seed[parsed["attr"]] = parsed["value"].strip('"')
            items.append(seed)
            node[key] = items
            hits = [seed]
        for item in hits:
            if sub is None:
                if not isinstance(value, dict):
                    raise _bad(f"The value for {path!r} must be an object.", "invalidValue")
                item.update(value)
            else:
                item[_key(item, sub)] = value
        return
    if sub is not None:  # emails.value without a filter: every value
        items = node.get(key) or []
        for item in items:
            if op == "remove":
                item.pop(_key(item, sub), None)
            else:
                item[_key(item, sub)] = value
        return
    if op == "remove":
        if multi and value:  # Entra ID: {"op": "Remove", "path": "members", "value": [{"value": id}]}
            gone = value if isinstance(value, list) else [value]
            node[key] = [item for item in node.get(key) or [] if not any(_same(item, g) for g in gone)]
        else:
            node.pop(key, None)
        return
    if multi:
        node[key] = (
            _add_values(node.get(key) or [], value) if op == "add" else (value if isinstance(value, list) else [value])
        )
    elif isinstance(value, dict) and isinstance(node.get(key), dict):
        node[key] = {**node[key], **value}  # sub-attributes not named are left alone (§3.5.2.3)
    else:
        node[key] = value


def apply_operations(resource: dict, operations) -> dict:
    """A copy of `resource` with the PATCH `operations` applied; raises a SCIM 400 for a bad one."""
    if not isinstance(operations, list) or not operations:
        raise _bad("A PATCH request needs a non-empty 'Operations' list.", "invalidSyntax")
    result = copy.deepcopy(resource)
    for operation in operations:
        if not isinstance(operation, dict):
            raise _bad("Each PATCH operation must be an object.", "invalidSyntax")
        op = str(operation.get(_key(operation, "op"), "")).lower()
        if op not in ("add", "remove", "replace"):
            raise _bad(f"Unknown PATCH op {operation.get('op')!r} (add, remove or replace).", "invalidSyntax")
        _apply(result, op, operation.get(_key(operation, "path")), operation.get(_key(operation, "value")))
    return result
