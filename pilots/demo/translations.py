"""Khmer, Thai and Vietnamese versions of the demo content: the eight modules, the programme, the
open cohorts (names, descriptions, venues) and the organisers' names. English is the text the seed
writes first; these fill the other columns (pilots/translation.py) on every run of `seed_demo`."""

from partners.models import Partner
from pilots.models import Cohort, Programme, Session

# code -> {language: (title, summary)}
MODULES = {
    "M1": {
        "km": ("និយមន័យនៃឧក្រិដ្ឋកម្មដ៏សាហាវឃោរឃៅ",
               "អំពើប្រល័យពូជសាសន៍ ឧក្រិដ្ឋកម្មប្រឆាំងមនុស្សជាតិ និងឧក្រិដ្ឋកម្មសង្គ្រាម។"),
        "th": ("นิยามของอาชญากรรมร้ายแรง",
               "การฆ่าล้างเผ่าพันธุ์ อาชญากรรมต่อมนุษยชาติ และอาชญากรรมสงคราม"),
        "vi": ("Định nghĩa các tội ác tàn bạo",
               "Tội diệt chủng, tội ác chống lại loài người và tội ác chiến tranh."),
    },
    "M2": {
        "km": ("កត្តាហានិភ័យ",
               "កត្តាហានិភ័យទាំង 14 នៃក្របខណ្ឌវិភាគរបស់អង្គការសហប្រជាជាតិ (ឆ្នាំ 2014)។"),
        "th": ("ปัจจัยเสี่ยง",
               "ปัจจัยเสี่ยง 14 ประการตามกรอบการวิเคราะห์ของสหประชาชาติ (ค.ศ. 2014)"),
        "vi": ("Các yếu tố nguy cơ",
               "14 yếu tố nguy cơ trong Khung phân tích của Liên Hợp Quốc (2014)."),
    },
    "M3": {
        "km": ("ពាក្យសម្តីញុះញង់ឱ្យស្អប់",
               "យុទ្ធសាស្ត្រ និងផែនការសកម្មភាពរបស់អង្គការសហប្រជាជាតិ ស្តីពីពាក្យសម្តីញុះញង់ឱ្យស្អប់ (ឆ្នាំ 2019)។"),
        "th": ("ประทุษวาจา",
               "ยุทธศาสตร์และแผนปฏิบัติการของสหประชาชาติว่าด้วยประทุษวาจา (ค.ศ. 2019)"),
        "vi": ("Ngôn từ thù hận",
               "Chiến lược và Kế hoạch hành động của Liên Hợp Quốc về ngôn từ thù hận (2019)."),
    },
    "M4": {
        "km": ("កម្ពុជា ឆ្នាំ 1975-1979",
               "របបកម្ពុជាប្រជាធិបតេយ្យ និងឧក្រិដ្ឋកម្មរបស់វា។"),
        "th": ("กัมพูชา ค.ศ. 1975-1979",
               "ระบอบกัมพูชาประชาธิปไตยและอาชญากรรมของระบอบนี้"),
        "vi": ("Campuchia 1975-1979",
               "Chế độ Campuchia Dân chủ và những tội ác của chế độ này."),
    },
    "M5": {
        "km": ("អាល្លឺម៉ង់ណាស៊ី និងរវ៉ាន់ដា", "ករណីសិក្សាប្រៀបធៀប។"),
        "th": ("เยอรมนีสมัยนาซีและรวันดา", "กรณีศึกษาเปรียบเทียบ"),
        "vi": ("Đức Quốc xã và Rwanda", "Nghiên cứu so sánh các trường hợp."),
    },
    "M6": {
        "km": ("គរុកោសល្យ",
               "ការអានជាជំហានៗ រឿងរ៉ាវរបស់អ្នករស់រានមានជីវិត ការជជែកពិភាក្សា និងវាគ្មិនកិត្តិយស។"),
        "th": ("วิธีการสอน",
               "การอ่านแบบมีนั่งร้าน เรื่องเล่าของผู้รอดชีวิต การโต้วาที และวิทยากรรับเชิญ"),
        "vi": ("Phương pháp giảng dạy",
               "Đọc có hướng dẫn từng bước, câu chuyện của người sống sót, tranh luận, diễn giả khách mời."),
    },
    "M7": {
        "km": ("ការថែរក្សាកំណត់ត្រាប្រវត្តិសាស្ត្រ", "ឯកសារ និងបណ្ណសារ។"),
        "th": ("การอนุรักษ์บันทึกทางประวัติศาสตร์", "การจัดทำเอกสารและจดหมายเหตุ"),
        "vi": ("Gìn giữ hồ sơ lịch sử", "Tư liệu và lưu trữ."),
    },
    "M8": {
        "km": ("គម្រោងបញ្ចប់វគ្គ", "គ្រូរៀបចំ និងបង្ហាញមេរៀនមួយ។"),
        "th": ("โครงงานสรุปการอบรม", "ครูออกแบบและนำเสนอแผนการสอนหนึ่งแผน"),
        "vi": ("Dự án cuối khóa", "Giáo viên thiết kế và trình bày một bài giảng."),
    },
}

