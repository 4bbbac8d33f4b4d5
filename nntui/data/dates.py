"""Dates written as people write them, to translate into ISO 8601: a seq2seq task.

"12 March 1998", "Thursday, March 12, 1998", "12/03/1998", "mar 12 1998" ... →
"1998-03-12". Every sample is a distinct day between 1900 and 2099 in one of
:data:`FORMATS`; held-out days never occur in training, in any format.

Layout (one character per token, one vocabulary for both sides):
    x: ``(N, S + T)`` ids: the source padded with "_" to S characters, then the
       decoder's input "^" + the first T − 1 target characters (teacher forcing);
    y: ``(N, T)`` ids: the T = 10 target characters.
``meta``: ``vocab``, ``stoi``, ``source_length`` S, ``target_length`` T, ``start``
("^") and ``pad`` ("_") ids, and the held-out ``sources`` / ``targets`` as text.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from nntui.data.dataset import Dataset, check_fraction, make_rng, sample_count

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FORMATS = (
    "{d} {Month} {Y}",            # 12 March 1998
    "{Month} {d}, {Y}",           # March 12, 1998
    "{d} {Mon} {Y}",              # 12 Mar 1998
    "{Day}, {Month} {d}, {Y}",    # Thursday, March 12, 1998
    "{Day} {d} {Month} {Y}",      # Thursday 12 March 1998
    "{dd}/{mm}/{Y}",              # 12/03/1998
    "{dd}.{mm}.{Y}",              # 12.03.1998
    "{mon} {d} {Y}",              # mar 12 1998
    "{d} {month} {Y}",            # 12 march 1998
    "{Y} {Month} {d}",            # 1998 March 12
)
START, PAD = "^", "_"
SOURCE_LENGTH = 30  # the longest: "Wednesday, September 30, 1998" (29)
TARGET_LENGTH = 10  # YYYY-MM-DD
FIRST, LAST = dt.date(1900, 1, 1), dt.date(2099, 12, 31)


def human(day: dt.date, fmt: str) -> str:
    """``day`` written in format ``fmt`` (one of :data:`FORMATS`)."""
    month = MONTHS[day.month - 1]
    return fmt.format(d=day.day, dd=f"{day.day:02d}", mm=f"{day.month:02d}", Y=day.year,
                      Month=month, month=month.lower(), Mon=month[:3], mon=month[:3].lower(),
                      Day=DAYS[day.weekday()])


def vocabulary() -> tuple[str, ...]:
    """Every character a source or target can hold, with "^" and "_" (sorted)."""
    chars = set(START + PAD + "0123456789-/.,  ")
    for name in MONTHS + DAYS:
        chars |= set(name) | set(name.lower())
    return tuple(sorted(chars))


def encode_pairs(sources: list[str], targets: list[str], stoi: dict[str, int]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``x (N, S + T)`` (padded source, then "^" + target[:-1]) and ``y (N, T)`` ids."""
    xs = [s.ljust(SOURCE_LENGTH, PAD) + START + t[:-1] for s, t in zip(sources, targets,
                                                                         strict=True)]
    x = np.array([[stoi[c] for c in row] for row in xs], dtype=np.int64)
    y = np.array([[stoi[c] for c in t] for t in targets], dtype=np.int64)
    return x, y


def load_dates(*, seed: int = 0, n_samples: int | None = None, test_fraction: float = 0.2
               ) -> Dataset:
    """Human-written dates → ISO dates (see the module docstring).

    Args:
        seed: random seed (which days, which formats, the split).
        n_samples: distinct days (default 12,000; at most the 73,049 days of 1900-2099).
        test_fraction: share of the days held out.

    Raises:
        DatasetError: bad counts or fraction.
    """
    rng = make_rng(seed)
    span = (LAST - FIRST).days + 1
    n = sample_count(n_samples, 12_000, 2)
    n = min(n, span)
    days = [FIRST + dt.timedelta(days=int(k)) for k in rng.choice(span, size=n, replace=False)]
    fmts = rng.integers(0, len(FORMATS), n)
    sources = [human(day, FORMATS[f]) for day, f in zip(days, fmts, strict=True)]
    targets = [day.isoformat() for day in days]
    vocab = vocabulary()
    stoi = {c: i for i, c in enumerate(vocab)}
    x, y = encode_pairs(sources, targets, stoi)
    cut = n - max(1, int(round(n * check_fraction("test_fraction", test_fraction))))
    meta = {"vocab": vocab, "stoi": stoi, "source_length": SOURCE_LENGTH,
            "target_length": TARGET_LENGTH, "start": stoi[START], "pad": stoi[PAD],
            "sources": sources[cut:], "targets": targets[cut:]}
    return Dataset("dates", x[:cut], y[:cut], x[cut:], y[cut:], "translation", len(vocab),
                   None, (SOURCE_LENGTH + TARGET_LENGTH,),
                   "dates as people write them -> ISO 8601 (1998-03-12)", meta)
