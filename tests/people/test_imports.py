"""The spreadsheet import: every row checked first, then applied in batches, idempotently."""

import pytest

from advocacy.people import imports
from advocacy.people.imports import ImportRefused, import_apply_next_batch, import_preview_create, import_start
from advocacy.people.models import AuditEntry, ExternalIdentity, PeopleImport, Team, User
from advocacy.people.selectors import user_roles
from advocacy.people.services import user_deactivate

pytestmark = pytest.mark.django_db

GOOD = """name,email,team,roles,manager
Nina Novak,nina@example.test,Engineering,Employee; HR,
Omar Haddad,Omar@Example.test,Engineering,,nina@example.test
Priya Raman,priya@example.test,Sales,comms admin,omar@example.test
"""


def _preview(text, actor, **kwargs) -> PeopleImport:
    return import_preview_create(name="people.csv", data=text.encode(), actor=actor, **kwargs)


def _errors(people_import):
    return {row.line: row.errors for row in people_import.rows.all() if row.errors}


@pytest.fixture
def run(django_capture_on_commit_callbacks, celery_eager):
    """Start an import and let its queued batches run as a worker would."""

    def start(people_import, actor):
        with django_capture_on_commit_callbacks(execute=True):
            import_start(people_import=people_import, actor=actor)
        people_import.refresh_from_db()
        return people_import

    return start


def test_a_valid_file_is_previewed_without_changing_anyone(harper, engineering, sales):
    before = User.objects.count()
    people_import = _preview(GOOD, harper)
    assert (people_import.total_rows, people_import.error_rows) == (3, 0)
    assert list(people_import.rows.values_list("planned", flat=True)) == ["create", "create", "create"]
    assert User.objects.count() == before


def test_each_bad_row_says_what_is_wrong(harper, alice, dan, engineering):
    text = """name,email,team,roles,manager
Good One,good@example.test,Engineering,,
Bad Mail,not-an-email,Engineering,,
Twice,good@example.test,Engineering,,
No Team,noteam@example.test,Nowhere,,
Odd Role,odd@example.test,,Employee; Wizard,
,noname@example.test,,,
Left,dan@example.com,,,
Lost,lost@example.test,,,boss@example.test
Self,self@example.test,,,self@example.test
"""
    people_import = _preview(text, harper)
    errors = _errors(people_import)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "is not an email address" in errors[3][0]
    assert "same email as line 2" in errors[4][0]
    assert "no team “Nowhere”" in errors[5][0]
    assert "Unknown role “Wizard”" in errors[6][0]
    assert "name is missing" in errors[7][0]
    assert "deactivated" in errors[8][0]
    assert "neither in this file nor in the directory" in errors[9][0]
    assert "own manager" in errors[10][0]
    assert people_import.error_rows == 8


def test_an_import_with_errors_cannot_start(harper):
    people_import = _preview("name,email\nBad,nope\n", harper)
    with pytest.raises(ImportRefused, match="1 row still has errors"):
        import_start(people_import=people_import, actor=harper)
    assert PeopleImport.objects.get(pk=people_import.pk).status == PeopleImport.Status.PREVIEW


def test_unknown_teams_can_be_created_when_hr_says_so(harper, run):
    people_import = _preview("name,email,team\nNina,nina@example.test,Finance\n", harper)
    assert imports.missing_teams(people_import=people_import) == ["Finance"]
    people_import = imports.import_revalidate(people_import=people_import, create_teams=True)
    assert people_import.error_rows == 0 and not Team.objects.filter(name="Finance").exists()
    run(people_import, harper)
    assert User.objects.get(email="nina@example.test").team.name == "Finance"


def test_it_imports_people_teams_roles_and_managers_through_the_identity_mapping(
    harper, engineering, sales, settings, run
):
    settings.PEOPLE_IMPORT_BATCH_SIZE = 2  # two batches: the managers come after everybody exists
    people_import = run(_preview(GOOD, harper), harper)
    assert people_import.status == PeopleImport.Status.DONE
    assert (people_import.created_count, people_import.updated_count, people_import.processed_rows) == (3, 0, 3)
    nina, omar, priya = (
        User.objects.get(email="nina@example.test"),
        User.objects.get(email="Omar@example.test"),
        User.objects.get(email="priya@example.test"),
    )
    assert user_roles(user=nina) == ["Employee", "HR"]
    assert user_roles(user=omar) == ["Employee"]
    assert user_roles(user=priya) == ["Comms admin", "Employee"]
    assert (omar.manager, priya.manager, nina.manager) == (nina, omar, None)
    assert ExternalIdentity.objects.get(source="import", subject="omar@example.test").user == omar
    entry = AuditEntry.objects.get(person=nina, action=AuditEntry.Action.ROLES)
    assert (entry.actor, entry.source, entry.after) == (harper, "import", ["Employee", "HR"])


