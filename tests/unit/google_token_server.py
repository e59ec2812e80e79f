"""A loopback OAuth token endpoint for service-account credentials, and a service account to call it.

It checks what Google's token endpoint checks of a JWT-bearer grant (the RS256 signature with the
account's public key, the issuer, the audience, the scope) and answers with a fresh access token
each time, counting the exchanges.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from typing import Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from llmport.testing.loopback import LoopbackFake, QuietHandler

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
EMAIL = "llmport-test@proj-from-key.iam.gserviceaccount.com"


def _b64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


class _Handler(QuietHandler):
    server: Any

    def do_POST(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("content-length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        try:
            status, payload = owner.exchange(form)
        except Exception as error:  # a grant the endpoint refuses is an answer, not a dropped link
            status, payload = 400, {"error": "invalid_grant", "error_description": repr(error)}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class TokenServer(LoopbackFake):
    """The token endpoint; ``issued`` lists the tokens it gave out, ``refuse`` makes it answer 400."""

    handler = _Handler
    thread_name = "llmport-test-token"

    def __init__(self) -> None:
        super().__init__(require_auth=False)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.issued: list[str] = []
        self.refuse = False
        self._count = threading.Lock()

    @property
    def token_uri(self) -> str:
        return self.root_url + "/token"

    def service_account(self, project: str = "proj-from-key") -> str:
        """The service-account JSON document (with its private key) for this endpoint."""
        pem = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        info = {
            "type": "service_account", "project_id": project, "private_key_id": "k1", "private_key": pem,
            "client_email": EMAIL, "client_id": "1", "token_uri": self.token_uri,
        }  # fmt: skip
        return json.dumps(info)

    def exchange(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        if self.refuse:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        header, claims, signature = form["assertion"][0].split(".")
        self.key.public_key().verify(
            _b64(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        body = json.loads(_b64(claims))
        assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
        assert body["iss"] == EMAIL
        # google-auth names Google's token endpoint as the audience whatever the token URI is.
        assert body["aud"] in (self.token_uri, "https://oauth2.googleapis.com/token")
        assert body["scope"] == SCOPE
        assert body["exp"] > time.time()
        with self._count:
            token = f"ya29.{secrets.token_urlsafe(32)}"
            self.issued.append(token)
        return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}
