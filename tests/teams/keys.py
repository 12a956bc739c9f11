"""A stand-in for Microsoft's Bot Framework signing-key endpoint, so token validation runs for real.

botbuilder fetches OpenID metadata with blocking `requests` calls from inside the event loop, so
this server runs on its own thread (stdlib http.server), not on the test's loop."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
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

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        keys = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
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
