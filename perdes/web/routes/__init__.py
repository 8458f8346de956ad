"""Route modules, one per part of the URL space."""