def test_importing_the_same_file_again_changes_nothing(harper, engineering, sales, run):
    run(_preview(GOOD, harper), harper)
    snapshot = list(User.objects.order_by("pk").values_list("pk", "email", "display_name", "team_id", "manager_id"))
    entries = AuditEntry.objects.count()
    again = _preview(GOOD, harper)
    assert set(again.rows.values_list("planned", flat=True)) == {"none"}
    again = run(again, harper)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert list(User.objects.order_by("pk").values_list("pk", "email", "display_name", "team_id", "manager_id")) == (
        snapshot
    )
    assert AuditEntry.objects.count() == entries


def test_an_empty_roles_cell_keeps_the_roles_hr_gave_later(harper, engineering, run):
    run(_preview("name,email,team\nNina,nina@example.test,Engineering\n", harper), harper)
    nina = User.objects.get(email="nina@example.test")
    from advocacy.people.services import user_set_roles

    user_set_roles(user=nina, roles=["Employee", "Comms admin"], actor=harper, source="hr")
    again = run(_preview("name,email,team\nNina,nina@example.test,Engineering\n", harper), harper)
    assert again.unchanged_count == 1
    assert user_roles(user=nina) == ["Comms admin", "Employee"]


def test_running_a_batch_twice_applies_each_row_once(harper, engineering, sales, settings):
    settings.PEOPLE_IMPORT_BATCH_SIZE = 2
    people_import = _preview(GOOD, harper)
    PeopleImport.objects.filter(pk=people_import.pk).update(status=PeopleImport.Status.QUEUED)
    queued = []
    import advocacy.people.tasks as tasks

    original = tasks.import_apply_batch.delay
    tasks.import_apply_batch.delay = lambda import_id: queued.append(import_id)
    try:
        assert import_apply_next_batch(import_id=people_import.pk) == PeopleImport.Status.RUNNING
        people_import.refresh_from_db()
        assert (people_import.processed_rows, people_import.percent) == (2, 66)
        # A redelivered message for the same import: it resumes at the first pending row.
        assert import_apply_next_batch(import_id=people_import.pk) == PeopleImport.Status.DONE
        assert import_apply_next_batch(import_id=people_import.pk) == PeopleImport.Status.DONE
    finally:
        tasks.import_apply_batch.delay = original
    people_import.refresh_from_db()
    assert (people_import.processed_rows, people_import.created_count) == (3, 3)
    assert queued == [people_import.pk]
    assert User.objects.filter(email__iendswith="@example.test").count() == 3


def test_a_directory_change_after_the_preview_stops_the_import_before_anything_is_applied(
    harper, alice, engineering, run
):
    people_import = _preview(f"name,email\nAlice,{alice.email}\nNew,new@example.test\n", harper)
    assert people_import.error_rows == 0
    user_deactivate(user=alice)
    people_import = run(people_import, harper)
    assert people_import.status == PeopleImport.Status.FAILED
    assert "Nothing was imported" in people_import.message
    assert not User.objects.filter(email="new@example.test").exists()


def test_a_row_failing_while_applied_rolls_its_batch_back(harper, engineering, monkeypatch, settings, run):
    settings.PEOPLE_IMPORT_BATCH_SIZE = 2
    real = imports.person_sync_result

    def flaky(*, attributes, actor=None, **kwargs):
        if attributes.email == "third@example.test":
            raise imports.IdentityRefused("refused for the test")
        return real(attributes=attributes, actor=actor, **kwargs)

    monkeypatch.setattr(imports, "person_sync_result", flaky)
    text = "name,email\n" + "".join(f"{n},{n.lower()}@example.test\n" for n in ("First", "Second", "Third", "Fourth"))
    people_import = run(_preview(text, harper), harper)
    assert people_import.status == PeopleImport.Status.FAILED
    assert "Line 4 (third@example.test): refused for the test" in people_import.message
    # The first batch is complete; nobody of the failed batch was created.
    assert set(User.objects.filter(email__endswith="@example.test").values_list("email", flat=True)) == {
        "first@example.test",
        "second@example.test",
    }
    assert people_import.processed_rows == 2
