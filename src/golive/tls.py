"""One TLS context per process, shared by every HTTP client golive makes.

httpx builds a new context for each client, reading the CA bundle every time (~20 ms of
CPU); the load phase makes a client per money loop. Verification is unchanged: the shared
context is httpx's default one (certifi, or SSL_CERT_FILE / SSL_CERT_DIR).
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()
