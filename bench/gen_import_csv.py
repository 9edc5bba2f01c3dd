#!/usr/bin/env python3
"""gen_import_csv.py - deterministic generator of a household import CSV (IMPORT.md).

    python3 bench/gen_import_csv.py [--seed N] [--persons N | --households N] [--out FILE]
        [--encoding utf-8|gb18030] [--bom] [--headers en|zh|mixed] [--bad-rate F]
        [--rows-shuffled] [--line-ending crlf|lf] [--county CODE] [--towns N] [--villages N] [--quiet]

One row per member, IMPORT.md's 18 columns in its order. The same arguments always give the same
bytes (random.Random(seed) is the only source of randomness). Default: 1,000,000 persons (about
350,000 households of 1-6 members), UTF-8 without BOM, English headers, CRLF, no bad rows, rows
of one household contiguous. --county CODE puts every household in that county (a county's own
register, as `make bench` serves it); the ID numbers' birthplaces follow it. --towns N and
--villages N (default 30 and 25) bound the township and village digits (the demo's county has 10
townships of 10 villages, which tools/demo.py puts in the regions table).

The data looks like a Chongqing county register: region codes of the 38 real districts and
counties (5001xx/5002xx, 开州区 500154 weighted up) plus township and village digits (12 digits,
one household in ten at township level, 9 digits); valid ID numbers (GB 11643 check digit, birth
dates 1925-2024 consistent with the relation to the head, sex digit), Chinese names, about 6 %
disabled (grade 1-4 with a kind), 3 % severely ill, children in school, pensions from 60, wages
and other incomes in yuan with two decimals. With --headers zh the vocabulary words are Chinese
(户主, 农村, 是 …), with en English, with mixed each header cell and each word is picked at random.
A few names are written quoted ("张三"), which changes nothing.

--bad-rate F makes each row bad with probability F, in one of six ways (chosen evenly):
  check_digit       the ID number's check character is wrong
  missing_name      the name is empty
  unknown_relation  the relation is a word not in the vocabulary (表亲 / cousin)
  two_heads         a non-head row says head (a household of one gets check_digit instead)
  dup_id            the row takes the ID number of a member of the previous household, so the
                    same ID is in two households of the file and both are rejected (with no
                    previous household: check_digit)
  bad_amount        wage_month is "12.345", "abc" or "-5.00"

Expected import counts (printed as one JSON line on stderr unless --quiet), with IMPORT.md read
as: a household with any rejected row is rejected whole, and every row of a rejected household is
a rejected row (rejects file = every row that was not stored); households and persons count what
is stored. "bad_rows" is how many rows were made bad (dup_id counts both rows with the ID).

--rows-shuffled writes all rows in random order (holds the whole file in memory, ~0.3 GB for 1M
persons); the header stays first.
"""

import argparse
import io
import json
import random
import sys

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

COUNTIES = ("500101 500102 500103 500104 500105 500106 500107 500108 500109 500110 500111 500112 "
            "500113 500114 500115 500116 500117 500118 500119 500120 500151 500152 500153 500154 "
            "500155 500156 500229 500230 500231 500233 500235 500236 500237 500238 500240 500241 "
            "500242 500243").split()
COUNTY_WEIGHTS = [12 if c == "500154" else 1 for c in COUNTIES]
OTHER_BIRTHPLACES = ("512234", "512224", "510221", "500234", "500235")

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
            "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
            "顾毛郝龚邵万钱严覃武戴莫孔向汤冉")
GIVEN = "秀英华明国建文芳兰军平玉志红强丽德学海勇林成春永清桂荣霞俊燕洪辉琴云梅凤洁杰波涛静敏婷宇浩欣雨子涵轩怡佳晨博"

