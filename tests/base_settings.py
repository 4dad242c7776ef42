"""Reading advocacy/settings/base.py afresh under a test's environment, as a process starting would."""

import importlib
import sys

import advocacy.settings

MODULE = "advocacy.settings.base"


def load_base_settings(monkeypatch, **env):
    """A fresh copy of the base settings module with ``env`` set; the module every other test sees
    (in sys.modules and as the package's attribute) is put back afterwards, so the order the tests
    run in (or the test process they run in) never matters."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, MODULE, raising=False)
    if hasattr(advocacy.settings, "base"):
        monkeypatch.setattr(advocacy.settings, "base", advocacy.settings.base)
    try:
        return importlib.import_module(MODULE)
    finally:
        sys.modules.pop(MODULE, None)
