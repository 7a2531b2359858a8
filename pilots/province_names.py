"""Province names as people write them, and the one rule that matches a typed name to a province.

pycountry's ISO 3166-2 names are romanisations ("Baat Dambang", "Krung Thep Maha Nakhon") that few
Cambodian or Thai teachers would look for, and its Khmer and Thai translations are nearly empty.
Here, keyed by ISO 3166-2 code: the names in each country's own script (NATIVE_NAMES), the names
people write in Latin letters (COMMON_NAMES: what pages show, "Battambang", "Siem Reap", "Bangkok"),
the other spellings met in spreadsheets (OTHER_NAMES: older romanisations, English, short forms),
and Vietnam's 2025 merger of 63 units into 34 (VN_SUCCESSORS). The registration lists, the
reference data and the import all read these tables; `ProvinceMatcher` is the matching rule.
"""

import datetime as dt

import pycountry

from pilots.choices import Country
from pilots.textmatch import closest, fold

NATIVE_NAMES = {
    # Cambodia: 24 provinces and the capital
    "KH-1": "បន្ទាយមានជ័យ",
    "KH-2": "បាត់ដំបង",
    "KH-3": "កំពង់ចាម",
    "KH-4": "កំពង់ឆ្នាំង",
    "KH-5": "កំពង់ស្ពឺ",
    "KH-6": "កំពង់ធំ",
    "KH-7": "កំពត",
    "KH-8": "កណ្តាល",
    "KH-9": "កោះកុង",
    "KH-10": "ក្រចេះ",
    "KH-11": "មណ្ឌលគិរី",
    "KH-12": "រាជធានីភ្នំពេញ",
    "KH-13": "ព្រះវិហារ",
    "KH-14": "ព្រៃវែង",
    "KH-15": "ពោធិ៍សាត់",
    "KH-16": "រតនគិរី",
    "KH-17": "សៀមរាប",
    "KH-18": "ព្រះសីហនុ",
    "KH-19": "ស្ទឹងត្រែង",
    "KH-20": "ស្វាយរៀង",
    "KH-21": "តាកែវ",
    "KH-22": "ឧត្តរមានជ័យ",
    "KH-23": "កែប",
    "KH-24": "ប៉ៃលិន",
    "KH-25": "ត្បូងឃ្មុំ",
    # Thailand: Bangkok and 76 provinces (and Pattaya, a special city, where the data has it)
    "TH-10": "กรุงเทพมหานคร",
    "TH-11": "สมุทรปราการ",
    "TH-12": "นนทบุรี",
    "TH-13": "ปทุมธานี",
    "TH-14": "พระนครศรีอยุธยา",
    "TH-15": "อ่างทอง",
    "TH-16": "ลพบุรี",
    "TH-17": "สิงห์บุรี",
    "TH-18": "ชัยนาท",
    "TH-19": "สระบุรี",
    "TH-20": "ชลบุรี",
    "TH-21": "ระยอง",
    "TH-22": "จันทบุรี",
    "TH-23": "ตราด",
    "TH-24": "ฉะเชิงเทรา",
    "TH-25": "ปราจีนบุรี",
    "TH-26": "นครนายก",
    "TH-27": "สระแก้ว",
    "TH-30": "นครราชสีมา",
    "TH-31": "บุรีรัมย์",
    "TH-32": "สุรินทร์",
    "TH-33": "ศรีสะเกษ",
    "TH-34": "อุบลราชธานี",
    "TH-35": "ยโสธร",
    "TH-36": "ชัยภูมิ",
    "TH-37": "อำนาจเจริญ",
    "TH-38": "บึงกาฬ",
    "TH-39": "หนองบัวลำภู",
    "TH-40": "ขอนแก่น",
    "TH-41": "อุดรธานี",
    "TH-42": "เลย",
    "TH-43": "หนองคาย",
    "TH-44": "มหาสารคาม",
    "TH-45": "ร้อยเอ็ด",
    "TH-46": "กาฬสินธุ์",
    "TH-47": "สกลนคร",
    "TH-48": "นครพนม",
    "TH-49": "มุกดาหาร",
    "TH-50": "เชียงใหม่",
    "TH-51": "ลำพูน",
    "TH-52": "ลำปาง",
    "TH-53": "อุตรดิตถ์",
    "TH-54": "แพร่",
    "TH-55": "น่าน",
    "TH-56": "พะเยา",
    "TH-57": "เชียงราย",
    "TH-58": "แม่ฮ่องสอน",
    "TH-60": "นครสวรรค์",
    "TH-61": "อุทัยธานี",
    "TH-62": "กำแพงเพชร",
    "TH-63": "ตาก",
    "TH-64": "สุโขทัย",
    "TH-65": "พิษณุโลก",
    "TH-66": "พิจิตร",
    "TH-67": "เพชรบูรณ์",
    "TH-70": "ราชบุรี",
    "TH-71": "กาญจนบุรี",
    "TH-72": "สุพรรณบุรี",
    "TH-73": "นครปฐม",
    "TH-74": "สมุทรสาคร",
    "TH-75": "สมุทรสงคราม",
    "TH-76": "เพชรบุรี",
    "TH-77": "ประจวบคีรีขันธ์",
    "TH-80": "นครศรีธรรมราช",
    "TH-81": "กระบี่",
    "TH-82": "พังงา",
    "TH-83": "ภูเก็ต",
    "TH-84": "สุราษฎร์ธานี",
    "TH-85": "ระนอง",
    "TH-86": "ชุมพร",
    "TH-90": "สงขลา",
    "TH-91": "สตูล",
    "TH-92": "ตรัง",
    "TH-93": "พัทลุง",
    "TH-94": "ปัตตานี",
    "TH-95": "ยะลา",
    "TH-96": "นราธิวาส",
    "TH-S": "เมืองพัทยา",
}


