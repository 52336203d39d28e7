"""The operating models shipped as data: complete in three languages, well-formed, loaded once by the
data migrations, and walkable from the first step to closing through the real services."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from conftest import open_episode
from tukipolku.cases import registry
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind, EpisodeStatus, Outcome, StepStatus
from tukipolku.core.choices import Profession
from tukipolku.core.exceptions import ApplicationError
from tukipolku.meetings import services as meeting_services
from tukipolku.meetings.choices import MeetingKind
from tukipolku.pathways.choices import CompletionCheck, HandoverReason, HandoverRole, VersionStatus
from tukipolku.pathways.loader import (
    FIRST_CODES,
    MORE_CODES,
    OPTIONAL_DEFAULTS,
    PATHWAY_FIELDS,
    STEP_FIELDS,
    _values,
    load_pathways,
    read_data,
)
from tukipolku.pathways.models import Pathway, PathwayStep, PathwayVersion
from tukipolku.pathways.selectors import pathway_list_available, pathway_version_current
from tukipolku.pathways.services import pathway_version_create_draft
from tukipolku.plans import services as plan_services
from tukipolku.plans.choices import AgreementMethod, GoalDomain
from tukipolku.plans.models import Plan

LANGUAGES = ("fi", "sv", "en")
LOCALISED_PATHWAY = ("name", "description")
LOCALISED_STEP = ("name", "guidance", "produces")
DATA = read_data()

shipped_pathways_migration = importlib.import_module("tukipolku.pathways.migrations.0002_shipped_pathways")
more_operating_models = importlib.import_module("tukipolku.pathways.migrations.0005_more_operating_models")
handover_roles_migration = importlib.import_module("tukipolku.pathways.migrations.0006_handover_roles")
transfer_check_migration = importlib.import_module("tukipolku.pathways.migrations.0008_transfer_meeting_check")
reasons_migration = importlib.import_module("tukipolku.pathways.migrations.0010_handover_reasons")


def _models():
    return Pathway, PathwayVersion, PathwayStep


# ================================================================ the data file


def test_data__every_pathway_and_step_has_every_text_in_finnish_swedish_and_english():
    for item in DATA:
        for base in LOCALISED_PATHWAY:
            for lang in LANGUAGES:
                assert item[f"{base}_{lang}"].strip(), (item["code"], base, lang)
        for step in item["steps"]:
            for base in LOCALISED_STEP:
                for lang in LANGUAGES:
                    assert step[f"{base}_{lang}"].strip(), (item["code"], step["code"], base, lang)


def test_data__texts_differ_between_languages():
    """A copy-paste slip (Swedish left in Finnish) shows up as the same text in two languages."""
    for item in DATA:
        for step in item["steps"]:
            for base in LOCALISED_STEP:
                texts = [step[f"{base}_{lang}"] for lang in LANGUAGES]
                assert len(set(texts)) == 3, (item["code"], step["code"], base)


def test_data__steps_are_numbered_1_to_n_with_unique_codes():
    for item in DATA:
        orders = [s["order"] for s in item["steps"]]
        assert orders == list(range(1, len(orders) + 1)), item["code"]
        codes = [s["code"] for s in item["steps"]]
        assert len(set(codes)) == len(codes), item["code"]
    assert len({item["code"] for item in DATA}) == len(DATA)


def test_data__fields_are_complete_and_valid():
    checks = set(CompletionCheck.values)
    for item in DATA:
        optional = set(OPTIONAL_DEFAULTS)
        assert set(PATHWAY_FIELDS) - optional <= set(item) - {"code", "steps"} <= set(PATHWAY_FIELDS), item["code"]
        for step in item["steps"]:
            where = (item["code"], step["code"])
            assert set(STEP_FIELDS) - optional <= set(step) - {"order"} <= set(STEP_FIELDS), where
            assert step.get("handover_role", "") in HandoverRole.values, (item["code"], step["code"])
            assert step["responsible_role"] in Profession.values, (item["code"], step["code"])
            assert step["completion_check"] in checks, (item["code"], step["code"])
            assert 1 <= step["expected_duration_days"] <= 365
            assert step["legal_basis"].strip()


def test_data__every_completion_check_used_is_registered():
    """A step may only ask for a check that some module has registered (or no check)."""
    used = {s["completion_check"] for item in DATA for s in item["steps"]}
    assert used - {CompletionCheck.NONE} <= set(registry.completion_checks)
    assert django_apps.ready


def test_data__the_new_models_are_shipped_with_their_step_counts():
    counts = {item["code"]: len(item["steps"]) for item in DATA}
    assert counts == {
        "satakunta": 9,
        "eura": 8,
        "rauma_study_end": 9,
        "escorted_handover": 7,
        "ips": 6,
        "unemployed_health_check": 4,
    }
    assert set(FIRST_CODES) | set(MORE_CODES) == set(counts)
    rauma = next(item for item in DATA if item["code"] == "rauma_study_end")
    checks = {s["order"]: s["completion_check"] for s in rauma["steps"]}
    assert checks[7] == CompletionCheck.JOINT_MEETING
    assert checks[8] in (CompletionCheck.PLAN, CompletionCheck.PLAN_AGREED)
    health_check = next(item for item in DATA if item["code"] == "unemployed_health_check")
    assert any("OAA82" in s["guidance_fi"] for s in health_check["steps"])
    assert any("§13" in s["legal_basis"] for s in health_check["steps"])


# ================================================================ the migration


@pytest.fixture
def migrated(db):
    """The database as the data migrations left it. A transactional test that ran earlier in the same worker
    flushed the tables; then replay the two data migrations, in their order, as `migrate` ran them."""
    if not Pathway.objects.exists():
        shipped_pathways_migration.load(django_apps, None)
        more_operating_models.load(django_apps, None)
        handover_roles_migration.set_roles(django_apps, None)
        transfer_check_migration.forwards(django_apps, None)


def test_migration__the_new_pathways_are_loaded_as_published_version_1(migrated):
    for code in MORE_CODES:
        pathway = Pathway.objects.get(code=code)
        version = pathway_version_current(pathway=pathway)
        assert version is not None and version.number == 1 and version.status == VersionStatus.PUBLISHED
        expected = next(item for item in DATA if item["code"] == code)
        assert version.steps.count() == len(expected["steps"])
        assert pathway.versions.count() == 1
        first = version.steps.get(order=1)
        assert first.name_sv == expected["steps"][0]["name_sv"]
    assert set(pathway_list_available().values_list("code", flat=True)) >= set(MORE_CODES)


def test_migration__running_again_changes_nothing(migrated):
    before = (Pathway.objects.count(), PathwayVersion.objects.count(), PathwayStep.objects.count())

    more_operating_models.load(django_apps, None)
    load_pathways(*_models())

    assert (Pathway.objects.count(), PathwayVersion.objects.count(), PathwayStep.objects.count()) == before


def test_migration__leaves_existing_pathways_untouched(migrated, admin_user):
    satakunta = Pathway.objects.get(code="satakunta")
    satakunta.name_en = "Changed by an administrator"
    satakunta.save(update_fields=["name_en"])
    ips = Pathway.objects.get(code="ips")
    step = PathwayStep.objects.get(version__pathway=ips, order=1)
    step.guidance_en = "Edited locally"
    step.save(update_fields=["guidance_en"])
    PathwayStep.objects.filter(version__pathway__code="unemployed_health_check").delete()
    PathwayVersion.objects.filter(pathway__code="unemployed_health_check").delete()
    Pathway.objects.filter(code="unemployed_health_check").delete()

    more_operating_models.load(django_apps, None)

    satakunta.refresh_from_db()
    step.refresh_from_db()
    assert satakunta.name_en == "Changed by an administrator"
    assert step.guidance_en == "Edited locally"
    assert Pathway.objects.get(code="unemployed_health_check").versions.get().steps.count() == 4
    assert Pathway.objects.filter(code="eura").count() == 1


def test_data__one_pathway_is_opened_by_handovers_and_each_part_is_on_one_step():
    opened = [item for item in DATA if item.get("opened_by_handover")]
    assert len(opened) == 1
    for item in DATA:
        roles = [s["handover_role"] for s in item["steps"] if s.get("handover_role")]
        assert len(set(roles)) == len(roles), item["code"]
        assert not roles or item.get("handover_reasons"), item["code"]  # only a pathway a handover may open
        assert set(item.get("handover_reasons", ())) <= set(HandoverReason.values), item["code"]
    roles = [s.get("handover_role", "") for s in opened[0]["steps"]]
    assert roles[:3] == [HandoverRole.OPENING, HandoverRole.PREPARATORY_MEETING, HandoverRole.TRANSFER_MEETING]


def test_data__each_reason_of_handover_has_one_pathway_and_rauma_is_the_graduating_students():
    by_reason = {r: [i["code"] for i in DATA if r in i.get("handover_reasons", ())] for r in HandoverReason.values}
    assert by_reason == {
        HandoverReason.EMPLOYMENT_ENDING: ["escorted_handover"],
        HandoverReason.GRADUATING: ["rauma_study_end"],
    }
    rauma = next(i for i in DATA if i["code"] == "rauma_study_end")
    assert [s.get("handover_role", "") for s in rauma["steps"]][:6] == [
        HandoverRole.NEED_IDENTIFIED,
        HandoverRole.INFORMATION_GATHERED,
        HandoverRole.CONTACT_PERSON_NAMED,
        HandoverRole.CONSENT,
        HandoverRole.REFERRAL,
        "",  # 6 contact made: the team's first step
    ]


def test_migration__handover_reasons_and_rauma_roles_reach_installed_databases(migrated, admin_user):
    """Migration 0010 gives installed pathways their handover reasons (unless an administrator set some) and the
    Rauma steps their handover roles, in every version."""
    rauma = Pathway.objects.get(code="rauma_study_end")
    draft = pathway_version_create_draft(actor=admin_user, pathway=rauma)
    Pathway.objects.update(handover_reasons=[])
    Pathway.objects.filter(code="eura").update(handover_reasons=["graduating"])  # an administrator's choice
    PathwayStep.objects.filter(version__pathway=rauma).update(handover_role="")

    reasons_migration.forwards(django_apps, None)

    assert Pathway.objects.get(code="rauma_study_end").handover_reasons == ["graduating"]
    assert Pathway.objects.get(code="escorted_handover").handover_reasons == ["employment_ending"]
    assert Pathway.objects.get(code="eura").handover_reasons == ["graduating"]
    for version in (pathway_version_current(pathway=rauma), draft):
        roles = list(version.steps.exclude(handover_role="").order_by("order").values_list("order", flat=True))
        assert roles == [1, 2, 3, 4, 5]


def test_migration__handover_roles_are_set_on_every_version_of_the_shipped_pathway(migrated, admin_user):
    """Migration 0006 marks the escorted handover pathway and its three handover steps, also in a later
    version, from the data file."""
    pathway = Pathway.objects.get(opened_by_handover=True)
    draft = pathway_version_create_draft(actor=admin_user, pathway=pathway)
    Pathway.objects.update(opened_by_handover=False)
    PathwayStep.objects.update(handover_role="")

    handover_roles_migration.set_roles(django_apps, None)

    pathway.refresh_from_db()
    assert list(Pathway.objects.filter(opened_by_handover=True)) == [pathway]
    for version in (pathway_version_current(pathway=pathway), draft):
        roles = list(version.steps.exclude(handover_role="").order_by("order").values_list("order", "handover_role"))
        assert roles == [
            (1, HandoverRole.OPENING),
            (2, HandoverRole.PREPARATORY_MEETING),
            (3, HandoverRole.TRANSFER_MEETING),
        ]
    others = PathwayStep.objects.exclude(version__pathway=pathway).exclude(handover_role="")
    assert set(others.values_list("version__pathway__code", flat=True)) == {"rauma_study_end"}


@pytest.mark.django_db
def test_migration__the_loader_leaves_out_fields_an_older_model_does_not_have():
    """Migrations 0002 and 0005 load the data with historical models that have no handover fields yet."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    old = MigrationExecutor(connection).loader.project_state(("pathways", "0005_more_operating_models")).apps
    item = next(item for item in DATA if item.get("opened_by_handover"))

    assert "opened_by_handover" not in _values(old.get_model("pathways", "Pathway"), item, PATHWAY_FIELDS)
    assert "handover_role" not in _values(old.get_model("pathways", "PathwayStep"), item["steps"][0], STEP_FIELDS)
    assert _values(Pathway, item, PATHWAY_FIELDS)["opened_by_handover"] is True
    assert _values(PathwayStep, item["steps"][-1], STEP_FIELDS)["handover_role"] == ""


