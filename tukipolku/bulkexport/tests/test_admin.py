"""The administration's page of bulk exports: the progress bar, the cancel action, who may see and cancel."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tukipolku.bulkexport.choices import ExportLevel, ExportStatus
from tukipolku.bulkexport.models import ExportJob
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:bulkexport_exportjob_changelist")


def _job(account, **kw) -> ExportJob:
    params = {
        "account": account,
        "reader_kind": "system",
        "level": ExportLevel.SYSTEM,
        "request_url": "http://testserver/fhir/$export",
        "status": ExportStatus.RUNNING,
        "episodes_total": 200,
        "episodes_checked": 50,
    }
    params.update(kw)
    return ExportJob.objects.create(**params)


def _staff(*, organisation, perms=()):
    user = UserFactory(profession=Profession.ADMINISTRATOR, organisation=organisation, is_staff=True)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="bulkexport", codename=codename))
    return user


def test_changelist__shows_a_running_export_with_a_labelled_progress_bar(client, admin_user, nurse):
    job = _job(nurse)
    client.force_login(admin_user)
    html = client.get(CHANGELIST + "?running=yes").content.decode()
    assert f'<progress max="100" value="25" aria-label="Progress of export {str(job.pk)[:8]}">25 %</progress>' in html
    assert "25 % (50 of 200 client relationships)" in html


def test_cancel_action__cancels_the_selected_exports(client, admin_user, nurse):
    job = _job(nurse)
    client.force_login(admin_user)
    response = client.post(CHANGELIST, {"action": "cancel_exports", "_selected_action": [str(job.pk)]}, follow=True)
    assert response.status_code == 200
    assert "1 export cancelled." in response.content.decode()
    job.refresh_from_db()
    assert job.status == ExportStatus.CANCELLED


def test_changelist__staff_without_the_permission_get_403(client, org, nurse):
    _job(nurse)
    client.force_login(_staff(organisation=org))
    assert client.get(CHANGELIST).status_code == 403


def test_cancel_action__needs_the_change_permission(client, org, nurse):
    job = _job(nurse)
    client.force_login(_staff(organisation=org, perms=["view_exportjob"]))
    html = client.get(CHANGELIST).content.decode()
    assert "cancel_exports" not in html
    client.post(CHANGELIST, {"action": "cancel_exports", "_selected_action": [str(job.pk)]})
    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING


def test_changelist__a_regional_admin_sees_their_regions_exports_only(client):
    r = OrganisationFactory(kind=OrganisationKind.WELFARE_REGION)
    s = OrganisationFactory(kind=OrganisationKind.WELFARE_REGION)
    own = _job(UserFactory(organisation=OrganisationFactory(parent=s)))
    other = _job(UserFactory(organisation=OrganisationFactory(parent=r)))
    client.force_login(_staff(organisation=s, perms=["view_exportjob", "change_exportjob"]))
    html = client.get(CHANGELIST).content.decode()
    assert str(own.pk)[:8] in html
    assert str(other.pk)[:8] not in html
    assert client.get(reverse("admin:bulkexport_exportjob_change", args=[other.pk])).status_code in (302, 404)
