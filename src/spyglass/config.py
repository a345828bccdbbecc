"""Settings: one frozen dataclass built from flags and the environment. Nothing else reads os.environ."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

# The shortest init secret accepted (SPYGLASS_INIT_SECRET_KEY): generated secrets have 36 random characters.
MIN_SECRET_CHARS = 16


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 3000
    data_dir: Path = Path(".spyglass")
    database_url: str | None = None
    # Langfuse's own body limit; a bigger request gets 413.
    max_body_bytes: int = 3_500_000
    # One input, output or metadata value larger than this is refused (never cut).
    max_value_bytes: int = 3_500_000
    # One media file (an image, audio, a document) the SDKs upload; a larger one is refused when announced.
    max_media_bytes: int = 100_000_000
    # Where media bytes go: the data dir's media/ folder (unset), or s3://bucket/prefix (docs/media.md).
    media_url: str | None = None
    max_queued_events: int = 100_000
    # How often `spyglass serve` deletes what is past each project's retention (0: never; `spyglass purge` still works).
    retention_interval_seconds: int = 3600
    max_group_events: int = 5_000
    sqlite_synchronous: str = "NORMAL"
    init_project_name: str = "default"
    init_public_key: str | None = None
    init_secret_key: str | None = None
    log_level: str = "info"
    # The first web UI admin; without a password one is generated and printed once by `spyglass serve`.
    init_user_email: str | None = None
    init_user_password: str | None = None
    # Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR blocks); none by default.
    trusted_proxies: tuple[str, ...] = ()

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'spyglass.db'}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def public_url(self) -> str:
        host = "localhost" if self.host in ("0.0.0.0", "127.0.0.1", "::") else self.host
        return f"http://{host}:{self.port}"

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from SPYGLASS_* variables (and Langfuse's LANGFUSE_INIT_* names for the first key pair)."""
    env = os.environ if env is None else env
    base = Settings()

    def num(name: str, default: int) -> int:
        raw = env.get(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise SystemExit(f"{name} must be an integer, got {raw!r}") from None

    proxies = tuple(p.strip() for p in env.get("SPYGLASS_TRUSTED_PROXIES", "").split(",") if p.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise SystemExit(f"SPYGLASS_TRUSTED_PROXIES: {proxy!r} is not an IP address or network") from None
    return Settings(
        host=env.get("SPYGLASS_HOST", base.host),
        port=num("SPYGLASS_PORT", base.port),
        data_dir=Path(env.get("SPYGLASS_DATA_DIR", str(base.data_dir))),
        database_url=env.get("SPYGLASS_DATABASE_URL") or None,
        max_body_bytes=num("SPYGLASS_MAX_BODY_BYTES", base.max_body_bytes),
        max_value_bytes=num("SPYGLASS_MAX_VALUE_BYTES", base.max_value_bytes),
        max_media_bytes=num("SPYGLASS_MAX_MEDIA_BYTES", base.max_media_bytes),
        media_url=_media_url(env.get("SPYGLASS_MEDIA_URL") or None),
        max_queued_events=num("SPYGLASS_MAX_QUEUED_EVENTS", base.max_queued_events),
        retention_interval_seconds=num("SPYGLASS_RETENTION_INTERVAL_SECONDS", base.retention_interval_seconds),
        max_group_events=num("SPYGLASS_MAX_GROUP_EVENTS", base.max_group_events),
        sqlite_synchronous=env.get("SPYGLASS_SQLITE_SYNCHRONOUS", base.sqlite_synchronous),
        init_project_name=env.get("SPYGLASS_INIT_PROJECT_NAME")
        or env.get("LANGFUSE_INIT_PROJECT_NAME")
        or base.init_project_name,
        init_public_key=env.get("SPYGLASS_INIT_PUBLIC_KEY") or env.get("LANGFUSE_INIT_PROJECT_PUBLIC_KEY"),
        init_secret_key=env.get("SPYGLASS_INIT_SECRET_KEY") or env.get("LANGFUSE_INIT_PROJECT_SECRET_KEY"),
        log_level=env.get("SPYGLASS_LOG_LEVEL", base.log_level),
        init_user_email=env.get("SPYGLASS_INIT_USER_EMAIL") or env.get("LANGFUSE_INIT_USER_EMAIL"),
        init_user_password=env.get("SPYGLASS_INIT_USER_PASSWORD") or env.get("LANGFUSE_INIT_USER_PASSWORD"),
        trusted_proxies=proxies,
    )


def _media_url(value: str | None) -> str | None:
    if value is not None and not (value.startswith("s3://") and len(value) > len("s3://")):
        raise SystemExit(f"SPYGLASS_MEDIA_URL must be s3://bucket/prefix (or unset for the data dir), got {value!r}")
    return value
