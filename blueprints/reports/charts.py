"""Charts drawn on the server as SVG shapes: each chart is computed here as boxes and words in a 360-wide
picture (a phone's width), and drawn by templates/reports/_charts.html. Right-to-left languages get the
picture mirrored: time runs from the right, bars grow leftwards. Every chart has its numbers in a table
beside it; the picture itself is hidden from screen readers.

A hidden count ("<5") is drawn as a dashed outline as high as 4 could be, whatever it really is."""

import math
from dataclasses import dataclass, field

WIDTH = 360
PAD = 8
SMALLEST_LABEL = 34  # px a month's name needs; fewer names when the bars are narrower
HIDDEN_AS = 4  # the height a hidden count is drawn at: the most it can be


@dataclass
class Box:
    x: float
    y: float
    width: float
    height: float
    shown: str  # the number as the table shows it
    hidden: bool = False


@dataclass
class Words:
    x: float
    y: float
    text: str
    anchor: str = "middle"  # "start", "middle" or "end", in the picture's direction


@dataclass
class Chart:
    height: float
    rtl: bool
    boxes: list = field(default_factory=list)
    words: list = field(default_factory=list)
    lines: list = field(default_factory=list)  # (x1, y1, x2, y2)

    width: float = WIDTH


def number(shown):
    """The height a shown count is drawn at: its value, or HIDDEN_AS for "<5"."""
    return HIDDEN_AS if shown == "<5" else (shown or 0)


def mirrored(x, width, rtl):
    """Where a box from x to x + width lands: the same in LTR, reflected across the picture in RTL."""
    return WIDTH - x - width if rtl else x


def columns(items, rtl, height=150):
    """Vertical bars, one per item (label, shown count), in order from the start side: months."""
    chart = Chart(height=height + 34, rtl=rtl)
    if not items:
        return chart
    top = max(5, *(number(shown) for _, shown in items))
    slot = (WIDTH - 2 * PAD) / len(items)
    bar = max(2.0, slot * 0.7)
    every = math.ceil(SMALLEST_LABEL / slot)
    base = height + 4
    chart.lines.append((PAD, base, WIDTH - PAD, base))
    for i, (label, shown) in enumerate(items):
        tall = (height - 16) * number(shown) / top
        x = mirrored(PAD + i * slot + (slot - bar) / 2, bar, rtl)
        chart.boxes.append(Box(x, base - tall, bar, tall, str(shown), hidden=shown == "<5"))
        if slot >= 16:
            chart.words.append(Words(x + bar / 2, base - tall - 3, str(shown)))
        if i % every == 0:
            chart.words.append(Words(x + bar / 2, base + 16, label))
    return chart


def bars(items, rtl, maximum=None):
    """Horizontal bars, one per item (label, shown count), each with its label above it: the way to work."""
    row = 38
    chart = Chart(height=row * len(items) + 4, rtl=rtl)
    top = max(5, maximum or 0, *(number(shown) for _, shown in items)) if items else 5
    start = WIDTH - PAD if rtl else PAD
    for i, (label, shown) in enumerate(items):
        y = i * row
        chart.words.append(Words(start, y + 13, label, "start"))
        long = max(1.0, (WIDTH - 2 * PAD - 44) * number(shown) / top)
        x = mirrored(PAD, long, rtl)
        chart.boxes.append(Box(x, y + 18, long, 14, str(shown), hidden=shown == "<5"))
        after = x - 4 if rtl else x + long + 4
        chart.words.append(Words(after, y + 30, str(shown), "start"))
    return chart


def changes(items, rtl, reach=4):
    """Bars from a middle line, one per item (label, change from -reach to reach, shown text): the average
    change on each aim. Better is towards the end side (right in LTR, left in RTL)."""
    row = 38
    chart = Chart(height=row * len(items) + 4, rtl=rtl)
    middle = WIDTH / 2
    half = WIDTH / 2 - PAD - 36
    start = WIDTH - PAD if rtl else PAD
    chart.lines.append((middle, 16, middle, row * len(items)))
    for i, (label, change, shown) in enumerate(items):
        y = i * row
        chart.words.append(Words(start, y + 13, label, "start"))
        if change is None:
            chart.words.append(Words(middle, y + 30, shown))
            continue
        long = max(1.0, half * min(abs(change), reach) / reach)
        forward = (change >= 0) != rtl  # drawn to the right
        x = middle if forward else middle - long
        chart.boxes.append(Box(x, y + 18, long, 14, shown))
        after = x + long + 4 if forward else x - 4
        # The number sits past the bar's end, on the side it grows to.
        chart.words.append(Words(after, y + 30, shown, "start" if forward != rtl else "end"))
    return chart
