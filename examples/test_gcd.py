from gcd import gcd


def test_coprime():
    assert gcd(35, 12) == 1


def test_common_factor():
    assert gcd(84, 36) == 12


def test_zero():
    assert gcd(7, 0) == 7
