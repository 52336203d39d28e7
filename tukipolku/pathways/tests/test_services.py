"""Pathway versions: drafts copy the newest version, publishing checks the steps, published versions
are read-only, and running episodes keep the version they started with."""

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from conftest import open_episode
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.cases import services as case_services
from tukipolku.cases.models import Episode
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.pathways.admin import PathwayVersionAdmin, StepInline
from tukipolku.pathways.choices import HandoverRole, VersionStatus
from tukipolku.pathways.models import Pathway, PathwayStep, PathwayVersion
from tukipolku.pathways.selectors import pathway_list_available, pathway_version_current
from tukipolku.pathways.services import _COPIED_STEP_FIELDS, pathway_version_create_draft, pathway_version_publish


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def steps_of(version):
    return list(version.steps.order_by("order").values(*_COPIED_STEP_FIELDS))


def admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


# ================================================================ drafts


@pytest.mark.django_db
def test_pathway_version_create_draft__copies_the_steps_of_the_newest_version(admin_user, satakunta):
    v1 = pathway_version_current(pathway=satakunta)

    draft = pathway_version_create_draft(actor=admin_user, pathway=satakunta)

    assert (draft.number, draft.status, draft.published_at) == (2, VersionStatus.DRAFT, None)
    assert draft.is_editable
    assert len(steps_of(draft)) == 9
    assert steps_of(draft) == steps_of(v1)
    assert not set(draft.steps.values_list("pk", flat=True)) & set(v1.steps.values_list("pk", flat=True))
    event = AuditEvent.objects.get(verb=EventType.PATHWAY_DRAFTED)
    assert (event.actor, event.payload, event.target_id, event.client_id) == (admin_user, {"number": 2}, draft.pk, None)
    assert pathway_version_current(pathway=satakunta) == v1  # the draft is not in use yet


@pytest.mark.django_db
def test_pathway_version_create_draft__one_draft_at_a_time(admin_user, satakunta):
    first = pathway_version_create_draft(actor=admin_user, pathway=satakunta)

    again = pathway_version_create_draft(actor=admin_user, pathway=satakunta)

    assert again == first
    assert satakunta.versions.count() == 2
    assert AuditEvent.objects.filter(verb=EventType.PATHWAY_DRAFTED).count() == 1


@pytest.mark.django_db
def test_pathway_version_create_draft__of_a_new_pathway_starts_empty(admin_user):
    pathway = Pathway.objects.create(code="uusi", name_fi="Uusi", name_sv="Ny", name_en="New")

    draft = pathway_version_create_draft(actor=admin_user, pathway=pathway)

    assert draft.number == 1
    assert not draft.steps.exists()
    with pytest.raises(ApplicationError) as exc:
        pathway_version_publish(actor=admin_user, version=draft)
    assert exc.value.message == "A pathway version needs at least one step."


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["nurse", "staff_nurse", "admin_without_staff", "partner_staff"])
def test_pathway_services__refused_for_anyone_but_administrators(request, admin_user, satakunta, who):
    actor = {
        "nurse": lambda: request.getfixturevalue("nurse"),
        "staff_nurse": lambda: UserFactory(profession=Profession.PUBLIC_HEALTH_NURSE, is_staff=True, is_superuser=True),
        "admin_without_staff": lambda: UserFactory(profession=Profession.ADMINISTRATOR, is_staff=False),
        "partner_staff": lambda: UserFactory(profession=Profession.KELA_EXPERT, is_staff=True),
    }[who]()
    draft = pathway_version_create_draft(actor=admin_user, pathway=satakunta)

    with pytest.raises(ApplicationError) as drafting:
        pathway_version_create_draft(actor=actor, pathway=Pathway.objects.get(code="eura"))
    with pytest.raises(ApplicationError) as publishing:
        pathway_version_publish(actor=actor, version=draft)

    assert drafting.value.message == publishing.value.message == "Only administrators may change pathways."
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert Pathway.objects.get(code="eura").versions.count() == 1
    assert not AuditEvent.objects.filter(actor=actor).exists()


# ================================================================ publishing


