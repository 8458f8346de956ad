"""The application factory."""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from perdes import __version__, pipeline
from perdes.config import PROJECT_ROOT, Settings
from perdes.db import engine_from_settings
from perdes.web.api import adoption as api_adoption
from perdes.web.api import checklist as api_checklist
from perdes.web.api import docs as api_docs
from perdes.web.api import drafts as api_drafts
from perdes.web.api import regions as api_regions
from perdes.web.errors import install_auth_handlers, install_error_handlers
from perdes.web.permissions import AnonymousCookieMiddleware, csrf_protect
from perdes.web.routes import (
    account,
    admin,
    audit,
    auth,
    checklist,
    drafts,
    health,
    monitoring,
    monitoring_targets,
    regions,
    tracking,
    tracking_reports,
)
from perdes.web.security import SecurityHeadersMiddleware
from perdes.web.templating import make_templates

# Every route module, in matching order; the authorization-matrix test walks these.
# The JSON API modules (perdes/web/api/) are the only ones in the OpenAPI document.
API_MODULES = (api_regions, api_adoption, api_checklist, api_drafts)
ROUTE_MODULES = (
    health,
    auth,
    account,
    regions,
    tracking,
    tracking_reports,
    drafts,
    checklist,
    monitoring,
    monitoring_targets,
    admin,
    audit,
    api_docs,
    *API_MODULES,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the engine is created here but connects only on the first request."""
    settings = settings or Settings()
    app = FastAPI(
        title="Perdes PMI",
        version=__version__,
        debug=settings.debug,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
    )
    engine = engine_from_settings(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = pipeline.make_session_factory(engine)
    app.state.templates = make_templates()
    app.state.api_routers = [m.router for m in API_MODULES]
    app.add_middleware(AnonymousCookieMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=str(PROJECT_ROOT / "static")), name="static")
    install_error_handlers(app)
    install_auth_handlers(app)
    for module in ROUTE_MODULES:
        app.include_router(module.router)
    return app
