# Django's English formats are American (11/08/2026, 11:55 p.m.), which our European users read
# as 11 August. Day-month-year with the month's name cannot be misread, in any country.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
