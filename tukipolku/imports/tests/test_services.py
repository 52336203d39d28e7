"""The import services: the dry run against the database, the commit (all or nothing, or only the
valid rows), idempotency, the events written, bad files and the identity-code corpus."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from conftest import open_episode
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent, PersonalDataAccess
from tukipolku.cases.choices import AssignmentKind, EpisodeStatus
from tukipolku.cases.models import Assignment, CaseTeamMember, Episode, StepRecord
from tukipolku.clients.models import Client
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.clients.tests.test_identity_corpus import INVALID
from tukipolku.core.exceptions import ApplicationError
from tukipolku.imports import selectors, services
from tukipolku.imports.choices import ImportStatus, RowOutcome
from tukipolku.imports.models import ImportBatch, ImportRow
from tukipolku.imports.reading import FileProblem
from tukipolku.imports.tests.helpers import code, csv_bytes, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

START = "15.1.2026"


@pytest.fixture
def today_ok(settings):
    return timezone.localdate()


def run(actor, team, data, name="asiakkaat.csv", mapping=None):
    """Upload, map (guessed unless given) and dry-run; returns the batch as checked."""
    batch = services.import_upload(actor=actor, team=team, upload=upload(data, name))
    services.import_map(actor=actor, batch=batch, mapping=mapping or batch.mapping, expected_revision=batch.revision)
    services.import_check(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def commit(actor, batch, only_valid=False):
    services.import_commit(actor=actor, batch=batch, only_valid=only_valid, expected_revision=batch.revision)
    result = services.import_write(batch_id=batch.pk)
    batch.refresh_from_db()
    return result


def rows(n, team_name="", start=START):
    return [[code(i), f"Testinen{i}", "Aino", start, "Pori", team_name] for i in range(n)]


def test_upload__guesses_the_columns_from_finnish_headings(nurse, team, satakunta):
    batch = services.import_upload(actor=nurse, team=team, upload=upload(csv_bytes(rows(1))))

    assert batch.mapping == {
        "identity_code": 0,
        "last_name": 1,
        "first_names": 2,
        "start_date": 3,
        "municipality": 4,
        "team": 5,
    }
    assert (batch.encoding, batch.delimiter, batch.kind) == ("utf-8", ";", "csv")


def test_upload__outside_own_teams_is_refused(outsider, team, satakunta):
    with pytest.raises(ApplicationError):
        services.import_upload(actor=outsider, team=team, upload=upload(csv_bytes(rows(1))))


def test_dry_run__writes_nothing_and_says_per_row_what_would_happen(nurse, team, satakunta):
    existing = ClientFactory(identity_code=code(1))
    future = (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d.%m.%Y")
    data = csv_bytes(
        [
            [code(0), "Uusi", "Aino", START, "Pori", ""],
            [code(1), "Vanha", "Eino", START, "Pori", ""],
            ["010190-999X", "Väärä", "Tunnus", START, "Pori", ""],
            [code(3), "Tuleva", "Päivä", future, "Pori", ""],
            [code(4), "Tuntematon", "Tiimi", START, "Pori", "Ei tällaista tiimiä"],
            [code(0), "Uusi", "Aino", START, "Pori", ""],
            [code(6), "=cmd|' /C calc'!A0", "Kaava", START, "Pori", ""],
            [code(7), "@SUM(1+1)", "Kaava", START, "Pori", ""],
        ]
    )
    clients, episodes, events = Client.objects.count(), Episode.objects.count(), AuditEvent.objects.count()

    batch = run(nurse, team, data)

    assert batch.status == ImportStatus.CHECKED
    outcome = {r.number: r for r in ImportRow.objects.filter(batch=batch)}
    assert outcome[2].outcome == RowOutcome.NEW_CLIENT
    assert outcome[3].outcome == RowOutcome.NEW_RELATIONSHIP
    assert "check character" in outcome[4].messages[0]
    assert "in the future" in outcome[5].messages[0]
    assert "unknown" in outcome[6].messages[0]
    assert "earlier row" in outcome[7].messages[0]
    assert "formula" in outcome[8].messages[0] and "formula" in outcome[9].messages[0]
    assert batch.counts == {"new_client": 1, "new_relationship": 1, "already_imported": 0, "error": 6}
    assert (Client.objects.count(), Episode.objects.count(), AuditEvent.objects.count()) == (clients, episodes, events)
    assert outcome[2].masked_code == code(0)[:7] + "****"
    assert PersonalDataAccess.objects.filter(client_id=existing.pk, view="imports:check").exists()


def test_dry_run__messages_in_the_uploaders_language(nurse, team, satakunta):
    from django.utils import translation

    with translation.override("fi"):
        batch = run(nurse, team, csv_bytes([["010190-999X", "Väärä", "Tunnus", START, "Pori", ""]]))
    row = ImportRow.objects.get(batch=batch)
    assert "tarkistusmerkki" in row.messages[0].lower()


def test_commit__all_or_nothing_refuses_while_a_row_is_refused(nurse, team, satakunta):
    batch = run(nurse, team, csv_bytes([*rows(2), ["010190-999X", "Väärä", "Tunnus", START, "Pori", ""]]))

    with pytest.raises(ApplicationError):
        services.import_commit(actor=nurse, batch=batch, only_valid=False, expected_revision=batch.revision)
    assert not Client.objects.filter(last_name__startswith="Testinen").exists()


def test_commit__only_valid_rows_creates_clients_relationships_and_events(nurse, physician, team, satakunta):
    data = csv_bytes(
        [[code(i), f"Testinen{i}", "Aino", START, "Pori", "", "physician"] for i in range(3)]
        + [["010190-999X", "Väärä", "Tunnus", START, "Pori", "", ""]],
        headings=["hetu", "sukunimi", "etunimet", "alkupäivä", "kunta", "tiimi", "vastuutyöntekijä"],
    )
    batch = run(nurse, team, data)

    result = commit(nurse, batch, only_valid=True)

    assert result == {"clients": 3, "relationships": 3, "contact_persons": 3, "events": 12}
    assert batch.status == ImportStatus.COMMITTED and not batch.file
    created = Episode.objects.filter(client__last_name__startswith="Testinen")
    assert created.count() == 3
    episode = created.first()
    assert episode.status == EpisodeStatus.OPEN and episode.team == team
    assert episode.team_consent_on == datetime.date(2026, 1, 15)
    assert StepRecord.objects.filter(episode=episode, step=episode.current_step).exists()
    assert Assignment.objects.get(episode=episode, kind=AssignmentKind.CONTACT_PERSON).user == physician
    assert episode.contact_person == physician and episode.last_activity_at is not None
    assert CaseTeamMember.objects.filter(episode=episode, user=physician).exists()
    verbs = set(AuditEvent.objects.filter(episode_id=episode.pk).values_list("verb", flat=True))
    assert verbs == {EventType.EPISODE_OPENED, EventType.TEAM_MEMBER_ADDED, EventType.CONTACT_PERSON_NAMED}
    assert AuditEvent.objects.filter(verb=EventType.CLIENT_CREATED, client_id=episode.client_id).exists()
    # The refused row stays until expiry; the others are gone with the file.
    assert list(ImportRow.objects.filter(batch=batch).values_list("outcome", flat=True)) == [RowOutcome.ERROR]


def test_commit__the_same_file_again_creates_nothing_twice(nurse, team, satakunta):
    data = csv_bytes(rows(4))
    commit(nurse, run(nurse, team, data))
    clients, episodes = Client.objects.count(), Episode.objects.count()

    again = run(nurse, team, data)

    assert again.counts[RowOutcome.ALREADY_IMPORTED] == 4
    assert selectors.import_earlier(batch=again) is not None
    with pytest.raises(ApplicationError):
        commit(nurse, again)
    assert (Client.objects.count(), Episode.objects.count()) == (clients, episodes)


def test_commit__a_row_that_became_invalid_rolls_everything_back(nurse, team, satakunta):
    batch = run(nurse, team, csv_bytes(rows(3)))
    # Meanwhile someone opens a relationship for the third client in the same team.
    third = ClientFactory(identity_code=code(2))
    open_episode(nurse, team, satakunta, client=third)
    clients, episodes, events = Client.objects.count(), Episode.objects.count(), AuditEvent.objects.count()

    assert commit(nurse, batch) == {}

    assert (Client.objects.count(), Episode.objects.count(), AuditEvent.objects.count()) == (clients, episodes, events)
    assert batch.status == ImportStatus.CHECKED and "Nothing was imported" in batch.problem
    assert batch.counts[RowOutcome.ERROR] == 1


def test_xlsx__dates_as_dates_and_formulas_refused(nurse, team, satakunta):
    data = xlsx_bytes(
        [
            # openpyxl stores naive date-times, as Excel does
            [code(0), "Excel", "Aino", datetime.datetime(2026, 1, 15), "Pori", ""],  # noqa: DTZ001
            [code(1), '=HYPERLINK("http://x")', "Eino", datetime.date(2026, 1, 15), "Pori", ""],
        ]
    )
    batch = run(nurse, team, data, name="asiakkaat.xlsx")

    assert batch.kind == "xlsx"
    assert batch.counts[RowOutcome.NEW_CLIENT] == 1 and batch.counts[RowOutcome.ERROR] == 1
    commit(nurse, batch, only_valid=True)
    assert Episode.objects.get(client__last_name="Excel").team_consent_on == datetime.date(2026, 1, 15)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_encodings__read_with_their_letters(nurse, team, satakunta, encoding):
    data = csv_bytes([[code(0), "Åkerström-Väänänen", "Öljy", START, "Närpiö", ""]], sep=",", encoding=encoding)

    batch = run(nurse, team, data)

    assert ImportRow.objects.get(batch=batch).name == "Åkerström-Väänänen Öljy"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old Excel"),
        (b"PK\x03\x04broken", "cannot be opened"),
        (b"\x00\x01" * 200, "not a CSV"),
        (b"hetu;nimi\r\n" + b"\x81\x8d\xff\xfe\xfa", "UTF-8"),
        (b"\r\n\r\n", "headings"),
    ],
)
def test_bad_files__refused_with_a_message(nurse, team, satakunta, data, says):
    with pytest.raises(FileProblem) as refused:
        services.import_upload(actor=nurse, team=team, upload=upload(data))
    assert says in refused.value.message


def test_one_megabyte_cell__refused_on_its_row(nurse, team, satakunta):
    data = csv_bytes([[code(0), "x" * (1 << 20), "Aino", START, "Pori", ""], rows(2)[1]])

    batch = run(nurse, team, data)

    rows_ = {r.number: r for r in ImportRow.objects.filter(batch=batch)}
    assert rows_[2].outcome == RowOutcome.ERROR and "longer" in rows_[2].messages[0]
    assert rows_[3].outcome == RowOutcome.NEW_CLIENT


def test_identity_code_corpus__every_bad_value_gets_a_row_message(nurse, team, satakunta):
    bad = [typed for typed, _normalized, valid in INVALID if not valid]
    # Quotes and line breaks are the CSV's own: the csv module writes the file.
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["hetu", "sukunimi", "etunimet", "alkupäivä"])
    for typed in bad:
        writer.writerow([typed, "Testi", "Aino", START])
    data = out.getvalue().encode()

    batch = run(nurse, team, data)

    found = list(ImportRow.objects.filter(batch=batch))
    assert len(found) == len(bad)  # the rows with an empty code are refused too: their code is missing
    assert all(r.outcome == RowOutcome.ERROR and r.messages for r in found)
    assert batch.counts[RowOutcome.ERROR] == len(found)


def test_administrator__imports_into_a_team_of_their_region_without_joining_it(admin_user, team, satakunta):
    batch = run(admin_user, team, csv_bytes(rows(1)))

    commit(admin_user, batch)

    episode = Episode.objects.get(client__identity_code=code(0))
    assert episode.opened_by == admin_user and not episode.members.exists()


def test_discard__deletes_the_file_and_rows(nurse, team, satakunta):
    batch = run(nurse, team, csv_bytes(rows(2)))
    name = batch.file.name

    services.import_discard(actor=nurse, batch=batch, expected_revision=batch.revision)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED and not batch.file and not batch.rows.exists()
    from django.core.files.storage import default_storage

    assert not default_storage.exists(name)


def test_purge__expired_imports_lose_file_and_rows(nurse, team, satakunta):
    batch = run(nurse, team, csv_bytes(rows(2)))
    ImportBatch.objects.filter(pk=batch.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    assert services.import_purge_expired() == 1

    batch.refresh_from_db()
    assert batch.status == ImportStatus.EXPIRED and not batch.file and not batch.rows.exists()


def test_stale_revision__refused(nurse, team, satakunta):
    batch = run(nurse, team, csv_bytes(rows(1)))
    with pytest.raises(ApplicationError):
        services.import_commit(actor=nurse, batch=batch, only_valid=False, expected_revision=batch.revision - 1)


def test_sweep__purges_expired_imports(nurse, team, satakunta):
    from tukipolku.sweep.registry import sweep_steps

    batch = run(nurse, team, csv_bytes(rows(1)))
    ImportBatch.objects.filter(pk=batch.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    step = sweep_steps["imports_expired"]
    assert step(timezone.localdate()) == 1


def test_commit__writes_what_the_services_write_by_hand(nurse, team, satakunta):
    """ADR 0016: the bulk writer writes the same rows and events as client_create + episode_open."""
    from tukipolku.cases import services as case_services
    from tukipolku.cases.choices import ConsentMethod, IdentificationSource
    from tukipolku.clients import services as client_services

    start = timezone.localdate() - datetime.timedelta(days=3)
    by_hand = client_services.client_create(
        actor=nurse, identity_code=code(1), first_names="Aino", last_name="Käsin", municipality="Pori"
    )
    hand = case_services.episode_open(
        actor=nurse,
        client=by_hand,
        team=team,
        pathway=satakunta,
        source=IdentificationSource.OTHER,
        situations=[],
        need_description="Imported from a spreadsheet.",
        consent_on=start,
        consent_method=ConsentMethod.ORAL,
    )
    commit(nurse, run(nurse, team, csv_bytes([[code(0), "Tuotu", "Aino", start.strftime("%d.%m.%Y"), "Pori", ""]])))
    imported = Episode.objects.get(client__identity_code=code(0))

    skip = {
        "id",
        "client",
        "created_at",
        "updated_at",
        "opened_at",
        "first_names",
        "last_name",
        "identity_code",
        "birth_date",
        "started_at",  # moments of the writing
        "last_activity_at",
        "added_at",
    }

    def fields(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in skip}

    assert fields(imported) == fields(hand)
    assert fields(imported.client) == fields(by_hand)
    for model in (StepRecord, CaseTeamMember):
        assert [fields(o) | {"episode_id": 0} for o in model.objects.filter(episode=imported)] == [
            fields(o) | {"episode_id": 0} for o in model.objects.filter(episode=hand)
        ]

    def events(client_id):
        found = AuditEvent.objects.filter(client_id=client_id).order_by("verb")
        return [
            (e.verb, e.actor_id, e.target_type, {k: v for k, v in e.payload.items() if k != "import"}) for e in found
        ]

    assert events(imported.client_id) == events(by_hand.pk)