@pytest.mark.django_db
def test_load_pathways__codes_limit_what_is_loaded():
    Pathway.objects.filter(code__in=MORE_CODES).update(is_active=True)
    for code in ("ips", "rauma_study_end"):
        PathwayStep.objects.filter(version__pathway__code=code).delete()
        PathwayVersion.objects.filter(pathway__code=code).delete()
        Pathway.objects.filter(code=code).delete()

    load_pathways(*_models(), codes=["ips"])

    assert Pathway.objects.filter(code="ips").exists()
    assert not Pathway.objects.filter(code="rauma_study_end").exists()


# ================================================================ walking each new pathway


def _satisfy(check: str, *, episode, nurse, physician) -> None:
    """Do what a step's completion check asks for, through the owning module's service."""
    today = timezone.localdate()
    if check == CompletionCheck.CONTACT_PERSON:
        if not episode.assignments.filter(kind=AssignmentKind.CONTACT_PERSON, ended_at__isnull=True).exists():
            case_services.assignment_set(
                actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=physician
            )
    elif check in (CompletionCheck.PLAN, CompletionCheck.PLAN_AGREED):
        plan = plan_services.plan_save(
            actor=nurse,
            episode=episode,
            expected_revision=Plan.objects.filter(episode=episode).values_list("revision", flat=True).first() or 0,
            summary="",
            next_review_on=None,
            goals=[
                plan_services.GoalInput(id=None, domain=GoalDomain.EMPLOYMENT, description="Työ avoimilla markkinoilla")
            ],
            loose_actions=[],
        )
        if check == CompletionCheck.PLAN_AGREED:
            plan_services.plan_agree(
                actor=nurse, episode=episode, revision=plan.revision, agreed_on=today, method=AgreementMethod.ORAL
            )
    elif check in (CompletionCheck.MEETING, CompletionCheck.JOINT_MEETING):
        meeting_services.meeting_record(
            actor=nurse,
            episode=episode,
            kind=MeetingKind.JOINT,
            client_participated=True,
            starts_at=timezone.now(),
            participants=[nurse, physician],
        )


