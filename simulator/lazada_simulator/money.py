"""Money in satang (ints) inside, and in the mixed shapes Lazada answers with.

The order's ``price`` is a string with a thousands separator (``"1,152.00"``);
every other amount is a JSON number: an int when whole (``0``, ``30``), else a
float (``137.8``). Sums are taken in satang so that they add up exactly.
"""


def satang(value):
    """Satang of a number or numeric string (``"1,152.00"`` too); 0 for None/""."""
    if value is None or value == "":
        return 0
    if isinstance(value, str):
        value = value.replace(",", "")
    return int(round(float(value) * 100))


def number(amount):
    """A JSON number of baht for ``amount`` satang."""
    if amount % 100 == 0:
        return amount // 100
    return round(amount / 100, 2)


def price_string(amount):
    """``"1,152.00"``: baht with a thousands separator and two decimals."""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    return f"{sign}{amount // 100:,}.{amount % 100:02d}"


def split(total, weights):
    """``total`` shared in proportion to ``weights`` (largest remainders).

    The parts add up to ``total`` exactly; all-zero weights share evenly.
    """
    count = len(weights)
    if not count:
        return []
    if not any(weights):
        weights = [1] * count
    whole = sum(weights)
    shares = [total * weight // whole for weight in weights]
    left = total - sum(shares)
    order = sorted(range(count), key=lambda i: (-(total * weights[i] % whole), i))
    for index in order[:left]:
        shares[index] += 1
    return shares