# Cambodia and Thailand in the spelling of road signs, maps and ministries; Vietnam in Vietnamese.
COMMON_NAMES = {
    "KH-1": "Banteay Meanchey", "KH-2": "Battambang", "KH-3": "Kampong Cham",
    "KH-4": "Kampong Chhnang", "KH-5": "Kampong Speu", "KH-6": "Kampong Thom", "KH-7": "Kampot",
    "KH-8": "Kandal", "KH-9": "Koh Kong", "KH-10": "Kratie", "KH-11": "Mondulkiri",
    "KH-12": "Phnom Penh", "KH-13": "Preah Vihear", "KH-14": "Prey Veng", "KH-15": "Pursat",
    "KH-16": "Ratanakiri", "KH-17": "Siem Reap", "KH-18": "Preah Sihanouk", "KH-19": "Stung Treng",
    "KH-20": "Svay Rieng", "KH-21": "Takeo", "KH-22": "Oddar Meanchey", "KH-23": "Kep",
    "KH-24": "Pailin", "KH-25": "Tbong Khmum",
    "TH-10": "Bangkok", "TH-11": "Samut Prakan", "TH-12": "Nonthaburi", "TH-13": "Pathum Thani",
    "TH-14": "Phra Nakhon Si Ayutthaya", "TH-15": "Ang Thong", "TH-16": "Lopburi",
    "TH-17": "Sing Buri", "TH-18": "Chai Nat", "TH-19": "Saraburi", "TH-20": "Chonburi",
    "TH-21": "Rayong", "TH-22": "Chanthaburi", "TH-23": "Trat", "TH-24": "Chachoengsao",
    "TH-25": "Prachinburi", "TH-26": "Nakhon Nayok", "TH-27": "Sa Kaeo",
    "TH-30": "Nakhon Ratchasima", "TH-31": "Buriram", "TH-32": "Surin", "TH-33": "Sisaket",
    "TH-34": "Ubon Ratchathani", "TH-35": "Yasothon", "TH-36": "Chaiyaphum",
    "TH-37": "Amnat Charoen", "TH-38": "Bueng Kan", "TH-39": "Nong Bua Lamphu",
    "TH-40": "Khon Kaen", "TH-41": "Udon Thani", "TH-42": "Loei", "TH-43": "Nong Khai",
    "TH-44": "Maha Sarakham", "TH-45": "Roi Et", "TH-46": "Kalasin", "TH-47": "Sakon Nakhon",
    "TH-48": "Nakhon Phanom", "TH-49": "Mukdahan", "TH-50": "Chiang Mai", "TH-51": "Lamphun",
    "TH-52": "Lampang", "TH-53": "Uttaradit", "TH-54": "Phrae", "TH-55": "Nan", "TH-56": "Phayao",
    "TH-57": "Chiang Rai", "TH-58": "Mae Hong Son", "TH-60": "Nakhon Sawan",
    "TH-61": "Uthai Thani", "TH-62": "Kamphaeng Phet", "TH-63": "Tak", "TH-64": "Sukhothai",
    "TH-65": "Phitsanulok", "TH-66": "Phichit", "TH-67": "Phetchabun", "TH-70": "Ratchaburi",
    "TH-71": "Kanchanaburi", "TH-72": "Suphanburi", "TH-73": "Nakhon Pathom",
    "TH-74": "Samut Sakhon", "TH-75": "Samut Songkhram", "TH-76": "Phetchaburi",
    "TH-77": "Prachuap Khiri Khan", "TH-80": "Nakhon Si Thammarat", "TH-81": "Krabi",
    "TH-82": "Phang Nga", "TH-83": "Phuket", "TH-84": "Surat Thani", "TH-85": "Ranong",
    "TH-86": "Chumphon", "TH-90": "Songkhla", "TH-91": "Satun", "TH-92": "Trang",
    "TH-93": "Phatthalung", "TH-94": "Pattani", "TH-95": "Yala", "TH-96": "Narathiwat",
    # pycountry misspells Kiên Giang; Thừa Thiên Huế became the city of Huế on 1 January 2025.
    "VN-47": "Kiên Giang", "VN-26": "Huế", "VN-43": "Bà Rịa–Vũng Tàu", "VN-SG": "Hồ Chí Minh",
}

