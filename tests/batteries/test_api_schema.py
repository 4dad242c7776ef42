"""The OpenAPI schema is valid and drf-spectacular has nothing to warn about (issue 10, API and forms)."""

from django.core.management import call_command


def test_it_generates_a_valid_schema_without_a_single_warning(tmp_path):
    # --fail-on-warn turns every drf-spectacular warning (unresolvable path parameter type, colliding
    # component name, serializer it cannot introspect) into a non-zero exit, i.e. SystemExit here.
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "openapi: 3.0.3" in text
    assert "/api/shares/create/" in text
