"""The API documentation page: Swagger UI 5 from the installed ``swagger-ui-py`` package, started
by our own script file, so the page needs no CDN and runs under the same content policy as every
other page (``script-src 'self'``)."""

from __future__ import annotations

from pathlib import Path

import swagger_ui
from fastapi import APIRouter
from fastapi.responses import HTMLResponse

__all__ = ["ASSETS", "router", "swagger_ui_path"]

#: Swagger UI's files as the package ships them (5.x: reads OpenAPI 3.1, which FastAPI writes)
swagger_ui_path = Path(swagger_ui.__file__).parent / "static"
#: where the Swagger UI files are mounted
ASSETS = "/docs/assets"

router = APIRouter(include_in_schema=False)

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ASCC platform API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
</head>
<body>
<p><a href="/">ASCC platform</a> · OpenAPI description: <a href="/openapi.json">/openapi.json</a></p>
<main id="swagger-ui"></main>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)
