"""A proxy.py plugin for the proxy tests: names under ``.invalid`` (which never resolve, RFC 6761)
resolve to 127.0.0.1 inside the proxy only, so a fake provider named so is reachable through the
proxy and nowhere else."""

from __future__ import annotations

from proxy.http.proxy import HttpProxyBasePlugin


class FakeProviderNames(HttpProxyBasePlugin):
    def resolve_dns(self, host: str, port: int) -> tuple[str | None, tuple[str, int] | None]:
        if host.endswith(".invalid"):
            return "127.0.0.1", None
        return None, None  # anything else: the proxy's own resolver

    def before_upstream_connection(self, request):
        return request

    def handle_client_request(self, request):
        return request

    def handle_upstream_chunk(self, chunk):
        return chunk

    def on_upstream_connection_close(self) -> None:
        pass
