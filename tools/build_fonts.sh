#!/usr/bin/env bash
# Rebuild the self-hosted Khmer and Thai web fonts in static/fonts/ (committed; only needed when
# changing them). Sources: Debian's fonts-noto-core (SIL Open Font License 1.1); subsetter:
# fonttools + brotli from PyPI, in a throwaway virtualenv.
#   sudo apt-get install -y fonts-noto-core && tools/build_fonts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=/usr/share/fonts/truetype/noto
OUT=static/fonts
VENV=${FONT_TOOLS_VENV:-/tmp/pilots-fonttools}
test -x "$VENV/bin/pyftsubset" || { python3 -m venv "$VENV"; "$VENV/bin/pip" install -q fonttools==4.68.0 brotli==1.2.1; }
# Each subset: the script's own block, plus the punctuation it shares (ZWSP/ZWNJ/ZWJ, dotted
# circle for shaping). Latin and digits come from the system font, so they stay out.
KHMER="U+1780-17FF,U+19E0-19FF,U+200B-200D,U+25CC"
THAI="U+0E01-0E5B,U+200B-200D,U+25CC"
for weight in Regular Bold; do
  "$VENV/bin/pyftsubset" "$SRC/NotoSansKhmer-$weight.ttf" --unicodes="$KHMER" --layout-features='*' \
    --flavor=woff2 --no-hinting --desubroutinize --output-file="$OUT/NotoSansKhmer-$weight.subset.woff2"
  "$VENV/bin/pyftsubset" "$SRC/NotoSansThai-$weight.ttf" --unicodes="$THAI" --layout-features='*' \
    --flavor=woff2 --no-hinting --desubroutinize --output-file="$OUT/NotoSansThai-$weight.subset.woff2"
done
cp /usr/share/doc/fonts-noto-core/copyright "$OUT/NOTICE-fonts-noto-core.txt" 2>/dev/null || true
ls -l "$OUT"
