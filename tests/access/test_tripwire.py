"""The audit tripwire itself: it reads Django's SQL right, and it does catch an unlogged read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from django.urls import reverse

from tests.access.tripwire import Tripwire, Violation, parse_select, plan_for, schema
from tukipolku.cases import selectors
from tukipolku.cases.models import Episode
from tukipolku.clients.models import Client
from tukipolku.plans.models import Action


def sql_of(queryset):
    sql, _params = queryset.query.sql_with_params()
    return sql


@pytest.mark.django_db
def test_parse_select__columns_aliases_and_subqueries():
    sql = sql_of(
        Episode.objects.filter(members__user_id=1, client__last_name="x")
        .select_related("client")
        .only("pk", "client__last_name")
    )
    select = parse_select(sql)

    assert select is not None
    assert any(item.endswith('"id"') for item in select.items)
    assert select.tables["cases_episode"] == "cases_episode"
    plan = plan_for(sql, schema())
    assert plan.client_data
    assert {table for _i, table in plan.idents} == {"cases_episode", "clients_client"}


@pytest.mark.django_db
def test_plan_for__counts_and_exists_carry_no_client_data():
    s = schema()
    counted = Episode.objects.filter(team_id=1).values("pathway_version__pathway").annotate(n=Count("pk"))
    exists_sql, _params = Episode.objects.filter(team_id=1).query.exists().get_compiler("default").as_sql()

    for sql in (sql_of(counted), exists_sql):
        plan = plan_for(sql, s)
        assert plan is not None and not plan.idents and not plan.client_data, sql


@pytest.mark.django_db
@pytest.mark.parametrize(
    "queryset",
    [
        lambda: Client.objects.values_list("last_name"),
        lambda: Client.objects.values("last_name").annotate(n=Count("pk")),  # a count per name reveals names
        lambda: Episode.objects.values_list("client__last_name"),
    ],
)
def test_plan_for__a_value_without_its_id_is_client_data_without_an_identifier(queryset):
    plan = plan_for(sql_of(queryset()), schema())

    assert plan.client_data and not plan.idents


@pytest.mark.django_db
def test_plan_for__join_aliases_are_resolved():
    """A table joined twice gets an alias (T3...): its columns still identify."""
    sql = sql_of(Episode.objects.filter(client__episodes__team_id=1).values_list("client__episodes__id"))
    select = parse_select(sql)

    assert any(alias != table for alias, table in select.tables.items()), sql
    assert plan_for(sql, schema()).idents == [(0, "cases_episode")]


@pytest.mark.django_db
def test_schema__every_client_table_has_a_path_to_the_client():
    s = schema()

    assert s.paths["clients_client"] == "pk"
    assert s.paths["plans_action"] == "plan__episode__client_id"
    assert s.paths["meetings_participant"] == "meeting__episode__client_id"
    assert s.idents["plans_action"]["plan_id"] == "plans_plan"
    assert s.idents["privacy_legalbasisgrant"]["episode_id"] == "cases_episode"
    assert {"cases_episode", "entries_entry", "privacy_consent", "meetings_decision"} <= set(s.models)
    assert Action._meta.db_table in s.models


@pytest.mark.django_db
def test_tripwire__catches_a_read_that_is_not_logged(client, monkeypatch, nurse, episode, outsider, other_team):
    if connection.vendor != "postgresql":
        pytest.skip("the tripwire reads psycopg cursors: PostgreSQL only")
    from conftest import open_episode

    stranger = open_episode(outsider, other_team, episode.pathway_version.pathway).client
    real = selectors.episode_detail

    def leaky(**kwargs):
        list(Client.objects.filter(pk=stranger.pk))  # a read of another client, never logged
        return real(**kwargs)

    monkeypatch.setattr(selectors, "episode_detail", leaky)
    monkeypatch.delenv("TUKIPOLKU_TRIPWIRE_REPORT", raising=False)  # fail, even in a survey run
    client.force_login(nurse)

    with pytest.raises(Violation, match=f"client {stranger.pk} was read but not logged"):
        client.get(reverse("cases:detail", args=[episode.pk]))


@pytest.mark.django_db
def test_tripwire__a_logged_read_passes_and_is_counted(monkeypatch, client, nurse, episode):
    if connection.vendor != "postgresql":
        pytest.skip("the tripwire reads psycopg cursors: PostgreSQL only")
    tripwire = Tripwire()
    client.force_login(nurse)

    with tripwire.installed(monkeypatch):
        response = client.get(reverse("cases:detail", args=[episode.pk]))

    assert response.status_code == 200
    assert tripwire.checked == 1
