"""`medmind cloud jobs`: the long-running scheduler, and one-shot runs of a single job."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from cloud.jobs.runner import JobContext

app = typer.Typer(
    help="Analytics, alert and notification jobs. Without a command: run the scheduler.",
    invoke_without_command=True,
)


def _context() -> JobContext:
    from cloud.config import get_settings
    from cloud.db.engine import make_engine, make_session_factory
    from cloud.jobs.runner import JobContext

    engine = make_engine(get_settings())
    return JobContext(sessions=make_session_factory(engine))


@app.callback()
def scheduler(ctx: typer.Context) -> None:
    """Run every job at its interval until interrupted (Ctrl-C)."""
    if ctx.invoked_subcommand is not None:
        return
    from cloud.jobs.runner import Scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    runner = Scheduler(_context())
    try:
        runner.run_forever()
    except KeyboardInterrupt:
        runner.stop()


@app.command("run")
def run(
    job: Annotated[
        str,
        typer.Argument(
            help="horizon, daily-summaries, weekly-summaries, stale-summaries, insights, "
            "escalations, deliveries, partitions, or all."
        ),
    ],
    day: Annotated[
        str | None,
        typer.Option("--date", help="Local date YYYY-MM-DD (summaries, insights) to compute."),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--now", help="Run as of this ISO time (default: now).")
    ] = None,
) -> None:
    """Run one job once (or all of them, in order) and print what it did as JSON."""
    from cloud.jobs.runner import JOBS, run_all_once, run_job

    try:
        now = datetime.fromisoformat(at) if at else datetime.now(UTC)
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        target = date.fromisoformat(day) if day else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if job != "all" and job not in JOBS:
        raise typer.BadParameter(f"unknown job {job!r}; known: all, {', '.join(JOBS)}")
    job_context = _context()
    if job == "all":
        result: dict[str, object] = dict(run_all_once(job_context, now))
    else:
        result = run_job(job_context, job, now, target)
    typer.echo(json.dumps(result, default=str, sort_keys=True))
