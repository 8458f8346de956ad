"""The "Desa saya" home: where each of a user's villages stands and what to do next."""
