"""Fidelity to the LEAD model and drift between versions of one bill."""
