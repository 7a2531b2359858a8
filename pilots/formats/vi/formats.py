# "ngày" is not capitalised inside a sentence ("Từ ngày 19 tháng 3 năm 2026 đến ngày 21 ..."), and
# the day has no leading zero. Django's own: "Ngày 19 tháng 3 năm 2026".
DATE_FORMAT = r"\n\gà\y j \t\há\n\g n \nă\m Y"
DATETIME_FORMAT = r"H:i, \n\gà\y j \t\há\n\g n \nă\m Y"
