from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programmes.services import FRAMEWORK_FILE, ContentError, framework_load


class Command(BaseCommand):
    help = (
        "Load UNICEF's Framework for Action as linked records. Idempotent: records that already exist (matched by "
        "slug) are left exactly as editors left them; missing ones are created with their links."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=FRAMEWORK_FILE, help="Content file (TOML) to load.")

    def handle(self, *args, file: Path, **options):
        try:
            report = framework_load(path=file)
        except (ContentError, OSError) as exc:
            raise CommandError(f"Nothing was loaded: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Framework loaded: {len(report.created)} records created, {report.links_added} links added, "
                f"{report.existing} records already present and left unchanged."
            )
        )
