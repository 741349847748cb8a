"""Which addresses and ports a live check may reach, and resolving a name exactly once.

The bot runs inside the vendor's network and anyone in Slack can name a host, so a
name is resolved once, every address is judged here, and the connection goes to the
address that was judged (no second lookup, no DNS rebinding). Loopback, private,
shared (CGNAT), link-local (cloud metadata), multicast, reserved and unspecified
addresses are refused unless CERTDESK_PROBE_ALLOW lists a network that holds them.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata services, named on their own so the refusal says what they are.
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_PRIVATE = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

Resolver = Callable[[str, int], list[str]]


class Refused(Exception):
    """A target the policy does not allow; `reason` is a stable code for the message."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


class Unresolvable(Exception):
    pass


def parse_networks(cidrs: Sequence[str]) -> tuple[IPNetwork, ...]:
    out: list[IPNetwork] = []
    for c in cidrs:
        try:
            out.append(ipaddress.ip_network(c.strip(), strict=False))
        except ValueError:
            continue  # an unusable entry allows nothing
    return tuple(out)


def _plain(ip: IPAddress) -> IPAddress:
    """An IPv4 address hidden in IPv6 (::ffff:a.b.c.d, 64:ff9b::a.b.c.d) is judged as IPv4."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip.sixtofour is not None:
            return ip.sixtofour
    return ip


def refusal(address: str, allow: Sequence[IPNetwork] = ()) -> str | None:
    """None when a live check may connect to `address`, else why not (a reason code)."""
    try:
        raw = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "reserved"
    ip = _plain(raw)
    for net in allow:
        if ip.version == net.version and ip in net:
            return None
        if raw is not ip and raw.version == net.version and raw in net:
            return None
    if ip in METADATA or raw in METADATA:
        return "metadata"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "shared"
    if any(ip.version == n.version and ip in n for n in _PRIVATE):
        return "private"
    if ip.is_reserved or ip.is_private or not ip.is_global:
        return "reserved"
    return None


_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="certdesk-dns")


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    seen: list[str] = []
    for info in infos:
        addr = str(info[4][0])
        if addr not in seen:
            seen.append(addr)
    return seen


@dataclass(frozen=True)
class Policy:
    """The rules of one probe: allowed networks and ports, and the resolver."""

    allow: tuple[IPNetwork, ...] = ()
    ports: tuple[int, ...] = (443, 8443, 465, 587, 636, 993, 995)
    resolver: Resolver = system_resolver

    def check_port(self, port: int) -> None:
        if port not in self.ports:
            raise Refused("port", str(port))

    def resolve(self, host: str, port: int, deadline: float) -> str:
        """The one address to connect to: resolved once, judged, returned as an IP string.
        Raises Refused (every address is refused) or Unresolvable; honours the deadline."""
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [str(literal)]
        else:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("name resolution")
            future = _POOL.submit(self.resolver, host, port)
            try:
                addresses = future.result(timeout=remaining)
            except FutureTimeout as exc:
                raise TimeoutError("name resolution") from exc
            except (OSError, UnicodeError) as exc:
                raise Unresolvable(str(exc)) from exc
        if not addresses:
            raise Unresolvable("no address")
        reasons: list[str] = []
        for addr in addresses:
            why = refusal(addr, self.allow)
            if why is None:
                return addr
            reasons.append(why)
        raise Refused(reasons[0], addresses[0])
