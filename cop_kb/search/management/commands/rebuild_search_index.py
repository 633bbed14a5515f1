import sys
import time

from django.core.management.base import BaseCommand

from cop_kb.search.services import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the full-text search index from every published record, showing progress."

    def handle(self, *args, **options):
        started = time.perf_counter()
        width = 30
        interactive = sys.stdout.isatty()

        def progress(done: int, total: int) -> None:
            filled = width * done // max(total, 1)
            line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} records"
            self.stdout.write(f"\r{line}" if interactive else line, ending="" if interactive else "\n")

        count = search_index_rebuild(progress=progress)
        if interactive:
            self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {count} published records in {time.perf_counter() - started:.1f} s.")
        )