@pytest.mark.django_db
@pytest.mark.parametrize("code", MORE_CODES)
def test_walk__an_episode_goes_from_the_first_step_to_closing(code, nurse, physician, team, shipped_pathways):
    pathway = Pathway.objects.get(code=code)
    steps = list(pathway_version_current(pathway=pathway).steps.order_by("order"))
    episode = open_episode(nurse, team, pathway)
    assert episode.current_step == steps[0]

    for step in steps[:-1]:
        episode.refresh_from_db()
        assert episode.current_step == step
        check = registry.completion_checks.get(step.completion_check)
        if check is not None and not check.passes(episode):
            with pytest.raises(ApplicationError):
                case_services.episode_step_complete(
                    actor=nurse, episode=episode, expected_step_id=step.pk, output="Tehty."
                )
            _satisfy(step.completion_check, episode=episode, nurse=nurse, physician=physician)
        episode = case_services.episode_step_complete(
            actor=nurse, episode=episode, expected_step_id=step.pk, output=f"Vaihe {step.order} tehty."
        )

    assert episode.current_step == steps[-1]
    closed = case_services.episode_close(
        confirm_early=True,
        actor=nurse,
        episode=episode,
        outcome=Outcome.OPEN_LABOUR_MARKET,
        outcome_on=timezone.localdate(),
        follow_ups=[(timezone.localdate() + datetime.timedelta(days=90), physician)],
    )
    assert closed.status == EpisodeStatus.CLOSED
    statuses = list(closed.step_records.order_by("started_at", "id").values_list("status", flat=True))
    assert statuses == [StepStatus.COMPLETED] * len(steps)


