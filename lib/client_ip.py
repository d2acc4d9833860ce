"""The address a request came from, seen through the proxies Relay trusts (TRUSTED_PROXIES).

Without trusted proxies it is REMOTE_ADDR: an X-Forwarded-For header is the client's own say-so
and anyone can send one. Behind proxies it is the nearest address in X-Forwarded-For that is
not one of them, read from the right: each proxy appends the address it got the request from,
and whatever a client wrote itself stands further left, so it is never reached.

Not django-ipware: its trusted-proxy list is matched by position against the last hops of the
header (N entries for exactly N hops, in order), and unconfigured it trusts a dozen forwarding
headers any client can forge; django-axes even switches to it, with those defaults, as soon as
it is installed. This walk is the whole rule, and the standard library parses the addresses.
"""

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)  # checked


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # not an address (a hostname, garbage): never a proxy of ours
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest) -> str:
    """The client's address, for throttles and django-axes (AXES_CLIENT_IP_CALLABLE)."""
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    address = request.META.get("REMOTE_ADDR", "")
    # Each hop that is one of our proxies vouches for the one before it.
    while _is_trusted(address) and hops and hops[-1]:
        address = hops.pop()
    return address
