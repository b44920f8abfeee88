"""The outbound destination policy: where warroom may send a request on
someone's behalf.

People give warroom URLs to call (comms ``webhook:`` targets, webhook and
Slack contact methods, status-page subscriber webhooks, playbook ``http``
steps) and the operator gives it the SMS gateway. Left alone, any of them
could make the worker call an address that only the worker can reach: the
loopback interface, the private network, a cloud metadata service. So every
one of those destinations passes the same check, twice:

* when it is saved, on the URL as written (an IP literal in any spelling, a
  reserved name) and on what its name resolves to then, so a mistake is a
  clear 422 naming the field;
* when it is sent, on the addresses the name resolves to at that moment, and
  the connection is made to exactly the address that was checked, so a name
  that resolves to something else a second later (DNS rebinding) gains
  nothing.

Loopback, link-local, private, shared (CGNAT), reserved and metadata
addresses are refused unless ``WARROOM_OUTBOUND_ALLOW`` names them (a CIDR, an
address, a host name or ``*.domain``). Requests never follow redirects and do
not go through ``HTTP(S)_PROXY``: a proxy would resolve names itself, past
this check.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import socket
import ssl
from typing import TYPE_CHECKING, Annotated, Any

import httpcore
import httpx
from pydantic import field_validator
from pydantic_settings import NoDecode

from warroom.config import WarroomSettings
from warroom.errors import Invalid

if TYPE_CHECKING:
    from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
ALLOW_SETTING = "WARROOM_OUTBOUND_ALLOW"

METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean...
    "169.254.170.2",  # AWS ECS task metadata
    "fd00:ec2::254",  # AWS over IPv6
    "100.100.100.200",  # Alibaba Cloud
))
METADATA_NAMES = frozenset(("metadata", "metadata.google.internal", "metadata.goog",
                            "instance-data", "instance-data.ec2.internal"))
LOOPBACK_NAMES = frozenset(("localhost", "localhost.localdomain", "ip6-localhost",
                            "ip6-loopback"))
# Names that by definition only mean something inside one network (RFC 6761,
# RFC 6762, ICANN's .internal).
PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.I)


class OutboundSettings(WarroomSettings):
    outbound_allow: Annotated[list[str], NoDecode] = []
    """Destinations that are not public but may be called anyway: CIDRs
    (``10.20.0.0/16``), addresses, host names or ``*.domain``; comma- or
    line-separated, or a JSON list."""

    @field_validator("outbound_allow", mode="before")
    @classmethod
    def _entries(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]
        return value

    @field_validator("outbound_allow")
    @classmethod
    def _valid(cls, value: list[str]) -> list[str]:
        for entry in value:
            _network(entry)  # a malformed CIDR stops start-up with a sentence
        return [entry.strip().lower() for entry in value]


class DestinationRefused(Invalid):
    """A destination the policy does not allow; ``reason`` is a short code
    (loopback, link_local, private, metadata, not_public, scheme, ...)."""

    def __init__(self, detail: str, *, reason: str, field: str | None = None) -> None:
        extra: dict[str, Any] = {"field": field} if field else {}
        super().__init__(detail, reason=reason, **extra)
        self.reason = reason


def _network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """An allow-list entry as a network, or None when it is a host name."""
    text = entry.strip()
    if "/" not in text and not _looks_numeric(text):
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError(f"{ALLOW_SETTING}: {text!r} is neither a CIDR, an address nor "
                         "a host name") from None


def _looks_numeric(text: str) -> bool:
    return ":" in text or bool(re.fullmatch(r"[0-9./]+", text))


def _literal(host: str) -> IPAddress | None:
    """The address a host string stands for without DNS, in every spelling
    the resolver accepts (``127.1``, ``0x7f000001``, ``2130706433``)."""
    text = host.strip("[]")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(text):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def _embedded(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped, 6to4 or NAT64 IPv6 address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def address_refusal(address: IPAddress) -> tuple[str, str] | None:
    """(reason code, words) when ``address`` is not a public address."""
    address = _embedded(address)
    if address in METADATA_ADDRESSES:
        return "metadata", "a cloud metadata address"
    if address.is_loopback:
        return "loopback", "a loopback address"
    if address.is_link_local:
        return "link_local", "a link-local address"
    if address.is_private and not address.is_reserved and not address.is_unspecified:
        return "private", "a private address"
    if not address.is_global or address.is_multicast:
        return "not_public", "not a public address"
    return None


def name_refusal(host: str) -> tuple[str, str] | None:
    """(reason code, words) for names that only mean something locally."""
    name = host.lower().rstrip(".")
    if name in METADATA_NAMES:
        return "metadata", "a cloud metadata name"
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return "loopback", "a loopback name"
    if "." not in name or name.endswith(PRIVATE_SUFFIXES):
        return "private", "a name that only resolves inside a private network"
    return None


class Policy:
    """The allow-list, as networks and host names."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        self.names: list[str] = []
        for entry in entries:
            network = _network(entry)
            if network is None:
                self.names.append(entry.lower().rstrip("."))
            else:
                self.networks.append(network)

    def names_host(self, host: str) -> bool:
        name = host.lower().rstrip(".")
        return any(name == entry or (entry.startswith("*.") and name.endswith(entry[1:]))
                   for entry in self.names)

    def covers(self, address: IPAddress) -> bool:
        candidates = {address, _embedded(address)}
        return any(candidate.version == network.version and candidate in network
                   for candidate in candidates for network in self.networks)

    def literal_refusal(self, host: str) -> tuple[str, str] | None:
        """Why ``host``, an address however spelled, is refused; None for
        an allowed address or a name."""
        literal = _literal(host)
        if literal is None or self.names_host(host) or self.covers(literal):
            return None
        return address_refusal(literal)

    def resolved_refusal(self, addresses: Iterable[IPAddress]) -> tuple[str, str] | None:
        """Why one of the addresses a name resolved to is refused, or None."""
        for address in addresses:
            found = None if self.covers(address) else address_refusal(address)
            if found is not None:
                return found
        return None


