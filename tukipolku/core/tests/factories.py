"""Synthetic organisations, teams and users for tests (Finnish-locale Faker, no real people)."""

import factory
from faker import Faker

from tukipolku.core.choices import OrganisationKind, Profession, TeamRole
from tukipolku.core.models import Organisation, Team, TeamMembership, User

fake = Faker("fi_FI")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Testisotekeskus {n}")
    kind = OrganisationKind.SOTE_CENTRE


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Työkykytiimi {n}")
    organisation = factory.SubFactory(OrganisationFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyFunction(fake.first_name)
    last_name = factory.LazyFunction(fake.last_name)
    profession = Profession.PUBLIC_HEALTH_NURSE
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.django.Password("test-password-123")


def member(team: Team, *, profession: str = Profession.PUBLIC_HEALTH_NURSE, role: str = TeamRole.MEMBER, **kw) -> User:
    """A user who is an active member of `team`."""
    user = UserFactory(profession=profession, organisation=team.organisation, **kw)
    TeamMembership.objects.create(team=team, user=user, role=role)
    return user
