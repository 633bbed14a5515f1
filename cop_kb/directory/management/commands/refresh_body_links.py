import time

from django.core.management.base import BaseCommand

from cop_kb.records.body_links import body_links_rebuild


class Command(BaseCommand):
    help = (
        "Render every record's body again, links to records that are not public written as text, and store the "
        "links each body makes. Run once on a database whose records were saved before links were stored."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        changed = body_links_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"{changed} pages changed; every body's links stored in {time.perf_counter() - started:.1f} s."
            )
        )
