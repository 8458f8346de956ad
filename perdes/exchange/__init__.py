"""Data exchange with other systems: village status rows, region counts, JDIHN metadata.

Plain typed services over the other domains' stored read models; the JSON API serves them.
"""
