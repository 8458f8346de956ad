"""The JSON API v1: route modules under /api/v1, documented by /api/v1/openapi.json."""
