"""The one way the project writes CSV: every cell goes through ``safe_cell``, so a spreadsheet opening the file
never runs a value someone typed (a client named ``=HYPERLINK(...)``, say) as a formula.

Views answer with ``csv_response`` and write rows through the writer it returns; nothing else in the project
imports ``csv`` to write (``tests/test_csv_exports.py`` checks both, and downloads every CSV endpoint with a
formula in its data).
"""

import csv
from decimal import Decimal

from django.http import HttpResponse

# OWASP's rule for CSV injection: a cell starting with one of these is read as a formula (tab and carriage return
# because some spreadsheets skip them before looking at the first character).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """``value`` as text a spreadsheet shows as text: one starting like a formula gets a leading single quote.
    Numbers are written as they are (a negative number is a number, not a formula)."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class SafeWriter:
    """A ``csv.writer`` whose every cell is passed through ``safe_cell``."""

    def __init__(self, stream):
        self._writer = csv.writer(stream)

    def writerow(self, row) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream) -> SafeWriter:
    return SafeWriter(stream)


def csv_response(filename: str, *, for_spreadsheets: bool = True) -> tuple[HttpResponse, SafeWriter]:
    """A CSV download named ``filename`` and the writer for its rows. ``for_spreadsheets`` starts the file with a
    byte-order mark, so spreadsheet programs read it as UTF-8; leave it out for files meant for programs."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if for_spreadsheets:
        response.write("\ufeff")
    return response, csv_writer(response)