@pytest.mark.django_db
def test_pathway_version_publish__retires_the_previous_version(admin_user, satakunta):
    v1 = pathway_version_current(pathway=satakunta)
    draft = pathway_version_create_draft(actor=admin_user, pathway=satakunta)

    published = pathway_version_publish(actor=admin_user, version=draft)

    v1.refresh_from_db()
    assert (published.status, v1.status) == (VersionStatus.PUBLISHED, VersionStatus.RETIRED)
    assert published.published_at is not None
    assert pathway_version_current(pathway=satakunta) == published
    event = AuditEvent.objects.get(verb=EventType.PATHWAY_PUBLISHED)
    assert (event.actor, event.payload, event.target_id) == (admin_user, {"number": 2}, published.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        "gap",  # step 5 removed: 1 2 3 4 6 7 8 9
        "not_from_one",  # every step moved up by one: 2…10
        "jump_at_end",  # the last step is 12
    ],
)
def test_pathway_version_publish__steps_must_be_numbered_without_gaps(admin_user, satakunta, change):
    draft = pathway_version_create_draft(actor=admin_user, pathway=satakunta)
    if change == "gap":
        draft.steps.get(order=5).delete()
    elif change == "not_from_one":
        for s in draft.steps.order_by("-order"):
            s.order += 1
            s.save(update_fields=["order"])
    else:
        last = draft.steps.get(order=9)
        last.order = 12
        last.save(update_fields=["order"])

    with pytest.raises(ApplicationError) as exc:
        pathway_version_publish(actor=admin_user, version=draft)

    assert exc.value.message == "Steps must be numbered 1, 2, 3… without gaps."
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert pathway_version_current(pathway=satakunta).number == 1
    assert not AuditEvent.objects.filter(verb=EventType.PATHWAY_PUBLISHED).exists()


@pytest.mark.django_db
def test_pathway_version_publish__only_a_draft(admin_user, satakunta):
    v1 = pathway_version_current(pathway=satakunta)
    draft = pathway_version_create_draft(actor=admin_user, pathway=satakunta)
    pathway_version_publish(actor=admin_user, version=draft)
    v1.refresh_from_db()

    for version in (v1, draft):  # retired and published
        with pytest.raises(ApplicationError) as exc:
            pathway_version_publish(actor=admin_user, version=version)
        assert exc.value.message == "Only a draft version can be published."


# ================================================================ running episodes keep their version


@pytest.mark.django_db
def test_pathway_version_publish__a_running_episode_keeps_its_version(admin_user, nurse, team, satakunta):
    running = open_episode(nurse, team, satakunta)
    v1 = running.pathway_version
    old_second = v1.steps.get(order=2)
    draft = pathway_version_create_draft(actor=admin_user, pathway=satakunta)
    changed = draft.steps.get(order=2)
    changed.name_en = "Referral (changed)"
    changed.expected_duration_days = 3
    changed.save(update_fields=["name_en", "expected_duration_days"])
    draft.steps.get(order=9).delete()  # the new version is one step shorter
    pathway_version_publish(actor=admin_user, version=draft)

    running = case_services.episode_step_complete(
        actor=nurse, episode=running, expected_step_id=running.current_step_id, output="Tehty."
    )
    newcomer = open_episode(nurse, team, satakunta)

    running.refresh_from_db()
    assert running.pathway_version == v1
    assert running.current_step == old_second
    assert running.current_step.name_en == "Referral to the team"
    assert running.current_step_due - timezone.localdate() == datetime.timedelta(days=old_second.expected_duration_days)
    assert v1.steps.count() == 9
    assert newcomer.pathway_version == draft
    assert newcomer.pathway_version.steps.count() == 8
    assert Episode.objects.filter(pathway_version=v1).count() == 1


@pytest.mark.django_db
def test_pathway_list_available__active_pathways_with_a_published_version(admin_user, satakunta, eura):
    shipped = set(Pathway.objects.all())
    assert {satakunta, eura} <= shipped
    assert set(pathway_list_available()) == shipped
    Pathway.objects.exclude(code="satakunta").update(is_active=False)
    Pathway.objects.create(code="keskeneraiset", name_fi="Kesken", name_sv="Kesken", name_en="Unfinished")

    assert list(pathway_list_available()) == [satakunta]


# ================================================================ the admin


@pytest.mark.django_db
def test_pathway_version_admin__published_and_retired_versions_are_read_only(admin_user, satakunta):
    version_admin = PathwayVersionAdmin(PathwayVersion, admin.site)
    step_inline = StepInline(PathwayVersion, admin.site)
    request = admin_request(admin_user)
    v1 = pathway_version_current(pathway=satakunta)
    draft = pathway_version_create_draft(actor=admin_user, pathway=satakunta)

    assert not version_admin.has_change_permission(request, v1)
    assert version_admin.has_view_permission(request, v1)
    assert not step_inline.has_change_permission(request, v1)
    assert not step_inline.has_add_permission(request, v1)
    assert not step_inline.has_delete_permission(request, v1)
    assert version_admin.has_change_permission(request, draft)
    assert step_inline.has_change_permission(request, draft)
    assert step_inline.has_add_permission(request, draft)
    assert not version_admin.has_delete_permission(request, draft)
    assert not version_admin.has_add_permission(request)

    pathway_version_publish(actor=admin_user, version=draft)
    draft.refresh_from_db()
    v1.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED
    assert not version_admin.has_change_permission(request, v1)
    assert not version_admin.has_change_permission(request, draft)
    assert not step_inline.has_change_permission(request, draft)


