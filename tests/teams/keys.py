"""Stand-ins for Microsoft's Bot Framework signing-key endpoint and for MSAL, so token validation
and request signing run for real.

The key server runs on its own thread (stdlib http.server), not on the test's loop, so it can be made to answer
slowly (`hold`) while the test checks that GoFirst's loop keeps serving meanwhile."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from botframework.connector.auth import MicrosoftAppCredentials, ServiceClientCredentialsFactory
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"


class KeyServer:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = {"keys": [{**jwk, "kid": self.kid, "use": "sig", "endorsements": ["msteams"]}]}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.metadata_requests = 0
        self.asked = threading.Event()  # a metadata request arrived
        self.gate: threading.Event | None = None
        self.held: list[bool] = []  # per held request: released by the test (True) or timed out

    def hold(self) -> threading.Event:
        """Metadata requests wait (5 s at most) until the returned event is set."""
        self.gate = threading.Event()
        return self.gate

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        keys = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                if self.path == "/openid":
                    keys.metadata_requests += 1
                    keys.asked.set()
                    if keys.gate is not None:
                        keys.held.append(keys.gate.wait(timeout=5))
                doc: dict[str, Any] = ({"issuer": ISSUER, "jwks_uri": f"{keys.url}/keys"} if self.path == "/openid"
                                       else keys.jwks)
                payload = json.dumps(doc).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def __enter__(self) -> "KeyServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def token(self, app_id: str, service_url: str, *, key: Any = None, expires_in: int = 600,
              kid: str | None = None) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": app_id, "serviceurl": service_url, "nbf": now - 5, "exp": now + expires_in}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})


class StandInMsal(ServiceClientCredentialsFactory):
    """Stands in for botbuilder's MSAL credentials (MSAL needs login.microsoftonline.com): a token
    fetch that blocks its thread the way MSAL's HTTP call does, and can be held like `KeyServer`."""

    token = "token-from-msal"

    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self.asked = threading.Event()
        self.gate: threading.Event | None = None
        self.held: list[bool] = []

    def hold(self) -> threading.Event:
        self.gate = threading.Event()
        return self.gate

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == self.app_id

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str,
                                 validate_authority: bool) -> MicrosoftAppCredentials:
        return _BlockingCredentials(self, app_id)


class _BlockingCredentials(MicrosoftAppCredentials):
    def __init__(self, msal: StandInMsal, app_id: str) -> None:
        super().__init__(app_id, "not-used")
        self.msal = msal

    def get_access_token(self, force_refresh: bool = False) -> str:
        self.msal.asked.set()
        if self.msal.gate is not None:
            self.msal.held.append(self.msal.gate.wait(timeout=5))
        return self.msal.token
