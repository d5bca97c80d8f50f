"""The `package` style: a TV news package as CGTN writes it (the seed's style).

`NAME, TITLE "..."` sound bites, `NAME PLACE "..."` stand-ups, an intro that names
the correspondent and a sign-off `Name, CGTN, Place.`. Any file no other style
claims is read as a package.
"""

from ..paragraphs import text_paragraphs
from ..reader import CueReader

NAME = "package"


def detect(lines: list[tuple[int, str]]) -> bool:
    return True


def read(lines: list[tuple[int, str]], file_name: str | None = None):
    return CueReader(*text_paragraphs(lines)).read()