# Other spellings met in spreadsheets (the ISO romanisation and the native name match too).
OTHER_NAMES = {
    "KH-1": ["Banteay Mean Chey", "Banteay Meanchay"], "KH-2": ["Batdambang", "Battambong"],
    "KH-3": ["Kompong Cham"], "KH-4": ["Kompong Chhnang"], "KH-5": ["Kompong Speu", "Kampong Spoe"],
    "KH-6": ["Kompong Thom"], "KH-8": ["Kandaal"], "KH-9": ["Kaoh Kong", "Koh Kong Province"],
    "KH-10": ["Kracheh", "Kratié"], "KH-11": ["Mondul Kiri", "Mondol Kiri", "Mondolkiri"],
    "KH-12": ["Phnum Penh", "ភ្នំពេញ", "Phnom Penh Capital"], "KH-14": ["Prey Veaeng"],
    "KH-15": ["Pouthisat", "Pousat"], "KH-16": ["Ratanak Kiri", "Rattanakiri", "Rotanokiri"],
    "KH-17": ["Siemreap", "Siem Riep"],
    "KH-18": ["Sihanoukville", "Kampong Som", "Kompong Som", "Krong Preah Sihanouk", "Sihanouk"],
    "KH-19": ["Stoeng Treng", "Steung Treng"], "KH-20": ["Svay Rieng"], "KH-21": ["Takev", "Takéo"],
    "KH-22": ["Otdar Meanchey", "Oddar Mean Chey", "Otdar Mean Chey"],
    "KH-23": ["Krong Kep", "Kaeb", "Kep City"], "KH-24": ["Krong Pailin"],
    "KH-25": ["Tboung Khmum", "Tbaung Khmum"],
    "TH-10": ["Krung Thep", "Krung Thep Mahanakhon", "Bangkok Metropolis", "กรุงเทพฯ", "กรุงเทพ", "กทม"],
    "TH-14": ["Ayutthaya", "Ayudhya", "อยุธยา"], "TH-16": ["Lop Buri"], "TH-20": ["Chon Buri"],
    "TH-25": ["Prachin Buri"], "TH-30": ["Korat", "Khorat", "โคราช"], "TH-31": ["Buri Ram"],
    "TH-33": ["Si Sa Ket", "Srisaket"], "TH-39": ["Nong Bua Lam Phu"], "TH-72": ["Suphan Buri"],
    "TH-82": ["Phangnga"], "TH-76": ["Phet Buri"], "TH-80": ["Nakhon Si Thammarat"],
    "VN-HN": ["Hanoi", "Ha Noi", "TP Hà Nội", "Thành phố Hà Nội"],
    "VN-SG": ["Ho Chi Minh City", "Hồ Chí Minh City", "HCMC", "TP HCM", "TP.HCM", "TPHCM",
              "Thành phố Hồ Chí Minh", "Saigon", "Sài Gòn"],
    "VN-HP": ["Haiphong"], "VN-DN": ["Danang"], "VN-CT": ["Cantho"],
    "VN-26": ["Thừa Thiên Huế", "Thừa Thiên-Huế", "Hue", "Thua Thien Hue"],
    "VN-43": ["Bà Rịa - Vũng Tàu", "Ba Ria Vung Tau", "Vũng Tàu"], "VN-47": ["Kiến Giang"],
    "VN-33": ["Đắc Lắk", "Dak Lak", "Daklak"], "VN-72": ["Đắc Nông", "Dak Nong"],
    "VN-34": ["Khánh Hoà"], "VN-14": ["Hoà Bình"], "VN-21": ["Thanh Hoá"],
}

