"""No server-side request forgery: where a webhook may be sent, and sending it to the address that was checked.

A URL is refused when its host resolves to any address that is not public (loopback, link-local, private, shared,
reserved, multicast, unspecified; IPv4 and IPv6, an IPv4-mapped IPv6 address judged as its IPv4 address), unless
``WEBHOOKS_ALLOWED_NETWORKS`` names it. Checked when an endpoint is saved and again at every delivery (DNS can
change), and the connection goes to the address that passed the check (no second lookup to rebind). Only http and
https; redirects are never followed (``http.client`` follows none).
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

MAX_BODY = 64 * 1024  # of a response we read: the code, a few headers and a snippet for the log


class Refused(Exception):
    """The URL may not be called (in words for the person who entered it)."""


def _allowed_networks():
    return [ipaddress.ip_network(value, strict=False) for value in settings.WEBHOOKS_ALLOWED_NETWORKS]


def address_refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if any(ip in network for network in _allowed_networks()):
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
        if any(ip in network for network in _allowed_networks()):
            return False
    # is_global is False for private, loopback, link-local, shared (100.64/10), reserved and documentation ranges.
    return not ip.is_global or ip.is_multicast or ip.is_unspecified


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (patched in tests that need a name to resolve somewhere)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def target_for(url: str) -> Target:
    """The checked target of ``url``; raises ``Refused``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused(_("Only http and https URLs can receive webhooks."))
    if not parts.hostname:
        raise Refused(_("The URL has no host name."))
    if parts.username or parts.password:
        raise Refused(_("Put no user name or password in the URL; the signature authenticates each delivery."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise Refused(_("The URL's port is not valid.")) from error
    try:
        addresses = resolve(parts.hostname, port)
    except (OSError, UnicodeError) as error:
        raise Refused(_("The host name %(host)s could not be resolved.") % {"host": parts.hostname}) from error
    if not addresses:
        raise Refused(_("The host name %(host)s could not be resolved.") % {"host": parts.hostname})
    # Every address must pass: a name with one public and one private address could be steered to the private one.
    refused = [address for address in addresses if address_refused(address)]
    if refused:
        raise Refused(
            _("%(host)s resolves to %(address)s, a private or reserved address; webhooks go only to public addresses.")
            % {"host": parts.hostname, "address": refused[0]}
        )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict
    duration_ms: int


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name, while the connection goes to the checked address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, *, body: bytes, headers: dict, timeout: float) -> Response:
    """POST ``body`` to ``url`` after checking it again; raises ``Refused`` or an ``OSError``/``HTTPException``."""
    target = target_for(url)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    started = time.monotonic()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(MAX_BODY)
        return Response(
            status=response.status,
            headers={name.lower(): value for name, value in response.getheaders()},
            duration_ms=int((time.monotonic() - started) * 1000),
        )
    finally:
        connection.close()