PROGRAMME = {
    "km": ("ការអប់រំបង្ការឧក្រិដ្ឋកម្មដ៏សាហាវឃោរឃៅ គម្រោងសាកល្បង ឆ្នាំ 2020-2024",
           "កម្មវិធីថ្នាក់តំបន់អាស៊ីអាគ្នេយ៍របស់មជ្ឈមណ្ឌលឯកសារកម្ពុជា៖ សៀវភៅណែនាំគ្រូ ដែលមានផែនការបង្រៀន 8 "
           "និងសកម្មភាព 17 ព្រមទាំងសមត្ថភាពនៃការឆ្លុះបញ្ចាំងខ្លួនឯង ការគិតពិចារណា និងការយល់ចិត្តអ្នកដទៃ។"),
    "th": ("การศึกษาเพื่อป้องกันอาชญากรรมร้ายแรง โครงการนำร่อง ค.ศ. 2020-2024",
           "โครงการระดับภูมิภาคเอเชียตะวันออกเฉียงใต้ของศูนย์ข้อมูลกัมพูชา (DC-Cam): คู่มือครูที่มีแผนการสอน "
           "8 แผนและกิจกรรม 17 กิจกรรม เสริมสร้างสมรรถนะการสะท้อนตนเอง การคิดเชิงวิพากษ์ และความเห็นอกเห็นใจ"),
    "vi": ("Giáo dục phòng ngừa tội ác tàn bạo, các chương trình thí điểm 2020-2024",
           "Chương trình khu vực Đông Nam Á của Trung tâm Tư liệu Campuchia (DC-Cam): bộ tài liệu hướng dẫn "
           "giáo viên gồm 8 giáo án và 17 hoạt động; các năng lực tự nhìn lại bản thân, tư duy phản biện "
           "và thấu cảm."),
}

_DESCRIPTION = {
    "km": "បីថ្ងៃ អំពីមូលហេតុនៃឧក្រិដ្ឋកម្មដ៏សាហាវឃោរឃៅ ប្រវត្តិសាស្ត្រកម្ពុជាប្រជាធិបតេយ្យ (1975-1979) "
          "និងការទប់ទល់ពាក្យសម្តីញុះញង់ឱ្យស្អប់ក្នុងថ្នាក់រៀន។ (សាកល្បង)",
    "th": "สามวันว่าด้วยสาเหตุของอาชญากรรมร้ายแรง ประวัติศาสตร์กัมพูชาประชาธิปไตย (ค.ศ. 1975-1979) "
          "และการรับมือกับประทุษวาจาในชั้นเรียน (ตัวอย่าง)",
    "vi": "Ba ngày về nguyên nhân của các tội ác tàn bạo, lịch sử Campuchia Dân chủ (1975-1979) và cách "
          "đối phó với ngôn từ thù hận trong lớp học. (minh họa)",
}

# cohort code -> {language: (name, venue)}; descriptions are the same for every open cohort.
OPEN_COHORTS = {
    "open-kh-kampong-cham": {
        "km": ("វគ្គបណ្តុះបណ្តាលគ្រូកំពុងបម្រើការងារ ខេត្តកំពង់ចាម (សាកល្បង)",
               "មជ្ឈមណ្ឌលគរុកោសល្យខេត្ត កំពង់ចាម (សាកល្បង)"),
        "th": ("การอบรมครูประจำการ กำปงจาม (ตัวอย่าง)", "สถาบันผลิตครูประจำจังหวัด กำปงจาม (ตัวอย่าง)"),
        "vi": ("Khóa tập huấn giáo viên tại chức Kampong Cham (minh họa)",
               "Trung tâm đào tạo giáo viên tỉnh Kampong Cham (minh họa)"),
    },
    "open-kh-phnom-penh": {
        "km": ("វគ្គបណ្តុះបណ្តាលគ្រូកំពុងបម្រើការងារ រាជធានីភ្នំពេញ (សាកល្បង)",
               "មជ្ឈមណ្ឌលឯកសារកម្ពុជា ភ្នំពេញ (សាកល្បង)"),
        "th": ("การอบรมครูประจำการ พนมเปญ (ตัวอย่าง)", "ศูนย์ข้อมูลกัมพูชา พนมเปญ (ตัวอย่าง)"),
        "vi": ("Khóa tập huấn giáo viên tại chức Phnôm Pênh (minh họa)",
               "Trung tâm Tư liệu Campuchia, Phnôm Pênh (minh họa)"),
    },
    "open-th-chiang-mai": {
        "km": ("វគ្គបណ្តុះបណ្តាលគ្រូកំពុងបម្រើការងារ ឈៀងម៉ៃ (សាកល្បង)", "ការិយាល័យអប់រំ ឈៀងម៉ៃ (សាកល្បង)"),
        "th": ("การอบรมครูประจำการ เชียงใหม่ (ตัวอย่าง)", "สำนักงานศึกษาธิการ เชียงใหม่ (ตัวอย่าง)"),
        "vi": ("Khóa tập huấn giáo viên tại chức Chiang Mai (minh họa)", "Sở Giáo dục Chiang Mai (minh họa)"),
    },
    "open-vn-hue": {
        "km": ("វគ្គបណ្តុះបណ្តាលគ្រូ ហ៊ូវ៉េ តាមការដាក់ពាក្យ (សាកល្បង)", "មហាវិទ្យាល័យគរុកោសល្យ ហ៊ូវ៉េ (សាកល្បង)"),
        "th": ("การอบรมครู เว้ รับสมัครแบบพิจารณาคัดเลือก (ตัวอย่าง)", "วิทยาลัยครู เว้ (ตัวอย่าง)"),
        "vi": ("Khóa tập huấn giáo viên Huế, xét duyệt hồ sơ (minh họa)", "Trường Cao đẳng Sư phạm Huế (minh họa)"),
    },
    "open-regional-tot": {
        "km": ("វគ្គបណ្តុះបណ្តាលគ្រូបង្គោលថ្នាក់តំបន់ អាស៊ីអាគ្នេយ៍ (សាកល្បង)", "តាមអនឡាញ និងនៅបាងកក (សាកល្បង)"),
        "th": ("การอบรมวิทยากรแกนนำระดับภูมิภาค เอเชียตะวันออกเฉียงใต้ (ตัวอย่าง)",
               "ออนไลน์และที่กรุงเทพฯ (ตัวอย่าง)"),
        "vi": ("Tập huấn giảng viên nguồn cấp khu vực Đông Nam Á (minh họa)",
               "Trực tuyến và tại Bangkok (minh họa)"),
    },
}

