"""Monitoring for BP3MI: aggregates per region, target lists, charts, exports."""
