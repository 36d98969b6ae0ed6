#!/usr/bin/env python3
"""Writes english.tsv: the 30 000 most frequent English words with their
Zipf frequency (log10 of occurrences per billion words), from wordfreq 3.1
(code Apache-2.0; data CC BY-SA 4.0, see the README's credits).

    pip install wordfreq==3.1.1 && python3 make_english.py > english.tsv
"""
import re

from wordfreq import top_n_list, zipf_frequency

WORD = re.compile(r"^[a-z][a-z']*$")

print("# word\tzipf (wordfreq 3.1.1, en, CC BY-SA 4.0)")
for w in top_n_list("en", 30000):
    if WORD.match(w):
        print(f"{w}\t{zipf_frequency(w, 'en'):.2f}")
