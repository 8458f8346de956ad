"""Village profiles edited by their officers (the region registry itself knows no users)."""
