"""The project's routes: each app's ``urls.py`` names its pages (``urlpatterns``), its API paths (``api``)
and its view sets (``routes``); they are gathered here under one ``/api/v1/`` router, in the order of
``APPS``. Page names are global (``{% url 'gate-home' %}``); API names are under ``api:``."""

from importlib import import_module

from django.urls import include, path
from rest_framework.routers import DefaultRouter

APPS = ["core", "dashboard", "timetable", "force", "compliance", "gate", "notify", "devices", "alarms", "emergency",
        "hazards", "inspections", "surroundings", "buses", "risk"]
_modules = [import_module(f"huxiao.{app}.urls") for app in APPS]

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for module in _modules:
    for prefix, viewset, basename in getattr(module, "routes", ()):
        router.register(prefix, viewset, basename=basename)

# An app's own API paths go before the router's, so ``alarms/stream/`` is not read as ``alarms/<pk>/``.
api_v1 = [*(p for module in _modules for p in getattr(module, "api", ())), *router.urls]

urlpatterns = [
    # First: the API is what devices and gate tablets call many times a second; a request is matched
    # against the patterns in order.
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    *(p for module in _modules for p in module.urlpatterns),
]

handler404 = "huxiao.core.middleware.page_not_found"
