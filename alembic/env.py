"""Alembic environment: migrations run against the connection the caller hands over, or the
database named by the settings (PERDES_DATABASE_URL)."""

from logging.config import fileConfig

from alembic import context

from perdes.config import Settings
from perdes.db import UTCDateTime, make_engine
from perdes.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _render_item(type_, obj, autogen_context):  # type: ignore[no-untyped-def]
    """Render the app's UTCDateTime as a plain timezone-aware DateTime in migrations."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Search structures made by migration 0060 outside the models: SQLite's FTS5 table (and its
# shadow tables) and PostgreSQL's trigram index on an expression.
SEARCH_INDEX_PREFIXES = ("region_name_fts", "ix_region_name_trgm")


def _include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return not (reflected and compare_to is None and (name or "").startswith(SEARCH_INDEX_PREFIXES))


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=_render_item,
        render_as_batch=True,
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or Settings().effective_database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
