"""Keep webhooks off internal networks: every connection's real peer address is checked, after DNS and redirects."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_REDIRECTS = 3


class RefusedTarget(Exception):
    """A webhook tried to reach an address outside the public internet that the configuration does not allow."""


def _kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is internal (loopback, link-local, private ...), or None for a public one."""
    for attribute in ("is_loopback", "is_link_local", "is_private", "is_multicast", "is_unspecified", "is_reserved"):
        if getattr(address, attribute):
            return attribute.removeprefix("is_").replace("_", "-")
    return None if address.is_global else "non-global"


def check_address(peer: str, allowed: Iterable[Network]) -> None:
    """Raise RefusedTarget unless the address is public or inside an explicitly allowed network."""
    address = ipaddress.ip_address(peer.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    kind = _kind(address)
    if kind and not any(address in network for network in allowed):
        raise RefusedTarget(
            f"refused to connect to {address}, a {kind} address; list it under [webhooks] allow_private_networks "
            "in the subscriptions file if this receiver is meant to be internal"
        )


def _checked(sock: socket.socket, allowed: tuple[Network, ...]) -> socket.socket:
    try:
        check_address(sock.getpeername()[0], allowed)
    except RefusedTarget:
        sock.close()
        raise
    return sock


def guarded_session(allowed: Iterable[Network]) -> requests.Session:
    """A requests session whose every connection (redirects included) is refused if it lands on an internal address."""
    networks = tuple(allowed)

    class CheckedHTTP(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _checked(super()._new_conn(), networks)

    class CheckedHTTPS(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return _checked(super()._new_conn(), networks)

    class CheckedHTTPPool(HTTPConnectionPool):
        ConnectionCls = CheckedHTTP

    class CheckedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = CheckedHTTPS

    adapter = HTTPAdapter(max_retries=0)
    adapter.poolmanager.pool_classes_by_scheme = {"http": CheckedHTTPPool, "https": CheckedHTTPSPool}
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the checked peer is the receiver itself
    session.max_redirects = MAX_REDIRECTS
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
