"""stub"""

NAME = "script"


def detect(lines):
    return False


def read(lines, file_name=None):
    raise NotImplementedError
