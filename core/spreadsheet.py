"""CSV cells that a spreadsheet shows as text and never runs (used by every CSV export)."""

# A spreadsheet opening a CSV file runs a cell that starts with one of these as a formula
# (=HYPERLINK(…), =cmd|…, +…, -…, @SUM(…); tab and carriage return can hide the sign). OWASP's
# rule: start such a cell with a single quote, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet runs: a leading ``'`` before a formula start.

    Applied to every text cell, negative numbers in text included (``-5`` becomes ``'-5``,
    which spreadsheets show as the text -5); JSONL exports keep every value as it is.
    """
    return "'" + value if value.startswith(FORMULA_STARTS) else value
