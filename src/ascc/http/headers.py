"""Security headers on every response: content policy, no framing, no sniffing, referrer policy.

The pages run only our own scripts (``/static/*.js``; no inline script, no event attributes), so
``script-src 'self'``. Styles allow inline: the server-drawn SVG charts carry their own ``<style>``
and legends and bars set colours and widths in ``style`` attributes. ``blob:`` images are the
charts drawn onto a canvas for PNG export. The API documentation pages (FastAPI's Swagger UI and
ReDoc) load their scripts from a CDN and start them inline, so they get a wider policy of their own.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGES = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
CDN = "https://cdn.jsdelivr.net"
API_DOCS = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {CDN}; style-src 'self' 'unsafe-inline' {CDN} "
    f"https://fonts.googleapis.com; img-src 'self' data: blob: https://fastapi.tiangolo.com "
    f"{CDN}; font-src 'self' https://fonts.gstatic.com; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")
COMMON = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = API_DOCS if scope["path"] in DOCS_PATHS else PAGES

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                for name, value in COMMON.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