@pytest.mark.django_db
def test_pathway_version_admin__posting_to_a_published_version_changes_nothing(client, admin_user, satakunta):
    v1 = pathway_version_current(pathway=satakunta)
    before = steps_of(v1)
    client.force_login(admin_user)
    url = reverse("admin:pathways_pathwayversion_change", args=[v1.pk])

    page = client.get(url)
    response = client.post(url, {"change_note": "Muutettu", "steps-TOTAL_FORMS": "0", "steps-INITIAL_FORMS": "0"})

    assert page.status_code == 200
    assert response.status_code == 403
    v1.refresh_from_db()
    assert v1.change_note != "Muutettu"
    assert steps_of(v1) == before


@pytest.mark.django_db
def test_pathway_admin__draft_and_publish_actions(client, admin_user, satakunta):
    client.force_login(admin_user)

    drafted = client.post(
        reverse("admin:pathways_pathway_changelist"), {"action": "create_draft", "_selected_action": [satakunta.pk]}
    )
    draft = satakunta.versions.get(status=VersionStatus.DRAFT)
    published = client.post(
        reverse("admin:pathways_pathwayversion_changelist"), {"action": "publish", "_selected_action": [draft.pk]}
    )

    assert drafted.status_code == published.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert PathwayStep.objects.filter(version=draft).count() == 9


@pytest.mark.django_db
def test_pathway_admin__nurse_cannot_reach_it(client, nurse):
    client.force_login(nurse)

    response = client.get(reverse("admin:pathways_pathwayversion_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


# ================================================================ what an escorted handover covers


@pytest.mark.django_db
def test_pathway_version_create_draft__copies_the_handover_roles(admin_user, satakunta):
    PathwayStep.objects.filter(version__pathway=satakunta, order=1).update(handover_role=HandoverRole.OPENING)

    draft = pathway_version_create_draft(actor=admin_user, pathway=satakunta)

    assert draft.steps.get(order=1).handover_role == HandoverRole.OPENING
    assert not draft.steps.exclude(order=1).exclude(handover_role="").exists()


@pytest.mark.django_db
def test_pathway_version_publish__steps_a_handover_does_must_come_first(admin_user, satakunta):
    draft = pathway_version_create_draft(actor=admin_user, pathway=satakunta)
    draft.steps.filter(order=2).update(handover_role=HandoverRole.PREPARATORY_MEETING)

    with pytest.raises(ApplicationError, match="must be the first steps"):
        pathway_version_publish(actor=admin_user, version=draft)

    draft.steps.filter(order=1).update(handover_role=HandoverRole.OPENING)
    assert pathway_version_publish(actor=admin_user, version=draft).status == VersionStatus.PUBLISHED


@pytest.mark.django_db
def test_pathway_step__one_step_per_handover_part_in_a_version(admin_user, satakunta):
    draft = pathway_version_create_draft(actor=admin_user, pathway=satakunta)
    draft.steps.filter(order=1).update(handover_role=HandoverRole.OPENING)
    second = draft.steps.get(order=2)
    second.handover_role = HandoverRole.OPENING

    with pytest.raises(ValidationError) as exc:
        second.full_clean()
    assert "already has this part of the handover" in str(exc.value)


@pytest.mark.django_db
def test_pathway__at_most_one_of_a_region_is_opened_by_handovers(shipped_pathways):
    region, other = (OrganisationFactory(kind=OrganisationKind.WELFARE_REGION) for _ in range(2))
    Pathway.objects.update(opened_by_handover=False, region=region)
    Pathway.objects.filter(code="satakunta").update(opened_by_handover=True)
    eura = Pathway.objects.get(code="eura")
    eura.opened_by_handover = True

    with pytest.raises(ValidationError) as exc:
        eura.full_clean()
    assert "already opened by escorted handovers" in str(exc.value)

    eura.region = other  # another region has its own
    eura.full_clean()
    eura.save()


@pytest.mark.django_db
def test_pathway__handover_reasons_are_reasons_of_escorted_handover(shipped_pathways):
    eura = Pathway.objects.get(code="eura")
    eura.handover_reasons = ["graduating", "retiring"]
    with pytest.raises(ValidationError) as exc:
        eura.full_clean()
    assert "handover_reasons" in exc.value.message_dict
    eura.handover_reasons = ["graduating"]
    eura.full_clean()


@pytest.mark.django_db
def test_step_inline__two_steps_with_the_same_handover_part_are_refused(admin_user, satakunta):
    draft = pathway_version_create_draft(actor=admin_user, pathway=satakunta)
    inline = StepInline(PathwayVersion, admin.site)
    formset_class = inline.get_formset(admin_request(admin_user), draft)
    steps = list(draft.steps.order_by("order"))
    data = {
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, step in enumerate(steps):
        for field in _COPIED_STEP_FIELDS:
            data[f"steps-{i}-{field}"] = getattr(step, field)
        data[f"steps-{i}-id"] = step.pk
        data[f"steps-{i}-version"] = draft.pk
        data[f"steps-{i}-handover_role"] = HandoverRole.OPENING if i < 2 else ""

    formset = formset_class(data=data, instance=draft, prefix="steps")

    assert not formset.is_valid()
    assert "Each part of an escorted handover can be on one step only." in str(formset.errors)
