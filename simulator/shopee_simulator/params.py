"""Reading Shopee's request parameters: ints, comma lists, repeated and [..] arrays."""

from .errors import param_error


def to_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def split(value):
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def array(call, name):
    """A GET array, sent repeated (``a=1&a=2``), comma-joined (``a=1,2``) or
    bracketed (``a=[1,2]``, ``a=[1 2]``: the doc's examples, §13.8)."""
    values = []
    for raw in call.lists.get(name, []):
        raw = raw.strip()
        if raw.startswith("[") and raw.endswith("]"):
            raw = raw[1:-1].replace(" ", ",").replace('"', "")
        values.extend(split(raw))
    return values


def int_array(call, name):
    numbers = [to_int(value) for value in array(call, name)]
    if any(number is None for number in numbers):
        raise param_error(f"{name} is invalid.")
    return list(dict.fromkeys(numbers))


def body_int(body, name, required=True):
    value = body.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or to_int(value) is None:
        raise param_error(f"{name} is invalid.")
    return int(value)
