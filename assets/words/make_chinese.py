#!/usr/bin/env python3
"""Writes chinese.tsv: the 30 000 most frequent Chinese words (Han only)
with their Zipf frequency, from wordfreq 3.1 (code Apache-2.0; data CC BY-SA
4.0, see the README's credits). wordfreq's Chinese counts include subtitles
and social media, so conversational words (怎么样, 大概) are as common as
people make them; jieba's own dictionary (news text) is the fallback.

    pip install wordfreq==3.1.1 jieba && python3 make_chinese.py > chinese.tsv
"""
import math
import re

from wordfreq import get_frequency_dict

HAN = re.compile(r"^[\u3400-\u9fff]+$")

print("# word\tzipf (wordfreq 3.1.1, zh, CC BY-SA 4.0)")
words = sorted(get_frequency_dict("zh").items(), key=lambda kv: -kv[1])
n = 0
for w, f in words:
    if HAN.match(w):
        print(f"{w}\t{math.log10(f) + 9:.2f}")
        n += 1
        if n == 30000:
            break
