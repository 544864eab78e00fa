"""The nightly refresh: one bills_job run per jurisdiction that has a configured source."""


import dagster as dg

from assets.resources import BillSources


@dg.schedule(cron_schedule="0 6 * * *", execution_timezone="America/New_York", job_name="bills_job")
def nightly_bill_refresh(context: dg.ScheduleEvaluationContext, bill_sources: BillSources):
    """Fetch new versions every morning; run keys carry the date so a tick never runs twice."""
    sources, _ = bill_sources.open()
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    for jurisdiction in sorted(sources):
        yield dg.RunRequest(run_key=f"{day}:{jurisdiction}", partition_key=jurisdiction)
