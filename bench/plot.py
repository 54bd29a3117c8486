"""The growth plot of the README: pull time and stock pass time against the
number of records (1k / 10k / 50k), with the line a linear cost would follow."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _series(points):
    ordered = sorted(points, key=lambda point: point[0])
    return [p[0] for p in ordered], [p[1] for p in ordered]


def plot(results, path):
    growth = results.get("growth_pull", {}).values()
    pull = _series((value["orders"], value["seconds"]) for value in growth)
    chunks = _series(
        (value["orders"], value["seconds"] - value.get("listing_seconds", 0.0))
        for value in growth
    )
    stock = _series(
        (value["products"], value["seconds"][0])
        for value in results.get("stock", {}).get("compute", {}).values()
    )
    figure, axes = plt.subplots(1, 2, figsize=(10, 4), dpi=110)
    panels = (
        (axes[0], pull, "Pull of orders (job runner)", "orders", chunks),
        (axes[1], stock, "Stock pass: quantities computed", "bound products", None),
    )
    for axis, (sizes, seconds), title, unit, extra in panels:
        if not sizes:
            axis.set_visible(False)
            continue
        axis.plot(sizes, seconds, "o-", color="#2a6fdb", label="measured")
        if extra and extra[0]:
            axis.plot(
                extra[0],
                extra[1],
                "s:",
                color="#e07b39",
                label="without the listing step",
            )
        # Linear from the middle point: what a constant cost per record gives.
        middle = len(sizes) // 2
        per_record = seconds[middle] / sizes[middle]
        axis.plot(
            sizes,
            [size * per_record for size in sizes],
            "--",
            color="#999999",
            label="linear",
        )
        for size, value in zip(sizes, seconds, strict=True):
            axis.annotate(
                f"{value:.1f} s" if value >= 1 else f"{value:.2f} s",
                (size, value),
                textcoords="offset points",
                xytext=(6, -12),
                fontsize=8,
            )
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_title(title)
        axis.set_xlabel(unit)
        axis.set_ylabel("seconds")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(loc="upper left")
    machine = results.get("machine", {})
    figure.suptitle(
        f"make bench, {machine.get('nproc', '?')} cores ({machine.get('cpu', '?')}), "
        f"{machine.get('date', '')}",
        fontsize=9,
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
