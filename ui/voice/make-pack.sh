#!/bin/sh
# Builds the default Mandarin voice pack (ui/voice/mandarin/*.wav) with espeak-ng and sox.
#
#   sh ui/voice/make-pack.sh [OUT_DIR]
#
# Needs espeak-ng (1.51, Debian 12) and sox (14.4.2). Not needed to build or test hallq: the
# pack it produced is committed and embedded into the binary. Running it again with the same
# tool versions reproduces the same bytes (no dither, no timestamps).
#
# Every clip: 16 kHz, mono, 16-bit PCM WAV, leading/trailing silence trimmed, 5 ms fades
# (no clicks where clips are joined), peak normalised to -1 dBFS (chime: -3 dBFS).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/mandarin"}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Words are spoken from tone-numbered pinyin with the pinyin voice: Debian's espeak-ng 1.51
# `cmn` voice reads several Hanzi (请, 号, 到, 零, 百 ...) as English spellings of their pinyin.
# Letters use the `cmn` voice, which names them the way Chinese halls do (A "ei", B "bi" ...).
WORD_VOICE=cmn-latn-pinyin
LETTER_VOICE=cmn
SPEED=180

finish() { # finish IN.wav OUT.wav GAIN_DB
    sox -D "$1" -c 1 "$tmp/trimmed.wav" \
        silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse
    sox -D "$tmp/trimmed.wav" -r 16000 -c 1 -b 16 -e signed-integer "$2" \
        gain -6 rate -v 16000 fade t 0.005 -0 0.005 norm "$3"
}

speak() { # speak NAME VOICE TEXT
    espeak-ng -v "$2" -s "$SPEED" -w "$tmp/$1.raw.wav" "$3"
    finish "$tmp/$1.raw.wav" "$out/$1.wav" -1
}

# Fixed words (clip name, pinyin).
speak qing "$WORD_VOICE" "qing3"                               # 请
speak hao "$WORD_VOICE" "hao4"                                 # 号
speak dao "$WORD_VOICE" "dao4"                                 # 到
speak hao-chuangkou-banli "$WORD_VOICE" "hao4 chuang1 kou3 ban4 li3" # 号窗口办理
speak chuangkou "$WORD_VOICE" "chuang1 kou3"                   # 窗口
speak banli "$WORD_VOICE" "ban4 li3"                           # 办理

# Digits, 幺 (1 read in digit strings), 十 and 百 (window numbers read as cardinals).
set -- ling2 yi1 er4 san1 si4 wu3 liu4 qi1 ba1 jiu3
d=0
for py in "$@"; do
    speak "digit-$d" "$WORD_VOICE" "$py"
    d=$((d + 1))
done
speak yao "$WORD_VOICE" "yao1"                                 # 幺
speak shi "$WORD_VOICE" "shi2"                                 # 十
speak bai "$WORD_VOICE" "bai3"                                 # 百

# Letters A-Z.
for l in A B C D E F G H I J K L M N O P Q R S T U V W X Y Z; do
    lower=$(printf '%s' "$l" | tr 'A-Z' 'a-z')
    speak "letter-$lower" "$LETTER_VOICE" "$l"
done

# Chime: a two-tone "ding-dong" (E5 then C5, each with its octave, decaying).
sox -D -n -r 16000 -c 1 -b 16 "$tmp/ding.wav" synth 0.4 sine 659.25 sine 1318.5 remix 1,2 \
    fade q 0.005 0.4 0.35
sox -D -n -r 16000 -c 1 -b 16 "$tmp/dong.wav" synth 0.7 sine 523.25 sine 1046.5 remix 1,2 \
    fade q 0.005 0.7 0.65
sox -D "$tmp/ding.wav" "$tmp/dong.wav" -r 16000 -c 1 -b 16 -e signed-integer "$out/chime.wav" \
    norm -3

echo "$(ls "$out"/*.wav | wc -l) clips in $out"