# Words around a province's name that matching ignores ("ខេត្តបាត់ដំបង", "จังหวัดเชียงใหม่",
# "Tỉnh Nghệ An", "Kandal Province").
_AFFIXES = [fold(word) for word in (
    "ខេត្ត", "រាជធានី", "ក្រុង", "จังหวัด", "จ.", "Tỉnh", "Thành phố", "TP.", "Province", "City",
    "Municipality", "Capital", "Krong", "Khaet",
)]

# Vietnam from 1 July 2025 (Resolution 202/2025/QH15): each merged unit takes the name and seat of
# one of the units it absorbs, so that unit's row is the successor and keeps its ISO code.
# {successor: absorbed units}. Unchanged: Hà Nội, Huế, Lai Châu, Điện Biên, Sơn La, Lạng Sơn,
# Quảng Ninh, Thanh Hóa, Nghệ An, Hà Tĩnh, Cao Bằng.
VN_MERGED_ON = dt.date(2025, 7, 1)
VN_SUCCESSORS = {
    "VN-07": ["VN-03"],  # Tuyên Quang <- Hà Giang
    "VN-02": ["VN-06"],  # Lào Cai <- Yên Bái
    "VN-69": ["VN-53"],  # Thái Nguyên <- Bắc Kạn
    "VN-68": ["VN-70", "VN-14"],  # Phú Thọ <- Vĩnh Phúc, Hòa Bình
    "VN-56": ["VN-54"],  # Bắc Ninh <- Bắc Giang
    "VN-66": ["VN-20"],  # Hưng Yên <- Thái Bình
    "VN-HP": ["VN-61"],  # Hải Phòng <- Hải Dương
    "VN-18": ["VN-63", "VN-67"],  # Ninh Bình <- Hà Nam, Nam Định
    "VN-25": ["VN-24"],  # Quảng Trị <- Quảng Bình
    "VN-DN": ["VN-27"],  # Đà Nẵng <- Quảng Nam
    "VN-29": ["VN-28"],  # Quảng Ngãi <- Kon Tum
    "VN-30": ["VN-31"],  # Gia Lai <- Bình Định
    "VN-34": ["VN-36"],  # Khánh Hòa <- Ninh Thuận
    "VN-35": ["VN-72", "VN-40"],  # Lâm Đồng <- Đắk Nông, Bình Thuận
    "VN-33": ["VN-32"],  # Đắk Lắk <- Phú Yên
    "VN-SG": ["VN-43", "VN-57"],  # Hồ Chí Minh <- Bà Rịa–Vũng Tàu, Bình Dương
    "VN-39": ["VN-58"],  # Đồng Nai <- Bình Phước
    "VN-37": ["VN-41"],  # Tây Ninh <- Long An
    "VN-CT": ["VN-52", "VN-73"],  # Cần Thơ <- Sóc Trăng, Hậu Giang
    "VN-49": ["VN-50", "VN-51"],  # Vĩnh Long <- Bến Tre, Trà Vinh
    "VN-45": ["VN-46"],  # Đồng Tháp <- Tiền Giang
    "VN-59": ["VN-55"],  # Cà Mau <- Bạc Liêu
    "VN-44": ["VN-47"],  # An Giang <- Kiên Giang
}
# The six centrally run cities among the 34.
VN_CITIES = {"VN-HN", "VN-26", "VN-HP", "VN-DN", "VN-SG", "VN-CT"}


