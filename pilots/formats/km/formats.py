# "19 ខែមីនា ឆ្នាំ 2026": the month's name comes from our catalogue (មីនា, where Django's has មិនា).
# Numbers use Western digits everywhere on our pages (dates, times, seats, phone numbers, codes), the
# digits every Cambodian phone keyboard types, so that one page never mixes two digit systems.
DATE_FORMAT = "j ខែF ឆ្នាំ Y"
DATETIME_FORMAT = "j ខែF ឆ្នាំ Y ម៉ោង H:i"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
