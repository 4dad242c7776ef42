"""Lower apps never import higher ones, and some rules are written in exactly one place.

Read with ``ast`` over the source, so an import inside a function (the usual way to dodge
a cycle) counts like one at the top of a module. When a lower app needs an answer only a
higher one knows, the higher one registers it (guidelines.registry, content_library.registry,
advocacy.people.personal_data) from its AppConfig.ready().
"""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _project_apps() -> tuple[str, ...]:
    """Our apps in INSTALLED_APPS order, which is the layering: each may import the ones before it."""
    apps = []
    for name in settings.INSTALLED_APPS:
        top = name.split(".")[0]
        if (ROOT / top / "__init__.py").exists() and top not in apps:
            apps.append(top)
    return tuple(apps)


# From the ground floor (advocacy: the project, people and teams) up.
LAYERS = _project_apps()
# The one way down into notifications: the notify_* services only queue a task on commit,
# and the task (in notifications) does the reading. Content and policy changes call them.
ENTRY_POINTS = {"notifications.services"}


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # "from draws import selectors" names the module in the alias: keep the longer name.
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return sorted(set(found))


def _layer(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in LAYERS else None


def _sources(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def upward_imports() -> list[str]:
    problems = []
    for app in LAYERS:
        for path in _sources(app):
            for line, module in _imports(path):
                target = _layer(module)
                if target is None or LAYERS.index(target) <= LAYERS.index(app):
                    continue
                if any(module == entry or module.startswith(entry + ".") for entry in ENTRY_POINTS):
                    continue
                problems.append(f"{path.relative_to(ROOT)}:{line} {app} imports {module} ({target} is above it)")
    return problems


def test_no_app_imports_an_app_above_it():
    assert upward_imports() == []


def test_every_app_folder_has_a_place_in_the_layers():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"advocacy"}
    assert set(LAYERS) == apps
    assert LAYERS[0] == "advocacy" and LAYERS[-4:] == ("notifications", "analytics", "scim", "programme")


def test_the_check_sees_an_import_hidden_inside_a_function(tmp_path, monkeypatch):
    hidden = tmp_path / "guidelines"
    hidden.mkdir()
    (hidden / "selectors.py").write_text("def f():\n    from draws.selectors import post_enters_open_draw\n")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert upward_imports() == [
        "guidelines/selectors.py:2 guidelines imports draws.selectors.post_enters_open_draw (draws is above it)"
    ]


def test_only_the_people_selectors_spell_out_who_is_an_active_employee():
    # active_employees() in advocacy/people/selectors.py is the one definition.
    spelled = []
    for app in LAYERS:
        for path in _sources(app):
            text = path.read_text()
            if "groups__name=Role.EMPLOYEE" in text:
                spelled.append(str(path.relative_to(ROOT)))
    assert spelled == ["advocacy/people/selectors.py"]
