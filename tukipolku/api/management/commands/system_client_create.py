"""Create a system client of the API and print its client id and secret (the secret only this once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tukipolku.api.choices import Scope
from tukipolku.api.services import system_client_create
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.models import Organisation
from tukipolku.privacy.choices import Purpose


class Command(BaseCommand):
    help = "Create a system client (OAuth 2.0 client credentials) acting for an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="A name for the calling system, e.g. 'TE-palvelut integraatio'.")
        parser.add_argument("--organisation", required=True, type=int, help="Id of the organisation it acts for.")
        parser.add_argument(
            "--purpose", action="append", default=[], choices=Purpose.values, help="A granted purpose (repeat)."
        )
        parser.add_argument(
            "--scope", action="append", default=[], choices=Scope.values, help="A granted scope (repeat)."
        )
        parser.add_argument("--requests-per-minute", type=int, default=120)

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(pk=options["organisation"]).first()
        if organisation is None:
            raise CommandError("No organisation with that id.")
        try:
            new = system_client_create(
                actor=None,
                name=options["name"],
                organisation=organisation,
                purposes=options["purpose"] or [Purpose.WORK_ABILITY],
                scopes=options["scope"] or [Scope.API_READ],
                requests_per_minute=options["requests_per_minute"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"client_id={new.client_id}")
        self.stdout.write(f"client_secret={new.client_secret}")
        self.stdout.write("The secret is stored hashed: keep it now, it cannot be shown again.")
