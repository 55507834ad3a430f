# United Nations style: 18 March 2022.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
