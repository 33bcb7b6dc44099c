"""How the OpenAPI schema (drf-spectacular) describes Huxiao's own authentication, so that /api/docs/
offers "Authorize" for it and integrators read it in the schema (API.md: ``Authorization: Token <key>``
from ``POST /api/v1/auth/token/``; devices ``Authorization: Device <token>``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "huxiao.core.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <key>`, the key from `POST /api/v1/auth/token/` (expires; see F-AUTH)."}


class DeviceAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "huxiao.devices.api.DeviceAuthentication"
    name = "deviceAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Device <token>`, the token answered once when the device was registered."}


def tag_by_resource(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular's postprocessing hook: each operation is tagged with its resource (``/api/v1/pickups/…``
    is "pickups"), so /api/docs/ lists the resources one by one instead of one "v1" group of every operation.
    Swagger UI renders a long group lazily, as it scrolls, so a reader could not find an operation by
    searching the page. The operation ids are drf-spectacular's own (``v1_pickups_create``), unchanged."""
    for path, operations in result.get("paths", {}).items():
        parts = [p for p in path.split("/") if p] + ["api", "api"]
        resource = parts[2] if parts[:2] == ["api", "v1"] else parts[1]
        for operation in operations.values():
            if isinstance(operation, dict):
                operation["tags"] = [resource]
    return result
