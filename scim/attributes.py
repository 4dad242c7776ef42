"""`attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): the parts of a resource a client asked for.

django-scim2 always returns whole resources; our views pass each one through `select`.
"""

from .patch import _key
from .schemas import ENTERPRISE_USER, GROUP, USER

ALWAYS = {"id", "schemas"}


def _parse(names) -> list[tuple[str, ...]]:
    paths = []
    for raw in names:
        for name in filter(None, (part.strip() for part in raw.split(","))):
            for core in (USER, GROUP):
                if name.casefold().startswith(core.casefold() + ":"):
                    name = name[len(core) + 1 :]
            if name.casefold().startswith(ENTERPRISE_USER.casefold() + ":"):
                paths.append((ENTERPRISE_USER, *name[len(ENTERPRISE_USER) + 1 :].split(".", 1)))
            elif name.casefold() == ENTERPRISE_USER.casefold():
                paths.append((ENTERPRISE_USER,))
            else:
                paths.append(tuple(name.split(".", 1)))
    return paths


def _pick(value, rest: tuple[str, ...]):
    if not rest:
        return value
    if isinstance(value, list):
        picked = [_pick(item, rest) for item in value]
        return [item for item in picked if item not in (None, {})]
    if isinstance(value, dict):
        key = _key(value, rest[0])
        if key not in value:
            return None
        inner = _pick(value[key], rest[1:])
        return None if inner is None else {key: inner}
    return None


def _merge(into: dict, key: str, value) -> None:
    if isinstance(value, dict) and isinstance(into.get(key), dict):
        for inner_key, inner_value in value.items():
            _merge(into[key], inner_key, inner_value)
    elif isinstance(value, list) and isinstance(into.get(key), list):
        into[key] = [
            {**a, **b} if isinstance(a, dict) and isinstance(b, dict) else b
            for a, b in zip(into[key], value, strict=False)
        ]
    else:
        into[key] = value


def _drop(value, rest: tuple[str, ...]) -> None:
    if isinstance(value, list):
        for item in value:
            _drop(item, rest)
        return
    if not isinstance(value, dict):
        return
    key = _key(value, rest[0])
    if len(rest) == 1:
        if key not in ALWAYS:
            value.pop(key, None)
    elif key in value:
        _drop(value[key], rest[1:])


def select(resource: dict, *, attributes=(), excluded=()) -> dict:
    """The resource cut to `attributes` (plus id and schemas), or without `excluded`."""
    include = _parse(attributes)
    if include:
        result = {key: resource[key] for key in resource if key in ALWAYS}
        for path in include:
            key = _key(resource, path[0])
            if key not in resource:
                continue
            picked = _pick(resource[key], path[1:])
            if picked is not None:
                _merge(result, key, picked)
        return result
    exclude = _parse(excluded)
    if exclude:
        import copy

        result = copy.deepcopy(resource)
        for path in exclude:
            _drop(result, path)
        return result
    return resource
