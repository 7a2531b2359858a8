"""Benchmark: how fast hostile spreadsheets are refused, against reading a legitimate one.

    make bench-upload

Builds (in memory) a 1.19 GB zip bomb (1,220 MB of sheet XML in a 1.2 MB file), a "billion laughs"
entity bomb and an external entity in sharedStrings.xml, with the builders of
tests/imports/test_upload_safety.py, and times `read_table` refusing each (best of 5). The
baseline, in the same run, is reading the largest workbook the import accepts (20,000 rows x 10
columns). No database is used.
"""

import io
import os
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def best_of(func, times=5):
    best = None
    for _ in range(times):
        started = time.perf_counter()
        outcome = func()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, outcome


def main() -> None:
    os.environ.setdefault("PILOTS_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import openpyxl

    from pilots.imports.reading import ImportFileError, read_table
    from tests.imports.test_upload_safety import (
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        with_shared_strings,
        zip_bomb,
    )

    def refusal(data):
        try:
            read_table(data, "upload.xlsx")
        except ImportFileError as exc:
            return exc.code
        return "accepted"

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["cohort", "email", "family_name", "given_name", "school", "province", "gender", "phone",
                  "school_level", "years_experience"])
    for i in range(20_000):
        sheet.append(["kh-1", f"t{i}@example.org", "សុខ", f"ចាន់ថា {i}", "វិទ្យាល័យព្រះស៊ីសុវត្ថិ",
                      "Kampong Cham", "female", "012345678", "upper_secondary", i % 30])
    out = io.BytesIO()
    workbook.save(out)
    legit = out.getvalue()
    unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(legit)).infolist())
    baseline, _ = best_of(lambda: read_table(legit, "big.xlsx"), times=1)
    print(f"baseline: largest accepted workbook (20,000 x 10), {len(legit) / 2**20:.2f} MB file, "
          f"{unpacked / 2**20:.1f} MB unpacked, read in {baseline:.2f} s")
    for name, data in [("zip bomb (1,220 MB of sheet XML)", zip_bomb(1220)),
                       ("billion laughs in sharedStrings.xml", with_shared_strings(BILLION_LAUGHS)),
                       ("external entity in sharedStrings.xml", with_shared_strings(EXTERNAL_ENTITY))]:
        elapsed, code = best_of(lambda data=data: refusal(data))
        print(f"{name}: {len(data) / 2**20:.2f} MB file, {code} in {elapsed * 1e6:.0f} µs "
              f"({elapsed / baseline:.6f}x the baseline)")


if __name__ == "__main__":
    main()
