"""The sign-in throttle: failed sign-ins per (account, client address) buy a growing wait, never a hard lock.

The client address is the TCP peer's, unless that peer is one of the configured trusted proxies
(SPYGLASS_TRUSTED_PROXIES): only then is X-Forwarded-For read, right to left, skipping the trusted hops. Anyone else
could write any address into that header and so spread guesses over fake clients.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR blocks (`10.0.0.1`, `10.0.0.0/8`, `::1`); raises ValueError naming a bad one."""
    found: list[Network] = []
    for value in values:
        try:
            found.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value.strip()!r} is not an IP address or network") from None
    return tuple(found)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(text: str, proxies: tuple[Network, ...]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in proxies)


def client_address(request: Request, proxies: tuple[Network, ...]) -> str:
    """Who is signing in: the peer, or, behind a trusted proxy, the nearest untrusted X-Forwarded-For hop."""
    peer = request.client.host if request.client else ""
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop if _address(hop) is not None else peer
    return hops[0] if hops else peer


@dataclass(slots=True)
class _Failures:
    count: int
    last: float


@dataclass(slots=True)
class SignInThrottle:
    """Failed sign-ins per (email, client address). The first `free` failures cost nothing; after that each one
    makes the next attempt wait 2, 4, 8 ... seconds, up to `max_wait`. A success, or `forget_after` seconds
    without a failure, clears the count. Other clients (the real admin elsewhere) are never held back, and the
    wait is always short enough to come back to. In memory, per process; the oldest entries go first when
    `max_entries` is reached (filling the table costs an argon2 check per entry)."""

    free: int = 5
    max_wait: float = 300.0
    forget_after: float = 3600.0
    max_entries: int = 50_000
    clock: Callable[[], float] = time.monotonic
    failures: OrderedDict[tuple[str, str], _Failures] = field(default_factory=OrderedDict)

    def retry_after(self, key: tuple[str, str]) -> int:
        """Whole seconds until `key` may try again; 0 when it may now."""
        entry = self.failures.get(key)
        if entry is None:
            return 0
        now = self.clock()
        if now - entry.last > self.forget_after:
            del self.failures[key]
            return 0
        if entry.count < self.free:
            return 0
        wait = entry.last + min(2.0 ** (entry.count - self.free + 1), self.max_wait) - now
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, key: tuple[str, str]) -> None:
        entry = self.failures.pop(key, None) or _Failures(0, 0.0)
        entry.count += 1
        entry.last = self.clock()
        self.failures[key] = entry  # the most recent at the end
        while len(self.failures) > self.max_entries:
            self.failures.popitem(last=False)

    def succeeded(self, key: tuple[str, str]) -> None:
        self.failures.pop(key, None)


def throttle(request: Request) -> SignInThrottle:
    """The app's one throttle (made on first use)."""
    found: SignInThrottle | None = getattr(request.app.state, "sign_in_throttle", None)
    if found is None:
        found = SignInThrottle()
        request.app.state.sign_in_throttle = found
    return found


def trusted_proxies(request: Request) -> tuple[Network, ...]:
    found: tuple[Network, ...] | None = getattr(request.app.state, "trusted_proxies", None)
    if found is None:
        found = parse_networks(request.app.state.ctx.settings.trusted_proxies)
        request.app.state.trusted_proxies = found
    return found
