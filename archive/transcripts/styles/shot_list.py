"""stub"""

NAME = "shot_list"


def detect(lines):
    return False


def read(lines, file_name=None):
    raise NotImplementedError