# Where the regional cohort's in-person sessions meet, per language.
BANGKOK = {"en": "Bangkok", "km": "បាងកក", "th": "กรุงเทพฯ", "vi": "Bangkok"}

# Organisers (by acronym) as their names are written in each language.
PARTNERS = {
    "DC-Cam": {"km": "មជ្ឈមណ្ឌលឯកសារកម្ពុជា", "th": "ศูนย์ข้อมูลกัมพูชา",
               "vi": "Trung tâm Tư liệu Campuchia"},
    "OSAPG": {"km": "ការិយាល័យទីប្រឹក្សាពិសេសស្តីពីការបង្ការអំពើប្រល័យពូជសាសន៍",
              "th": "สำนักงานที่ปรึกษาพิเศษว่าด้วยการป้องกันการฆ่าล้างเผ่าพันธุ์",
              "vi": "Văn phòng Cố vấn Đặc biệt về Phòng ngừa Diệt chủng"},
    "MoEYS": {"km": "ក្រសួងអប់រំ យុវជន និងកីឡា", "th": "กระทรวงศึกษาธิการ เยาวชน และกีฬา (กัมพูชา)",
              "vi": "Bộ Giáo dục, Thanh niên và Thể thao (Campuchia)"},
    "MOE-TH": {"km": "ក្រសួងសិក្សាធិការ (ថៃ)", "th": "กระทรวงศึกษาธิการ", "vi": "Bộ Giáo dục (Thái Lan)"},
    "MOET": {"km": "ក្រសួងអប់រំ និងបណ្តុះបណ្តាល (វៀតណាម)", "th": "กระทรวงศึกษาธิการและการฝึกอบรม (เวียดนาม)",
             "vi": "Bộ Giáo dục và Đào tạo"},
}

LANGUAGES = ("km", "th", "vi")


def translate_demo_content(programme: Programme) -> None:
    """Fill the Khmer, Thai and Vietnamese columns of the demo content (idempotent)."""
    for language, (name, description) in PROGRAMME.items():
        setattr(programme, f"name_{language}", name)
        setattr(programme, f"description_{language}", description)
    programme.save()
    modules = {m.code: m for m in programme.modules.all()}
    for code, versions in MODULES.items():
        module = modules.get(code)
        if module is None:
            continue
        for language, (title, summary) in versions.items():
            setattr(module, f"title_{language}", title)
            setattr(module, f"summary_{language}", summary)
        module.save()
    # A session about a module carries the module's title in every language.
    for session in Session.objects.filter(module__programme=programme).select_related("module"):
        if session.title_en != session.module.title_en:
            continue
        for language in LANGUAGES:
            setattr(session, f"title_{language}", getattr(session.module, f"title_{language}"))
        if session.venue_en == "Bangkok":
            for language in LANGUAGES:
                setattr(session, f"venue_{language}", BANGKOK[language])
        session.save()
    for cohort in Cohort.objects.filter(code__in=OPEN_COHORTS):
        for language, (name, venue) in OPEN_COHORTS[cohort.code].items():
            setattr(cohort, f"name_{language}", name)
            setattr(cohort, f"venue_{language}", venue)
            setattr(cohort, f"description_{language}", _DESCRIPTION[language])
        cohort.save()
    for partner in Partner.objects.filter(acronym__in=PARTNERS):
        for language, name in PARTNERS[partner.acronym].items():
            setattr(partner, f"name_{language}", name)
        partner.save()
