# Buddhist Era years are added by pilots.i18n.dates (Django's format has no BE year); the day and
# month as Thai documents write them: "19 มีนาคม 2569".
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i น."
SHORT_DATE_FORMAT = "j M Y"
