import time

from django.core.management.base import BaseCommand, CommandError

from cop_kb.records.facet_counts import facet_counts_differences
from cop_kb.records.facet_triggers import install_facet_counts


class Command(BaseCommand):
    help = (
        "Install the triggers that keep unfiltered lists' facet counts and count every facet afresh (migrate does "
        "both). With --check, change nothing: compare the kept counts with a fresh count and fail if any differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only compare the kept counts with a fresh count.")

    def handle(self, *args, check: bool, **options):
        started = time.perf_counter()
        if check:
            differences = facet_counts_differences()
            if differences:
                raise CommandError("Kept facet counts differ from a fresh count:\n" + "\n".join(differences))
            self.stdout.write(self.style.SUCCESS("Every kept facet count matches a fresh count."))
            return
        install_facet_counts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Facet counts rebuilt and their triggers installed in {time.perf_counter() - started:.1f} s."
            )
        )