def policy() -> Policy:
    return Policy(OutboundSettings.current().outbound_allow)


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL: what may be logged or shown about a
    destination whose path or query may hold a credential."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "(an unreadable URL)"
    if not parsed.host:
        return "(a URL without a host)"
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{host}{port}"


def sealed_label(url: str) -> str:
    """What is stored and shown in place of a URL that is itself a credential
    (a Slack incoming webhook): its origin and a short fingerprint, so two
    such URLs stay apart and a person can tell which one they saved."""
    fingerprint = hashlib.sha256(url.encode()).hexdigest()[:10]
    return f"{origin(url)}/… ({fingerprint})"


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to now (tests replace this to
    simulate a name that changes its answer)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0])
                              for info in found))


def _refused(what: str, words: str, reason: str, field: str | None) -> DestinationRefused:
    return DestinationRefused(
        f"{what} is {words}; warroom does not call such destinations unless "
        f"{ALLOW_SETTING} names them.", reason=reason, field=field)


def check_url(url: str, *, field: str) -> str:
    """Refuse, at save time, a URL the policy would refuse at send time.

    A reserved name (``localhost``, ``metadata.google.internal``, ``*.local``)
    is refused unless it is allow-listed or resolves only to allowed
    addresses. Any other name that cannot be resolved now is accepted: DNS may
    not be set up yet, and the check at send time still applies."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise DestinationRefused(f"{field}: this is not a URL.", reason="invalid",
                                 field=field) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise DestinationRefused(f"{field}: a destination must be an http:// or https:// "
                                 "URL with a host.", reason="scheme", field=field)
    current, host = policy(), parsed.host
    shown = f"{field} ({origin(url)})"
    refusal = current.literal_refusal(host)
    if refusal is not None:
        raise _refused(shown, refusal[1], refusal[0], field)
    if current.names_host(host) or _literal(host) is not None:
        return url
    try:
        addresses = resolve(host, parsed.port or 443)
    except (OSError, UnicodeError, ValueError):
        addresses = []
    refusal = current.resolved_refusal(addresses) if addresses else name_refusal(host)
    if refusal is not None:
        words = f"resolves to {refusal[1]}" if addresses else f"is {refusal[1]}"
        raise DestinationRefused(f"{shown} {words}; warroom does not call such destinations "
                                 f"unless {ALLOW_SETTING} names them.", reason=refusal[0],
                                 field=field)
    return url


def addresses_to_connect(host: str, port: int) -> list[str]:
    """At send time: the checked addresses to connect to, in order."""
    current = policy()
    refusal = current.literal_refusal(host)
    if refusal is not None:
        raise _refused(host, refusal[1], refusal[0], None)
    if _literal(host) is not None:
        return [str(_literal(host))]
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as failed:
        raise httpcore.ConnectError(f"{host} could not be resolved") from failed
    if not current.names_host(host):
        refusal = current.resolved_refusal(addresses)
        if refusal is not None:
            raise DestinationRefused(f"{host} resolves to {refusal[1]}; warroom does not "
                                     f"call such destinations unless {ALLOW_SETTING} names "
                                     "them.", reason=refusal[0])
    return [str(address) for address in addresses]


class _CheckedBackend(httpcore.NetworkBackend):
    """Connects only to addresses the policy allows, resolved here once, so
    the address checked is the address used."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        failure: httpcore.ConnectError | None = None
        for address in addresses_to_connect(host, port):
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address,
                                               socket_options)
            except httpcore.ConnectError as failed:
                failure = failed
        raise failure or httpcore.ConnectError(f"{host} has no address")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _CheckedTransport(httpx.HTTPTransport):
    def __init__(self, limits: httpx.Limits) -> None:
        super().__init__(trust_env=False, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(cafile=_certifi()),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, network_backend=_CheckedBackend())


def _certifi() -> str | None:
    try:
        import certifi
    except ImportError:  # pragma: no cover - httpx depends on it
        return None
    return certifi.where()


def failure_reason(failed: httpx.HTTPError) -> str:
    """A fixed sentence per kind of transport failure: the exception's own
    text may quote what the destination sent (a banner, a bad header)."""
    kind = type(failed).__name__
    if isinstance(failed, httpx.TimeoutException):
        return f"the destination did not answer in time ({kind})"
    if isinstance(failed, httpx.ConnectError):
        return f"could not connect to the destination ({kind})"
    if isinstance(failed, httpx.RemoteProtocolError | httpx.LocalProtocolError):
        return f"the destination did not answer in HTTP ({kind})"
    return f"the request failed ({kind})"


_shared: tuple[tuple[str, ...], httpx.Client] | None = None


def client() -> httpx.Client:
    """The pooled client every policy-checked request goes through
    (connections stay warm for fast pages). A new allow-list gets a new pool,
    so no kept-alive connection outlives the policy that let it open."""
    global _shared
    allow = tuple(OutboundSettings.current().outbound_allow)
    if _shared is None or _shared[0] != allow:
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        _shared = (allow, httpx.Client(transport=_CheckedTransport(limits),
                                       follow_redirects=False, trust_env=False))
    return _shared[1]
