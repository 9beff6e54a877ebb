"""Greatest common divisor by Euclid's algorithm. Its tests are in test_gcd.py beside it."""


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a
