"""Perdes PMI: draft, adopt and monitor village regulations on migrant-worker protection."""

__version__ = "0.1.0"
