"""The recording a report links to: audio, video, or a page that plays it."""

from datetime import date, datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from ..citations import format_offset

AUDIO_EXTENSIONS = {".mp3", ".m4a", ".aac", ".wav", ".oga", ".ogg", ".opus", ".flac", ".weba"}
VIDEO_EXTENSIONS = {".mp4", ".m4v", ".webm", ".ogv", ".mov"}


def media_kind(url: str, *, site_host: str = "") -> str | None:
    """ "audio" or "video" for a media file the page may embed; None for anything else.

    The site's Content-Security-Policy lets the page load media from itself and
    over https only, so an http file elsewhere is linked, not embedded.
    """
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.netloc == site_host):
        return None
    extension = PurePosixPath(parts.path).suffix.lower()
    if extension in AUDIO_EXTENSIONS:
        return "audio"
    if extension in VIDEO_EXTENSIONS:
        return "video"
    return None


def fragment_seconds(seconds: float) -> str:
    """Seconds as a media fragment wants them: `102`, `102.5` (no trailing zeros)."""
    return f"{round(seconds, 3):.3f}".rstrip("0").rstrip(".")


def at_time(media_url: str, seconds: float) -> str:
    """The recording from `seconds` on (a W3C media fragment, `#t=102.5`)."""
    return f"{media_url.split('#', 1)[0]}#t={fragment_seconds(seconds)}"


def timecode_label(seconds: float) -> str:
    """How a reader sees a time in the broadcast: `1:42`, `1:02:03`."""
    return format_offset(seconds)


def iso_duration(seconds: float) -> str:
    """`PT1M42.5S` (ISO 8601), as schema.org's startOffset and HTML's <time> take it."""
    total = round(seconds, 3)
    hours, rest = divmod(int(total), 3600)
    minutes = rest // 60
    secs = fragment_seconds(total - hours * 3600 - minutes * 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def aired_iso(aired_at: date | datetime | None) -> str:
    """The air date as ISO 8601, as precise as it is known: no time or zone is invented."""
    if aired_at is None:
        return ""
    if isinstance(aired_at, datetime):
        return aired_at.isoformat(timespec="minutes")
    return aired_at.isoformat()