def apply_province_names(Province) -> None:
    """Give every province its common name and record Vietnam's 2025 merger (idempotent). Takes the
    model class so that a migration can pass its historical model."""
    for code, name in COMMON_NAMES.items():
        Province.objects.filter(code=code).update(name=name)
    for code in VN_CITIES:
        Province.objects.filter(code=code).update(category="Municipality")
    successors = {p.code: p for p in Province.objects.filter(code__in=VN_SUCCESSORS)}
    for successor_code, absorbed in VN_SUCCESSORS.items():
        if successor_code in successors:
            Province.objects.filter(code__in=absorbed).update(
                successor=successors[successor_code], valid_until=VN_MERGED_ON - dt.timedelta(days=1)
            )


def province_names(province) -> list[str]:
    """Every name a province is known by: common, native, ISO romanisation, other spellings."""
    names = [province.code, province.name, province.local_name, native_province_name(province),
             COMMON_NAMES.get(province.code, ""), *OTHER_NAMES.get(province.code, [])]
    iso = pycountry.subdivisions.get(code=province.code)
    if iso is not None:
        names.append(iso.name)
    return [name for name in names if name]


def _without_affixes(folded: str) -> str:
    for affix in _AFFIXES:
        if folded.startswith(affix) and len(folded) > len(affix):
            folded = folded[len(affix):]
        if folded.endswith(affix) and len(folded) > len(affix):
            folded = folded[: -len(affix)]
    return folded


class ProvinceMatcher:
    """Matches what someone typed to a province, ignoring case, diacritics, hyphens, spacing and
    words such as "Province" or "ខេត្ត"; built once from a list of provinces (no query per name)."""

    def __init__(self, provinces):
        self.by_name = {}
        for province in provinces:
            for name in province_names(province):
                self.by_name.setdefault(_without_affixes(fold(name)), province)
                self.by_name.setdefault(fold(name), province)

    def match(self, text: str):
        folded = fold(text)
        return self.by_name.get(folded) or self.by_name.get(_without_affixes(folded))

    def suggestions(self, text: str, country: str = "", limit: int = 3) -> list:
        """The provinces whose names are closest to `text` (of `country` when given)."""
        candidates = {name: p for name, p in self.by_name.items()
                      if not country or p.country == country}
        return closest(_without_affixes(fold(text)), candidates, limit)


def current_province(province, on: dt.date | None):
    """The province as it stood on `on`: a Vietnamese unit merged before that day gives its
    successor; earlier dates (and no date) keep the province as given."""
    if province is not None and province.valid_until and on and on > province.valid_until \
            and province.successor_id:
        return province.successor
    return province


def native_province_name(province) -> str:
    """The province's name in its country's own script (Vietnamese names are already native)."""
    return NATIVE_NAMES.get(province.code) or province.local_name or province.name


def province_label(province) -> str:
    """How a province reads in a teacher's list: native script first, then the ISO romanisation.

    Both are shown, so that a teacher finds their province whichever script they read, and names are
    never shortened.
    """
    native = native_province_name(province)
    return native if native == province.name else f"{native} ({province.name})"


def province_choices(field) -> list:
    """The choices of a province field: flat for one country, grouped by country (optgroups) when
    its queryset spans several, as a regional cohort's does. Validation still uses the queryset."""
    provinces = list(field.queryset)
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    countries = list(dict.fromkeys(p.country for p in provinces))
    if len(countries) < 2:
        return empty + [(p.pk, field.label_from_instance(p)) for p in provinces]
    return empty + [
        (Country(country).label, [(p.pk, field.label_from_instance(p)) for p in provinces
                                    if p.country == country])
        for country in countries
    ]
