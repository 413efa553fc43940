"""The address of the person at the other end of a request, as seen through our own proxies.

Behind the TLS-terminating proxy every request's ``REMOTE_ADDR`` is the proxy's. The client's address is then
in ``X-Forwarded-For``, but that header is only as trustworthy as whoever wrote it: a client can send one of its
own. So it is read only when the request came from a proxy listed in ``TRUSTED_PROXIES``, from the right (the
entry our outermost proxy appended) to the left, skipping our own proxies: the first address that is not one of
ours is the client. Entries further left were written by the client and are never believed.

With ``TRUSTED_PROXIES`` empty (the default) the header is ignored and ``REMOTE_ADDR`` is the client. The same goes
for ``X-Forwarded-Proto`` (whether the client reached us over HTTPS, ``SECURE_PROXY_SSL_HEADER``): a client could
otherwise claim HTTPS over plain HTTP; ``accounts.middleware.ForwardedProtoMiddleware`` drops it from anyone else.

What the lockout and the mail limits count is the client's *block* (``counted_as``): an IPv4 address, or the /64
an IPv6 address lies in, since one IPv6 connection is given a whole /64 and can take a fresh address per request.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# The smallest IPv6 block a connection is given (RFC 6177; every SLAAC network is one): one client to the limits.
IPV6_CLIENT_PREFIX = 64


@lru_cache(maxsize=8)
def _trusted(values: tuple[str, ...]) -> tuple[Network, ...]:
    # Each entry was checked when the settings loaded.
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


def _parse(value: str) -> Address | None:
    """An address as proxies write it: bare, IPv6 in brackets, or either with a port."""
    value = value.strip().strip('"')
    candidates = [value]
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        candidates = [value[1 : value.index("]")]]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        candidates.append(value.split(":", 1)[0])
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        # "::ffff:203.0.113.7" is the IPv4 client seen through a dual-stack socket: one client, one address.
        mapped = getattr(address, "ipv4_mapped", None)
        return mapped or address
    return None


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def from_trusted_proxy(request) -> bool:
    """Did the request come from one of our own proxies (``REMOTE_ADDR`` in ``TRUSTED_PROXIES``)? Only then are the
    ``X-Forwarded-*`` headers theirs and not the client's."""
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    networks = _trusted(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    return remote is not None and bool(networks) and _is_trusted(remote, networks)


def client_ip(request) -> str | None:
    """The client's address (see the module docstring); ``None`` when the request carries none."""
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return None
    networks = _trusted(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _is_trusted(remote, networks):
        return str(remote)
    client = remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # Garbage where a proxy of ours would have written an address: believe nothing further left.
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


def counted_as(address: str | None) -> str | None:
    """The client a limit counts ``address`` as: an IPv4 address as it is, an IPv6 address as the first address of
    its /64 (still an address, so django-axes can store it). ``None`` stays ``None``."""
    parsed = _parse(address or "")
    if parsed is None:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_CLIENT_PREFIX}", strict=False).network_address)
    return str(parsed)
