import json
import re
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F
from django.db.models.functions import Mod

from gitops.batch import FAILURES, Mode, Outcome, run_many, summarize
from tinyforge.workloads.models import Workload

SHARD = re.compile(r"^(\d+)/(\d+)$")


def parse_shard(value: str) -> tuple[int, int]:
    match = SHARD.match(value)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise CommandError(
            f"--shard must be K/N with 1 <= K <= N, such as 1/3; got {value!r}", returncode=2,
        )
    return int(match[1]), int(match[2])


class Command(BaseCommand):
    help = (
        "Sync workloads from their .tinyforge.yml, or check them for drift. Exit status: 0 on "
        "success, 1 when --check found drift, 2 when any workload failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", metavar="NAME", help="Workloads to process.")
        parser.add_argument("--all", action="store_true",
                            help="Process every workload with GitOps enabled.")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true",
                          help="Show what a sync would change; write nothing.")
        mode.add_argument("--check", action="store_true",
                          help="Report drift and exit 1 if any workload drifted; write nothing.")
        parser.add_argument("--expected-sha", metavar="SHA",
                            help="Sync only if the branch is still at this commit.")
        parser.add_argument("--jobs", type=int, default=8, metavar="N",
                            help="Workloads processed in parallel (default: 8).")
        parser.add_argument("--actor", default="manage.py gitops_sync", metavar="LABEL",
                            help="Actor recorded in the audit log.")
        parser.add_argument("--format", choices=["text", "json"], default="text",
                            help="Output format (default: text).")
        parser.add_argument("--shard", metavar="K/N",
                            help="With --all, process only shard K of N, so N hosts split "
                                 "the work without overlap.")

    def handle(self, *args, names, all, dry_run, check, expected_sha, jobs, actor, format,
               shard, **options):
        if bool(names) == bool(all):
            raise CommandError("Name one or more workloads, or pass --all (not both).",
                               returncode=2)
        if jobs < 1:
            raise CommandError(f"--jobs must be at least 1, got {jobs}.", returncode=2)
        if shard and not all:
            raise CommandError("--shard works with --all only.", returncode=2)

        workloads, total = self._select(names, all, shard)
        mode = Mode.SYNC
        if check:
            mode = Mode.CHECK
        elif dry_run:
            mode = Mode.DRY_RUN
        progress = self._progress(total) if format == "text" and sys.stderr.isatty() else None
        results = []
        for result in run_many(workloads, mode, actor=actor, jobs=jobs, expected_sha=expected_sha,
                               on_result=progress):
            results.append(result)
            if format == "text":
                self.stdout.write(self._line(result))
        if progress:
            sys.stderr.write("\r\033[K")

        summary = summarize(results)
        if format == "json":
            self.stdout.write(json.dumps(
                {"results": [result.as_dict() for result in results], "summary": summary},
                default=str,
            ))
        else:
            parts = ", ".join(f"{count} {status}" for status, count in sorted(summary.items()))
            note = {Mode.DRY_RUN: " (dry run: nothing was written)",
                    Mode.CHECK: " (check: nothing was written)"}.get(mode, "")
            self.stdout.write(f"{len(results)} workload(s): {parts or 'none'}{note}")

        if any(result.status in FAILURES for result in results):
            sys.exit(2)
        if check and any(result.status is Outcome.DRIFTED for result in results):
            sys.exit(1)

    def _select(self, names, all, shard):
        if all:
            queryset = Workload.objects.filter(gitops_enabled=True).order_by("pk")
            if shard:
                index, count = parse_shard(shard)
                queryset = queryset.annotate(shard=Mod(F("pk"), count)).filter(shard=index - 1)
            return queryset.iterator(chunk_size=500), queryset.count()
        found = {workload.name: workload for workload in Workload.objects.filter(name__in=names)}
        missing = [name for name in names if name not in found]
        if missing:
            raise CommandError(f"No workload named {', '.join(missing)}.", returncode=2)
        return [found[name] for name in dict.fromkeys(names)], len(found)

    def _progress(self, total):
        done = {"count": 0}

        def report(result):
            done["count"] += 1
            sys.stderr.write(f"\r[{done['count']}/{total}] {result.workload}\033[K")
            sys.stderr.flush()

        return report

    def _line(self, result) -> str:
        sha = f" {result.commit_sha[:12]}" if result.commit_sha else ""
        text = f"{result.workload}: {result.status.value}{sha}"
        if result.changes:
            text += " (" + ", ".join(
                f"{change['field']}: {change['before']!r} -> {change['after']!r}"
                for change in result.changes
            ) + ")"
        if result.error:
            text += f": {result.error}"
        return text