def test_data__the_handover_does_the_transfer_meeting_so_its_step_asks_for_no_team_meeting():
    """The seed: the transfer meeting is the handover's (recorded by the sending side, then accepted), so
    the step asks for no meeting record of the team; the steps the team holds a meeting in still do."""
    checks = {(item["code"], s["code"]): s["completion_check"] for item in DATA for s in item["steps"]}
    assert checks[("escorted_handover", "transfer_meeting")] == CompletionCheck.NONE
    assert checks[("satakunta", "joint_follow_up_plan")] == CompletionCheck.JOINT_MEETING
    assert checks[("eura", "team_meeting")] == CompletionCheck.MEETING


def test_migration__0008_clears_the_transfer_meeting_check_in_every_version_and_nothing_else(migrated, admin_user):
    pathway = Pathway.objects.get(opened_by_handover=True)
    draft = pathway_version_create_draft(actor=admin_user, pathway=pathway)
    PathwayStep.objects.filter(version__pathway=pathway, handover_role=HandoverRole.TRANSFER_MEETING).update(
        completion_check=CompletionCheck.JOINT_MEETING
    )
    before = dict(
        PathwayStep.objects.exclude(handover_role=HandoverRole.TRANSFER_MEETING).values_list("pk", "completion_check")
    )

    transfer_check_migration.forwards(django_apps, None)

    for version in (pathway_version_current(pathway=pathway), draft):
        step = version.steps.get(handover_role=HandoverRole.TRANSFER_MEETING)
        assert step.completion_check == CompletionCheck.NONE
    after = dict(
        PathwayStep.objects.exclude(handover_role=HandoverRole.TRANSFER_MEETING).values_list("pk", "completion_check")
    )
    assert after == before
