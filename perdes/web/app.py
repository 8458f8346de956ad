"""The application factory."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cachetools import TTLCache
from fastapi import Depends, FastAPI
from starlette.types import ASGIApp

from perdes import __version__, pipeline
from perdes.accounts import principal_cache
from perdes.accounts.principal_cache import PrincipalCache
from perdes.config import PROJECT_ROOT, Settings
from perdes.db import engine_from_settings
from perdes.drafting.workspace.pdf import PdfCache
from perdes.files import megabytes
from perdes.monitoring.maps import GeoStore
from perdes.register.crypto import keyring_from_settings
from perdes.web.api import adoption as api_adoption
from perdes.web.api import checklist as api_checklist
from perdes.web.api import docs as api_docs
from perdes.web.api import drafts as api_drafts
from perdes.web.api import public as api_public
from perdes.web.api import regions as api_regions
from perdes.web.api import register_figures as api_register_figures
from perdes.web.assets import Compression, FingerprintedStaticFiles
from perdes.web.bodylimit import BodyLimitMiddleware
from perdes.web.errors import install_auth_handlers, install_error_handlers
from perdes.web.params import strict_params
from perdes.web.permissions import AnonymousCookieMiddleware, csrf_protect
from perdes.web.routes import (
    account,
    account_email,
    admin,
    admin_import,
    admin_mail,
    audit,
    auth,
    checklist,
    draft_edits,
    drafts,
    health,
    monitoring,
    monitoring_analytics,
    monitoring_targets,
    notifications,
    public,
    recovery,
    regions,
    register,
    register_disclosure,
    register_episodes,
    register_figures,
    register_import,
    register_rights,
    register_staff,
    step_documents,
    tracking,
    tracking_reports,
)
from perdes.web.security import SecurityHeadersMiddleware
from perdes.web.templating import bound_path_for, make_templates

# Every route module, in matching order; the authorization-matrix test walks these.
# The JSON API modules (perdes/web/api/) are the only ones in the OpenAPI document.
# The busiest pages' modules come first: a request is matched against the routes in this
# order, one by one (125 checks, a tenth of the monitoring list's CPU, when monitoring came
# 19th). Order decides only where two routes match one URL; tests/web/test_route_order.py
# holds every route reachable.
API_MODULES = (
    api_regions,
    api_adoption,
    api_checklist,
    api_drafts,
    api_public,
    api_register_figures,
)
ROUTE_MODULES = (
    health,
    regions,
    monitoring,
    auth,
    recovery,
    account,
    account_email,
    notifications,
    register,
    register_episodes,
    register_rights,
    register_staff,
    tracking,
    tracking_reports,
    step_documents,
    public,
    drafts,
    draft_edits,
    checklist,
    monitoring_analytics,
    monitoring_targets,
    register_figures,
    register_import,
    register_disclosure,
    admin_import,
    admin,
    admin_mail,
    audit,
    api_docs,
    *API_MODULES,
)


class PerdesApp(FastAPI):
    """FastAPI with the security headers outside everything, the 500 page included."""

    def build_middleware_stack(self) -> ASGIApp:
        hsts = bool(self.state.settings.secure_cookies)
        return SecurityHeadersMiddleware(super().build_middleware_stack(), hsts=hsts)


_frozen = False


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At the first start-up in a process, move what was built (modules, routes, templates,
    mappers: about 190,000 objects) out of the garbage collector's sight (``gc.freeze``):
    they live as long as the process, and every full collection would walk them again
    (measured: 8.6 -> 7.2 ms of CPU per monitoring-list request). Once per process, so a test
    run that starts many apps does not pin them all."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()
    yield


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the engine is created here but connects only on the first request."""
    settings = settings or Settings()
    if settings.environment == "production":
        keyring_from_settings(settings)  # refuse to start without the register's keys
    app = PerdesApp(
        title="Perdes PMI",
        version=__version__,
        debug=settings.debug,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(strict_params), Depends(csrf_protect)],
        lifespan=_lifespan,
    )
    engine = engine_from_settings(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.reads_on_loop = engine.dialect.name == "sqlite"  # see deps.quick_read
    app.state.session_factory = pipeline.make_session_factory(engine)
    principal_cache.install()
    app.state.principals = PrincipalCache(instance_path=settings.instance_path)
    app.state.pdfs = PdfCache(settings.instance_path / "cache" / "pdf")
    app.state.templates = make_templates(auto_reload=settings.debug)
    app.state.templates.env.globals["path_for"] = bound_path_for(app)
    # the upload limit, for the file fields' hint and app.js's check as a file is chosen
    app.state.templates.env.globals["upload_limit"] = settings.max_upload_bytes
    app.state.templates.env.globals["upload_limit_mb"] = megabytes(settings.max_upload_bytes)
    app.state.geo = GeoStore(settings.geo_path)
    # The directory's region filter options (routes/regions.py): regions change only by import.
    app.state.region_choices = TTLCache(maxsize=512, ttl=regions.REGION_CHOICES_SECONDS)
    app.state.region_choices_lock = threading.Lock()
    app.state.api_routers = [m.router for m in API_MODULES]
    app.add_middleware(BodyLimitMiddleware, max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(AnonymousCookieMiddleware)
    app.add_middleware(Compression)
    app.state.static = FingerprintedStaticFiles(
        directory=PROJECT_ROOT / "static", watch=settings.debug
    )
    app.mount("/static", app.state.static, name="static")
    install_error_handlers(app)
    install_auth_handlers(app)
    for module in ROUTE_MODULES:
        app.include_router(module.router)
    return app
