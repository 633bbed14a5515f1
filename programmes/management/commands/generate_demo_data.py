import time

from django.core.management.base import BaseCommand, CommandError

from programmes.demo_data import DEFAULT_SEED, DemoDataError
from programmes.demo_writer import demo_data_generate


class Command(BaseCommand):
    help = (
        "Create N synthetic, clearly marked demo records (titles start with '[Demo] ', slugs with 'demo-', tagged "
        "'synthetic-demo-data') linked to the real framework records, then rebuild the search index. For trying "
        "the site and benchmarking it; never part of the real content."
    )

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, required=True, help="How many demo records to create.")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="The same seed gives the same records (default 1)."
        )
        parser.add_argument(
            "--replace", action="store_true", help="Remove earlier demo records first (else their slugs collide)."
        )
        parser.add_argument("--no-index", action="store_true", help="Leave the search index for a later rebuild.")

    def handle(self, *args, records: int, seed: int, replace: bool, no_index: bool, verbosity: int, **options):
        started = time.perf_counter()

        def progress(message: str) -> None:
            if verbosity > 1:
                self.stdout.write(f"  {message}")

        try:
            report = demo_data_generate(
                records=records, seed=seed, replace=replace, index=not no_index, progress=progress
            )
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        parts = ", ".join(f"{count} {label.split('.')[1]}" for label, count in report.created.items() if count)
        timings = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in report.seconds.items())
        indexed = "index not rebuilt" if report.indexed is None else f"{report.indexed} documents indexed"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {report.total} records created ({parts}), {report.deleted} earlier demo records removed, "
                f"{indexed}; seed {seed}; {time.perf_counter() - started:.1f} s ({timings})."
            )
        )
