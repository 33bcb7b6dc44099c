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
