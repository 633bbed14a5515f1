import time

from django.core.management.base import BaseCommand

from cop_kb.downloads import build, build_lock, newest, remove_leftovers
from cop_kb.exports.downloads import CSV_ZIP
from cop_kb.linked_data.dump import GRAPH
from cop_kb.records.content_version import content_version

DOWNLOADS = {"csv-zip": CSV_ZIP, "jsonld": GRAPH}
# If the content keeps changing while the files are built, stop after this many rounds; the next request that
# finds them out of date starts another build.
ROUNDS = 3


class Command(BaseCommand):
    help = (
        "Build the whole-data downloads (the CSV zip and the JSON-LD graph) for the current content, unless the "
        "newest files already describe it. One build at a time per DOWNLOADS_DIR: if another is running, exit at once "
        "(with --wait, wait for it and then check again)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wait", action="store_true", help="Wait for a build already running, then check.")

    def handle(self, *args, wait: bool, **options):
        with build_lock(wait=wait) as held:
            if not held:
                self.stdout.write("Another build of the downloads is running; nothing to do.")
                return
            remove_leftovers()
            for _round in range(ROUNDS):
                stale = [name for name, download in DOWNLOADS.items() if not self._current(download)]
                if not stale:
                    break
                for name in stale:
                    started = time.perf_counter()
                    built = build(DOWNLOADS[name])
                    if built is None:
                        self.stdout.write("No content version yet (run migrate): nothing built.")
                        return
                    seconds = time.perf_counter() - started
                    size = built.path.stat().st_size
                    self.stdout.write(f"{name}: {built.path.name} ({size:,} bytes) in {seconds:.1f} s")

    @staticmethod
    def _current(download) -> bool:
        built = newest(download)
        return built is not None and built.describes(content_version())
