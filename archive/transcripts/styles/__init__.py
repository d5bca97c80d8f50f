"""House styles: how each broadcaster or agency writes a transcript, one module each.

A style module has a `NAME` (the parse JSON's "style"), `detect(lines)`, which says
whether the file's numbered lines are written in it, and `read(lines, file_name)`,
which returns the Parse. `detect` picks the first style in STYLES that claims the
file; `package`, the seed's own style, takes whatever no other style claims. To add
a style: write its module, put it in STYLES before the ones it must win over, and add
its examples to tests/transcripts/<style>/.
"""

from . import captions, name_colon, package, script, shot_list

STYLES = (captions, script, shot_list, name_colon, package)


def detect(lines: list[tuple[int, str]]):
    """The style module that reads these lines."""
    return next(style for style in STYLES if style.detect(lines))
