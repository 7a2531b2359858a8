"""Province names in Khmer and Thai script, for the lists teachers pick their province from.

pycountry's ISO 3166-2 names are romanisations ("Baat Dambang", "Krung Thep Maha Nakhon") that few
Cambodian or Thai teachers would look for, and its Khmer and Thai translations are nearly empty.
These are the official names in each country's own script, keyed by ISO 3166-2 code. Vietnamese
names are already in Vietnamese in the reference data.
"""

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
