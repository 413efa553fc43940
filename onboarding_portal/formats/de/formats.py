# German as our German-speaking users write it: "8. Nov. 2026" (N gives Django's German abbreviations:
# "Nov.", "März", "Sept."), 24-hour times. Django's own German formats are numeric (08.11.2026); the month's
# name keeps dates unambiguous next to the English pages.
DATE_FORMAT = "j. N Y"
SHORT_DATE_FORMAT = "j. N Y"
DATETIME_FORMAT = "j. N Y, H:i"
SHORT_DATETIME_FORMAT = "j. N Y, H:i"
TIME_FORMAT = "H:i"
# ISO first: our date fields are <input type="date">, which shows nothing unless the value is ISO, and Django
# renders a field's value in the first input format (Django's German default, 08.11.2026, would blank them).
# Typed German dates are still accepted.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"]
