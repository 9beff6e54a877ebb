"""The middle of three numbers (the classic example from the fault-localization literature).

One step is wrong; `stepcritic check examples/mid.py --run-code` runs the doctests and points at it.
"""


def mid(x, y, z):
    """
    >>> mid(3, 3, 5)
    3
    >>> mid(1, 2, 3)
    2
    >>> mid(3, 2, 1)
    2
    >>> mid(5, 5, 5)
    5
    >>> mid(5, 3, 4)
    4
    >>> mid(2, 1, 3)
    2
    """
    m = z
    if y < z:
        if x < y:
            m = y
        elif x < z:
            m = y
    else:
        if x > y:
            m = y
        elif x > z:
            m = x
    return m