COLUMNS = [
    ("household_no", "户编号"), ("region", "区划代码"), ("area", "城乡类别"), ("id", "身份证号"),
    ("name", "姓名"), ("relation", "与户主关系"), ("disability_grade", "残疾等级"),
    ("disability_kind", "残疾类别"), ("severe_illness", "是否重病"), ("labor_capacity", "劳动能力"),
    ("self_care", "自理能力"), ("in_school", "是否在校"), ("supporters", "赡养人情况"),
    ("wage_month", "月工资性收入"), ("business_month", "月经营净收入"), ("property_month", "月财产净收入"),
    ("transfer_month", "月转移净收入"), ("basic_pension_month", "月基础养老金"),
]

# English word -> Chinese word, per vocabulary
AREA = {"urban": "城市", "rural": "农村"}
RELATION = {"head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母", "grandparent": "祖父母",
            "grandchild": "孙子女", "sibling": "兄弟姐妹", "other": "其他"}
KIND = {"physical": "肢体", "visual": "视力", "hearing": "听力", "speech": "言语", "intellectual": "智力",
        "mental": "精神", "multiple": "多重"}
BOOL = {"true": "是", "false": "否"}
LABOR = {"full": "有", "partial": "部分", "none": "无"}
CARE = {"full": "全自理", "partial": "半失能", "none": "全失能"}
SUPPORTERS = {"able": "有能力", "unable": "无能力", "none": "无"}
KIND_LIST = list(KIND)

SIZES = (1, 2, 3, 4, 5, 6)
SIZE_WEIGHTS = (18, 26, 24, 18, 9, 5)  # mean ~2.8 members
BAD_KINDS = ("check_digit", "missing_name", "unknown_relation", "two_heads", "dup_id", "bad_amount")

DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def check_char(digits17):
    return ID_CHECK[sum(int(d) * w for d, w in zip(digits17, ID_WEIGHTS)) % 11]


