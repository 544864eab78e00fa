"""Composition root: Definitions, resources, jobs, schedules, sensors, alert delivery and the CLI."""
