# Polish as Polish users write it: "8 lis 2026" (N would give Django's Polish abbreviations with a dot; "j E Y"
# gives the genitive month, "8 listopada 2026", for the long form), 24-hour times, decimal comma and a space
# between thousands. The month's name keeps dates unambiguous next to the English and German pages.
DATE_FORMAT = "j E Y"
SHORT_DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"
SHORT_DATETIME_FORMAT = "j E Y, H:i"
TIME_FORMAT = "H:i"
# ISO first: our date fields are <input type="date">, which shows nothing unless the value is ISO, and Django
# renders a field's value in the first input format. Typed Polish dates (08.11.2026) are still accepted.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"]
DECIMAL_SEPARATOR = ","
# A no-break space, so "1 234,50" never wraps between its digits.
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