class Gen:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.args = args
        self.used_ids = set()
        self.hh_seq = 0
        mode = args.headers
        r = self.rng
        if mode == "en":
            self.word = lambda table, en: en
        elif mode == "zh":
            self.word = lambda table, en: table[en]
        else:
            self.word = lambda table, en: table[en] if r.random() < 0.5 else en

    def person_id(self, birthplace, year, male):
        r = self.rng
        while True:
            month = r.randint(1, 12)
            dim = DAYS_IN_MONTH[month - 1] + (1 if month == 2 and year % 4 == 0 and
                                                (year % 100 != 0 or year % 400 == 0) else 0)
            day = r.randint(1, dim)
            seq = r.randint(0, 499) * 2 + (1 if male else 0)
            d17 = "%s%04d%02d%02d%03d" % (birthplace, year, month, day, seq)
            key = int(d17)
            if key not in self.used_ids:
                self.used_ids.add(key)
                return d17 + check_char(d17)

    def name(self, surname=None):
        r = self.rng
        s = surname or r.choice(SURNAMES)
        if r.random() < 0.7:
            return s + r.choice(GIVEN) + r.choice(GIVEN)
        return s + r.choice(GIVEN)

    def household(self):
        """Returns (household_no, rows); a row is a list of 18 strings."""
        r = self.rng
        w = self.word
        county = r.choices(COUNTIES, COUNTY_WEIGHTS)[0]
        if self.args.county:  # one county's register (same random stream otherwise)
            county = self.args.county
        town = r.randint(1, self.args.towns)
        if r.random() < 0.1:
            region = "%s%03d" % (county, town)
        else:
            region = "%s%03d%03d" % (county, town, r.randint(1, self.args.villages))
        area = w(AREA, "rural" if r.random() < 0.6 else "urban")
        self.hh_seq += 1
        hno = "%s-%07d" % (county, self.hh_seq)
        size = r.choices(SIZES, SIZE_WEIGHTS)[0]
        head_year = r.randint(1935, 2000)
        surname = r.choice(SURNAMES)
        members = [("head", head_year, r.random() < 0.55, surname)]
        if size >= 2 and r.random() < 0.85:
            members.append(("spouse", min(2004, max(1930, head_year + r.randint(-6, 6))),
                            not members[0][2], None))
        while len(members) < size:
            x = r.random()
            if x < 0.6 and head_year + 20 <= 2024:
                members.append(("child", min(2024, head_year + r.randint(20, 38)), r.random() < 0.5, surname))
            elif x < 0.75 and head_year - 20 >= 1925:
                members.append(("parent", max(1925, head_year - r.randint(20, 35)), r.random() < 0.5, None))
            elif x < 0.85 and head_year <= 1975:
                members.append(("grandchild", min(2024, head_year + r.randint(42, 60)), r.random() < 0.5,
                                surname))
            elif x < 0.93:
                members.append(("sibling", min(2004, max(1925, head_year + r.randint(-10, 10))),
                                r.random() < 0.5, surname))
            elif x < 0.97 and head_year - 45 >= 1925:
                members.append(("grandparent", max(1925, head_year - r.randint(45, 60)), r.random() < 0.5,
                                None))
            else:
                members.append(("other", r.randint(1940, 2010), r.random() < 0.5, None))
        rows = []
        for rel, year, male, sname in members:
            birthplace = county if r.random() < 0.85 else r.choice(OTHER_BIRTHPLACES)
            pid = self.person_id(birthplace, year, male)
            age = 2025 - year
            grade = kind = ""
            if r.random() < 0.06:
                g = r.randint(1, 4)
                grade, kind = str(g), w(KIND, r.choice(KIND_LIST))
            elif r.random() < 0.3:
                grade = "0"
            severe = w(BOOL, "true" if r.random() < 0.03 else "false")
            if age < 16 or age >= 70:
                labor = "none"
            elif grade in ("1", "2"):
                labor = "none" if r.random() < 0.6 else "partial"
            else:
                labor = "full" if r.random() < 0.9 else "partial"
            care = "full"
            if age >= 75 or grade == "1":
                care = r.choice(("full", "partial", "none"))
            in_school = "true" if 6 <= age <= 22 and r.random() < 0.85 else "false"
            if age >= 60 and rel in ("head", "spouse", "parent", "grandparent"):
                sup = r.choice(("able", "able", "unable", "none"))
            else:
                sup = "able"
            wage = business = prop = transfer = pension = ""
            if 18 <= age < 60 and labor != "none":
                if r.random() < 0.65:
                    wage = "%d.%02d" % (r.randint(600, 6500), r.randint(0, 99))
                if r.random() < 0.1:
                    business = "%d.%02d" % (r.randint(100, 3000), r.randint(0, 99))
            if r.random() < 0.03:
                prop = "%d.%02d" % (r.randint(50, 800), r.randint(0, 99))
            if r.random() < 0.1:
                transfer = "%d.%02d" % (r.randint(20, 600), r.randint(0, 99))
            if age >= 60:
                pension = "%d.%02d" % (r.randint(115, 320), r.randint(0, 99))
            name = self.name(sname)
            if r.random() < 0.01:
                name = '"%s"' % name
            rows.append([hno, region, area, pid, name, w(RELATION, rel), grade, kind, severe,
                         w(LABOR, labor), w(CARE, care), w(BOOL, in_school), w(SUPPORTERS, sup),
                         wage, business, prop, transfer, pension])
        return hno, rows

    def spoil(self, rows, i, prev_rows):
        """Makes rows[i] bad; returns (kind, rejects_previous_household)."""
        r = self.rng
        kind = r.choice(BAD_KINDS)
        row = rows[i]
        if kind == "two_heads" and (len(rows) < 2 or row[5] in ("head", "户主")):
            kind = "check_digit"
        if kind == "dup_id" and not prev_rows:
            kind = "check_digit"
        if kind == "check_digit":
            pid = row[3]
            row[3] = pid[:17] + ID_CHECK[(ID_CHECK.index(pid[17]) + r.randint(1, 10)) % 11]
        elif kind == "missing_name":
            row[4] = ""
        elif kind == "unknown_relation":
            row[5] = "表亲" if r.random() < 0.5 else "cousin"
        elif kind == "two_heads":
            row[5] = self.word(RELATION, "head")
        elif kind == "dup_id":
            row[3] = r.choice(prev_rows)[3]
            return kind, True
        else:
            row[13] = r.choice(("12.345", "abc", "-5.00"))
        return kind, False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--households", type=int, default=0, help="number of households (overrides --persons)")
    ap.add_argument("--out", default="-")
    ap.add_argument("--encoding", choices=("utf-8", "gb18030"), default="utf-8")
    ap.add_argument("--bom", action="store_true", help="start with the encoding's byte order mark")
    ap.add_argument("--headers", choices=("en", "zh", "mixed"), default="en")
    ap.add_argument("--bad-rate", type=float, default=0.0)
    ap.add_argument("--rows-shuffled", action="store_true")
    ap.add_argument("--line-ending", choices=("crlf", "lf"), default="crlf")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--county", default="", help="every household in this county (e.g. 500154)")
    ap.add_argument("--towns", type=int, default=30, help="townships per county, numbered 001.. (default 30)")
    ap.add_argument("--villages", type=int, default=25, help="villages per township, numbered 001.. (default 25)")
    args = ap.parse_args()

    g = Gen(args)
    r = g.rng
    eol = "\r\n" if args.line_ending == "crlf" else "\n"
    if args.headers == "en":
        header = [en for en, _zh in COLUMNS]
    elif args.headers == "zh":
        header = [zh for _en, zh in COLUMNS]
    else:
        header = [zh if r.random() < 0.5 else en for en, zh in COLUMNS]

    if args.out == "-":
        raw = sys.stdout.buffer
    else:
        raw = open(args.out, "wb")
    enc = args.encoding
    if args.bom:
        raw.write(b"\xef\xbb\xbf" if enc == "utf-8" else "\ufeff".encode("gb18030"))
    out = io.TextIOWrapper(raw, encoding=enc, newline="", write_through=False)
    out.write(",".join(header) + eol)

    stats = {"households": 0, "persons": 0, "rejected_rows": 0, "rejected_households": 0,
             "rows": 0, "households_in_file": 0, "bad_rows": 0}
    kinds = {k: 0 for k in BAD_KINDS}
    pending = []          # lines not yet written (contiguous mode)
    shuffled = []         # every line (shuffled mode)
    prev = None           # [rows, size, rejected] of the previous household, decided later
    persons = 0
    bad_rate = args.bad_rate

    def settle(h):
        stats["households_in_file"] += 1
        if h[2]:
            stats["rejected_households"] += 1
            stats["rejected_rows"] += h[1]
        else:
            stats["households"] += 1
            stats["persons"] += h[1]

    while True:
        if args.households:
            if stats["households_in_file"] + (1 if prev else 0) >= args.households:
                break
        elif persons >= args.persons:
            break
        _hno, rows = g.household()
        if not args.households and persons + len(rows) > args.persons:
            rows = rows[:args.persons - persons]
        persons += len(rows)
        rejected = False
        if bad_rate > 0:
            for i in range(len(rows)):
                if r.random() < bad_rate:
                    kind, hits_prev = g.spoil(rows, i, prev[0] if prev else None)
                    kinds[kind] += 1
                    stats["bad_rows"] += 2 if hits_prev else 1
                    rejected = True
                    if hits_prev:
                        prev[2] = True
        if prev:
            settle(prev)
        prev = [rows, len(rows), rejected]
        lines = [",".join(row) + eol for row in rows]
        if args.rows_shuffled:
            shuffled.extend(lines)
        else:
            pending.extend(lines)
            if len(pending) >= 8192:
                out.write("".join(pending))
                pending.clear()
    if prev:
        settle(prev)
    if args.rows_shuffled:
        r.shuffle(shuffled)
        for k in range(0, len(shuffled), 8192):
            out.write("".join(shuffled[k:k + 8192]))
    else:
        out.write("".join(pending))
    out.flush()
    out.detach()
    if raw is not sys.stdout.buffer:
        raw.close()
    stats["rows"] = persons
    stats["bad_kinds"] = kinds
    if not args.quiet:
        print(json.dumps(stats, ensure_ascii=False), file=sys.stderr)


if __name__ == "__main__":
    main()
