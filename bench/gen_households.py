#!/usr/bin/env python3
"""gen_households.py - deterministic generator of household NDJSON for `doudi assess --batch`.

    python3 bench/gen_households.py --seed N --count N [--out FILE]

Writes one household per line in the ASSESS.md input format (stdout without --out).  The same
seed and count always give the same bytes (random.Random(seed), no other source of randomness).
Every line is a valid household; the mix is meant to look like a Chongqing county (开州区
500154 townships and villages, a few other districts), assessment dates from 2020-09-01 to
2026-06-30, and to hit the places where two implementations can differ:

  * per-capita income exactly at S, half a fen below S (rounds up to S), one fen below S,
    exactly at 1.5 x S and one fen above, deductions larger than income;
  * household financial assets exactly at n x 12 x S, one fen above, a few fen above with n >= 3
    (exact test fails, a rounded per-capita test would pass), one fen below;
  * tekun members with own income exactly S / S - 0.01, own financial assets exactly 12 x S / +0.01;
  * yearly amounts not divisible by 12 (including x.5-fen quotients), wages whose 70 % ends in
    half a fen, zero-amount wage items, imputed wages;
  * ages exactly on a threshold birthday (6, 16, 18, 60, 70) and Feb-29 births assessed on
    Feb 28 / Mar 1;
  * assessment dates on and just before the dates the Chongqing standards change;
  * gradual-exit households with the rise month exactly gradual_months before, and one month more;
  * amounts as strings ("12.3", "12.30", "12") and as JSON numbers (12.3, 12.30, 12);
    optional fields present with their default, or left out; lower-case x in ID numbers.

The boundary targets use the Chongqing values of PARAMETERS.md (standards table below, 12 months
of S for the asset tests, 30 % employment cost), which is what the shipped policy should contain.
"""

import argparse
import bisect
import datetime
import random
import sys

# Chongqing standards (PARAMETERS.md): from, urban, rural, tekun basic (fen)
STANDARDS = [
    (datetime.date(2020, 9, 1), 62000, 49600, 80600),
    (datetime.date(2021, 9, 1), 63600, 51500, 82700),
    (datetime.date(2022, 9, 1), 71700, 58100, 93200),
    (datetime.date(2023, 9, 1), 73500, 60000, 95500),
    (datetime.date(2024, 9, 1), 75000, 61000, 97500),
    (datetime.date(2025, 7, 1), 77000, 63000, 100100),
]
STD_ORD = [d.toordinal() for d, _u, _r, _t in STANDARDS]
FIRST_DAY = datetime.date(2020, 9, 1).toordinal()
LAST_DAY = datetime.date(2026, 6, 30).toordinal()
BOUNDARY_DAYS = []
for _d in [s[0] for s in STANDARDS] + [datetime.date(2021, 8, 5)]:
    BOUNDARY_DAYS.append(_d.toordinal())
    if _d.toordinal() - 1 >= FIRST_DAY:
        BOUNDARY_DAYS.append(_d.toordinal() - 1)
# Feb 28 / Mar 1 of non-leap years, and Feb 29 2024 (age on Feb-29 birthdays)
FEB_DAYS = [datetime.date(y, m, d).toordinal() for y in (2021, 2022, 2023, 2025, 2026)
            for m, d in ((2, 28), (3, 1))] + [datetime.date(2024, 2, 29).toordinal()]

FIN_MONTHS = 12          # assets.financial_months for Chongqing
TEKUN_FIN_MONTHS = 12    # tekun.financial_months
KEEP_NUM, KEEP_DEN = 7, 10   # 1 - employment_cost_ratio

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
            "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
            "顾毛郝龚邵万钱严覃武戴莫孔向汤冉")
GIVEN = "秀英华明国建文芳兰军平玉志红强丽德学海勇林成春永清桂荣霞俊燕洪辉琴云梅凤洁杰波涛静敏婷宇浩欣雨子涵轩怡佳晨博"

ID_PREFIXES = (["500154"] * 12 + ["500234"] * 4 + ["512234", "512224", "510221"] +
               ["500101", "500235", "500236", "500155", "500102"])
OTHER_COUNTIES = ("500101", "500235", "500236", "500102", "500155", "500234", "500110")
DISABILITY_KINDS = ("physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple")
SIZE_WEIGHTS = (1, 2, 3, 4, 5, 6), (12, 22, 26, 22, 12, 6)


def round_half_up(num, den):
    return (2 * num + den) // (2 * den)


def counted_item(itype, fen, period, imputed):
    """The income rule as the generator expects the engine to apply it (for boundary targets)."""
    if itype in ("basic_pension", "reward", "special_care", "family_planning"):
        return 0
    monthly = round_half_up(fen, 12) if period == "year" else fen
    if itype in ("wage", "business") and not imputed:
        return round_half_up(monthly * KEEP_NUM, KEEP_DEN)
    return monthly


def standard_for(day_ord, area):
    i = bisect.bisect_right(STD_ORD, day_ord) - 1
    _d, urban, rural, tekun = STANDARDS[i]
    return (urban if area == "urban" else rural), tekun


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    # ---- small helpers --------------------------------------------------------------
    def amount(self, fen):
        """Render an amount as a JSON string or number, in one of several spellings."""
        r = self.rng.random()
        whole, cents = divmod(fen, 100)
        if r < 0.70:
            return f'"{whole}.{cents:02d}"'
        if r < 0.78:
            return f'"{short(whole, cents)}"'
        if r < 0.90:
            return f"{whole}.{cents:02d}"
        return short(whole, cents)

    def name(self):
        rng = self.rng
        n = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if rng.random() < 0.7:
            n += rng.choice(GIVEN)
        return n

    def id_number(self, birth_ord, male):
        rng = self.rng
        d = datetime.date.fromordinal(birth_ord)
        seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
        body = f"{rng.choice(ID_PREFIXES)}{d.year:04d}{d.month:02d}{d.day:02d}{seq:03d}"
        total = 0
        for c, w in zip(body, ID_WEIGHTS):
            total += (ord(c) - 48) * w
        check = ID_CHECK[total % 11]
        if check == "X" and rng.random() < 0.3:
            check = "x"
        return body + check

    def birth_for_age(self, day_ord, age):
        """A birth ordinal giving exactly `age` completed years on day_ord."""
        day = datetime.date.fromordinal(day_ord)
        # born between (day - (age+1) years, day - age years]
        hi = _years_before(day, age)
        lo = _years_before(day, age + 1) + 1
        return self.rng.randint(lo, hi)

    # ---- members ----------------------------------------------------------------------
    def member(self, day_ord, relation, age, S, kind):
        rng = self.rng
        m = {
            "relation": relation, "age": age, "birth": self.birth_for_age(day_ord, age),
            "male": rng.random() < 0.5, "grade": 0, "dkind": None, "severe": False,
            "labor": "full", "self_care": "full", "in_school": False, "supporters": "able",
            "fin": 0, "incomes": [],
        }
        r = rng.random()
        if r < 0.07 or kind == "disabled" and relation == "head" and rng.random() < 0.5:
            m["grade"] = rng.choice((1, 1, 2, 2, 3, 3, 4, 4))
            m["dkind"] = rng.choice(DISABILITY_KINDS)
        if rng.random() < (0.12 if kind == "disabled" else 0.035):
            m["severe"] = True
        if age < 16:
            m["labor"] = "none" if rng.random() < 0.8 else "full"
        elif age >= 60:
            m["labor"] = rng.choice(("full", "partial", "partial", "none", "none"))
        else:
            x = rng.random()
            m["labor"] = "full" if x < 0.8 else ("partial" if x < 0.92 else "none")
        if m["grade"] in (1, 2) or m["severe"]:
            m["labor"] = "none" if rng.random() < 0.7 else "partial"
        if age >= 75 or m["grade"] in (1, 2):
            x = rng.random()
            m["self_care"] = "full" if x < 0.4 else ("partial" if x < 0.75 else "none")
        elif age >= 60 and rng.random() < 0.2:
            m["self_care"] = "partial"
        if 6 <= age <= 18:
            m["in_school"] = rng.random() < 0.9
        elif 19 <= age <= 22:
            m["in_school"] = rng.random() < 0.4
        x = rng.random()
        if x < 0.35:
            m["fin"] = rng.randrange(0, 500000)
        elif x < 0.40:
            m["fin"] = rng.randrange(500000, 3000000)
        self.incomes(m, S)
        return m

    def incomes(self, m, S):
        rng = self.rng
        age = m["age"]
        inc = m["incomes"]
        if 16 <= age < 65 and m["labor"] != "none":
            x = rng.random()
            if x < 0.45:
                fen = rng.randrange(80000, 450000)
                if rng.random() < 0.25:
                    fen = fen // 10 * 10 + 5          # 70 % of it ends in half a fen
                if rng.random() < 0.25:
                    inc.append(("wage", fen * 12 + rng.randrange(0, 12), "year", False))
                else:
                    inc.append(("wage", fen, "month", rng.random() < 0.15))
            elif x < 0.60:
                inc.append(("business", rng.randrange(500000, 6000000), "year", rng.random() < 0.1))
            elif x < 0.63:
                inc.append(("wage", 0, "month", False))   # job without pay this month
            elif x < 0.70:
                inc.append(("wage", rng.choice((180000, 170000, 210000, 200000)), "month", True))
        if age >= 60 and rng.random() < 0.8:
            inc.append(("basic_pension", rng.randrange(11500, 30000), "month", False))
        if age >= 55 and rng.random() < 0.15:
            inc.append(("transfer", rng.randrange(20000, 200000), "month", False))
        if rng.random() < 0.08:
            fen = rng.randrange(10000, 2000000)
            if rng.random() < 0.4:
                fen = fen // 12 * 12 + 6          # yearly / 12 ends in half a fen
            inc.append(("property", fen, "year", False))
        if rng.random() < 0.05:
            inc.append(("transfer", rng.randrange(5000, 300000), "year" if rng.random() < 0.5 else "month", False))
        if m["in_school"] and rng.random() < 0.1:
            inc.append(("reward", rng.randrange(50000, 500000), "year", False))
        if rng.random() < 0.03:
            inc.append(("special_care", rng.randrange(30000, 200000), "month", False))
        if age >= 49 and rng.random() < 0.05:
            inc.append(("family_planning", rng.choice((96000, 120000, 144000)), "year", False))

    def household_members(self, day_ord, n, S, kind):
        rng = self.rng
        head_age = rng.randint(22, 88) if n > 1 else rng.randint(18, 95)
        members = [self.member(day_ord, "head", head_age, S, kind)]
        for _ in range(n - 1):
            x = rng.random()
            if x < 0.30 and not any(m["relation"] == "spouse" for m in members):
                rel, age = "spouse", max(18, min(95, head_age + rng.randint(-6, 6)))
            elif x < 0.70:
                rel = "child"
                age = max(0, head_age - rng.randint(20, 38))
            elif x < 0.80 and head_age <= 70:
                rel, age = "parent", min(95, head_age + rng.randint(20, 30))
            elif x < 0.88 and head_age >= 45:
                rel, age = "grandchild", max(0, head_age - rng.randint(40, 60))
            elif x < 0.92 and head_age <= 45:
                rel, age = "grandparent", min(95, head_age + rng.randint(42, 55))
            elif x < 0.97:
                rel, age = "sibling", max(0, min(95, head_age + rng.randint(-12, 12)))
            else:
                rel, age = "other", rng.randint(0, 90)
            members.append(self.member(day_ord, rel, age, S, kind))
        return members

    # ---- one household ----------------------------------------------------------------
    def household(self):
        rng = self.rng
        x = rng.random()
        if x < 0.88:
            day_ord = rng.randint(FIRST_DAY, LAST_DAY)
        elif x < 0.96:
            day_ord = rng.choice(BOUNDARY_DAYS)
        else:
            day_ord = rng.choice(FEB_DAYS)
        area = "rural" if rng.random() < 0.65 else "urban"
        region = self.region(day_ord)
        S, tekun_basic = standard_for(day_ord, area)

        k = rng.random()
        current = None
        fin_target = None
        if k < 0.40:
            kind = "family"
        elif k < 0.48:
            kind = "elderly"
        elif k < 0.50:
            kind = "orphan"
        elif k < 0.58:
            kind = "disabled"
        elif k < 0.64:
            kind = "gradual"
        elif k < 0.69:
            kind = "age"
        elif k < 0.71:
            kind = "rich"
        elif k < 0.75:
            kind = "tekun_edge"
        else:
            kind = "boundary"

        if kind == "elderly":
            n = 1 if rng.random() < 0.7 else 2
            members = []
            for i in range(n):
                m = self.member(day_ord, "head" if i == 0 else "spouse", rng.randint(58, 95), S, kind)
                if rng.random() < 0.75:
                    m["supporters"] = rng.choice(("none", "none", "unable"))
                    if rng.random() < 0.6:
                        m["labor"] = "none"
                members.append(m)
        elif kind == "orphan":
            n = rng.randint(1, 3)
            members = [self.member(day_ord, "head" if i == 0 else "sibling", rng.randint(0, 19), S, kind)
                       for i in range(n)]
            for m in members:
                m["supporters"] = rng.choice(("none", "unable", "none"))
                m["incomes"] = [it for it in m["incomes"] if it[0] != "wage"]
            if rng.random() < 0.5:  # living with a grandparent who is able to support
                members.append(self.member(day_ord, "grandparent", rng.randint(55, 80), S, kind))
        else:
            n = rng.choices(SIZE_WEIGHTS[0], SIZE_WEIGHTS[1])[0]
            members = self.household_members(day_ord, n, S, kind)
            if kind == "family" and rng.random() < 0.5:
                # poorer families: fewer earners
                for m in members:
                    if rng.random() < 0.5:
                        m["incomes"] = [it for it in m["incomes"] if it[0] not in ("wage", "business")]
            if kind == "age":
                self.age_edges(day_ord, members)

        expenses = self.expenses()
        assets = self.assets(len(members), S, kind)

        if kind == "tekun_edge":
            self.tekun_edge(day_ord, members, S)
        elif kind in ("boundary", "gradual"):
            for m in members:
                m["supporters"] = "able"     # nobody leaves as tekun: n is the member count
            n = len(members)
            if kind == "gradual":
                target_pc = rng.randint(S - 200, S * 3 // 2 + 200)
                if rng.random() < 0.4:
                    target_pc = rng.choice((S, S * 3 // 2, S * 3 // 2 + 1, S - 1))
                g = rng.random()
                if g < 0.12:
                    # only a zero-amount wage item (a job just taken up, not yet paid)
                    rng.choice(members)["incomes"].append(("wage", 0, "month", False))
                    self.hit_net(members, expenses, n * target_pc, "transfer_m")
                elif g < 0.20:
                    self.hit_net(members, expenses, n * target_pc, "imputed")
                else:
                    self.hit_net(members, expenses, n * target_pc, "wage")
                current = self.current(day_ord, S, n, force_dibao=True)
            else:
                b = rng.random()
                if b < 0.22:
                    net = n * S
                    if n % 2 == 0 and rng.random() < 0.5:
                        net -= n // 2                       # exactly half a fen below: rounds to S
                    self.hit_net(members, expenses, net, None)
                elif b < 0.34:
                    net = n * (S - 1) if rng.random() < 0.5 else n * S - (n + 1) // 2 - (0 if n % 2 else 1)
                    self.hit_net(members, expenses, max(0, net), None)
                elif b < 0.52:
                    self.hit_net(members, expenses, n * (S * 3 // 2), None)
                elif b < 0.62:
                    self.hit_net(members, expenses, n * (S * 3 // 2 + 1), None)
                elif b < 0.68:
                    # deduction larger than income
                    expenses.append(("medical", n * S * 12 + rng.randrange(0, 10000000), "year"))
                if b >= 0.50 or rng.random() < 0.5:
                    fin_target = rng.random()
            if rng.random() < 0.9:
                assets["vehicles"] = 0
                assets["extra_houses"] = 0
                if fin_target is None and assets["financial"] > FIN_MONTHS * S * n:
                    assets["financial"] = rng.randrange(0, FIN_MONTHS * S * n)
            if fin_target is not None:
                limit = FIN_MONTHS * S * n
                if fin_target < 0.35:
                    assets["financial"] = limit
                elif fin_target < 0.6:
                    assets["financial"] = limit + 1
                elif fin_target < 0.8:
                    assets["financial"] = limit + max(1, (n - 1) // 2)
                else:
                    assets["financial"] = limit - 1
                assets["vehicles"] = 0
                assets["extra_houses"] = 0
        if current is None and rng.random() < 0.30:
            current = self.current(day_ord, S, len(members), force_dibao=False)
        return self.render(region, area, day_ord, current, members, assets, expenses)

    def region(self, day_ord):
        rng = self.rng
        x = rng.random()
        if x < 0.80:
            t = rng.randint(1, 40)
            if 0.01 < x < 0.02:
                t = 3
            y = rng.random()
            if y < 0.55:
                return f"500154{t:03d}{rng.randint(1, 30):03d}"
            if y < 0.90:
                return f"500154{t:03d}"
            if y < 0.95:
                return "500154"
            return f"500154{t:03d}000"
        county = rng.choice(OTHER_COUNTIES)
        y = rng.random()
        if y < 0.4:
            return county
        if y < 0.75:
            return f"{county}{rng.randint(1, 30):03d}"
        return f"{county}{rng.randint(1, 30):03d}{rng.randint(1, 20):03d}"

    def age_edges(self, day_ord, members):
        """Put a member exactly on (or one day short of) a threshold birthday."""
        rng = self.rng
        day = datetime.date.fromordinal(day_ord)
        m = rng.choice(members)
        age = rng.choice((6, 16, 18, 60, 70))
        if day.month == 2 and day.day == 29:
            m["birth"] = datetime.date(day.year - age, 3, 1).toordinal() if (day.year - age) % 4 else \
                datetime.date(day.year - age, 2, 29).toordinal()
        elif day.month in (2, 3) and day.day in (28, 1) and rng.random() < 0.7:
            # Feb-29 births assessed on Feb 28 / Mar 1 of a non-leap year
            year = day.year - age
            while not _leap(year):
                year -= 1
            m["birth"] = datetime.date(year, 2, 29).toordinal()
        else:
            m["birth"] = _years_before(day, age) + (1 if rng.random() < 0.3 else 0)
        m["age"] = _age(datetime.date.fromordinal(m["birth"]), day)
        if m["age"] < 16:
            m["labor"] = "none"
        if rng.random() < 0.5:
            m["supporters"] = rng.choice(("none", "unable"))
            m["labor"] = "none"
        if m["age"] >= 60 and rng.random() < 0.5:
            m["grade"] = 0

    def tekun_edge(self, day_ord, members, S):
        """A member who is tekun in every other respect, with income or assets on the limit."""
        rng = self.rng
        m = rng.choice(members)
        if m["age"] < 60 and m["age"] >= 18:
            m["birth"] = self.birth_for_age(day_ord, rng.randint(60, 90))
            m["age"] = _age(datetime.date.fromordinal(m["birth"]), datetime.date.fromordinal(day_ord))
        m["labor"] = "none"
        m["supporters"] = rng.choice(("none", "unable"))
        m["fin"] = rng.randrange(0, 300000)
        x = rng.random()
        if x < 0.5:
            target = S if rng.random() < 0.5 else S - 1
            keep = [it for it in m["incomes"] if it[0] == "basic_pension"]
            if rng.random() < 0.5:
                keep.append(("transfer", target * 12 + rng.randint(-6, 5), "year", False))
            else:
                keep.append(("transfer", target, "month", False))
            m["incomes"] = keep
        else:
            m["fin"] = TEKUN_FIN_MONTHS * S + (0 if rng.random() < 0.5 else 1)
            m["incomes"] = [it for it in m["incomes"] if it[0] == "basic_pension"]

    def hit_net(self, members, expenses, target, how):
        """Add one income item so that counted income - deduction == target (fen)."""
        rng = self.rng
        counted = sum(counted_item(*it) for m in members for it in m["incomes"])
        deduction = round_half_up(sum(a for t, a, p in expenses if t != "other" and p == "year"), 12) + \
            sum(a for t, a, p in expenses if t != "other" and p == "month")
        x = target - (counted - deduction)
        if x < 0:
            for m in members:
                m["incomes"] = [it for it in m["incomes"] if counted_item(*it) == 0]
            x = target + deduction
        m = rng.choice([mm for mm in members if 18 <= mm["age"] < 60] or
                       [mm for mm in members if mm["age"] >= 16] or members)
        if how is None:
            how = rng.choice(("transfer_m", "transfer_y", "wage", "imputed", "property_y"))
        if how == "wage":
            w = x * KEEP_DEN // KEEP_NUM
            while round_half_up(w * KEEP_NUM, KEEP_DEN) < x:
                w += 1
            if round_half_up((w + 1) * KEEP_NUM, KEEP_DEN) == x and rng.random() < 0.5:
                w += 1                      # two wages give the same counted amount
            m["incomes"].append(("wage", w, "month", False))
            m["labor"] = "full" if m["labor"] == "none" else m["labor"]
        elif how == "imputed":
            m["incomes"].append(("wage", x, "month", True))
        elif how in ("transfer_y", "property_y") and x > 0:
            k = rng.randint(-6, 5) if x > 0 else rng.randint(0, 5)
            m["incomes"].append(("transfer" if how == "transfer_y" else "property", 12 * x + k, "year", False))
        else:
            m["incomes"].append(("transfer", x, "month", False))

    def expenses(self):
        rng = self.rng
        out = []
        if rng.random() < 0.45:
            return out
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            t = rng.choice(("medical", "medical", "medical", "education", "education", "epidemic", "other"))
            if rng.random() < 0.15:
                out.append((t, rng.randrange(1000, 200000), "month"))
            else:
                fen = rng.randrange(50000, 6000000)
                if rng.random() < 0.3:
                    fen = fen // 12 * 12 + 6
                out.append((t, fen, "year"))
        return out

    def assets(self, n, S, kind):
        rng = self.rng
        x = rng.random()
        if kind == "rich" or x < 0.05:
            fin = rng.randrange(FIN_MONTHS * S * n // 2, FIN_MONTHS * S * n * 3)
        elif x < 0.65:
            fin = rng.randrange(0, 800000)
        else:
            fin = rng.randrange(800000, max(900000, FIN_MONTHS * S * n))
        vehicles = 0
        houses = 0
        if kind == "rich" or rng.random() < 0.06:
            vehicles = rng.choice((1, 1, 2))
        if kind == "rich" or rng.random() < 0.04:
            houses = rng.choice((1, 1, 2))
        return {"financial": fin, "vehicles": vehicles, "extra_houses": houses}

    def current(self, day_ord, S, n, force_dibao):
        rng = self.rng
        prog = "dibao" if force_dibao or rng.random() < 0.8 else rng.choice(("marginal", "tekun"))
        cur = {"programme": prog, "monthly_benefit": rng.randrange(5000, S * n + 1), "rise": None}
        if prog == "dibao" and (force_dibao and rng.random() < 0.8 or rng.random() < 0.35):
            day = datetime.date.fromordinal(day_ord)
            mi = day.year * 12 + day.month - 1 - rng.choice((0, 1, 2, 3, 4, 5, 6, 6, 6, 7, 7, 8, 10))
            cur["rise"] = f"{mi // 12:04d}-{mi % 12 + 1:02d}"
        return cur

    # ---- JSON text ----------------------------------------------------------------------
    def render(self, region, area, day_ord, current, members, assets, expenses):
        rng = self.rng
        amount = self.amount
        day = datetime.date.fromordinal(day_ord)
        parts = [f'{{"region":"{region}","area":"{area}","date":"{day.year:04d}-{day.month:02d}-{day.day:02d}"']
        if current is not None:
            c = f'"current":{{"programme":"{current["programme"]}","monthly_benefit":{amount(current["monthly_benefit"])}'
            if current["rise"] is not None:
                c += f',"income_rise_month":"{current["rise"]}"'
            parts.append(c + "}")
        ms = []
        for m in members:
            full = rng.random() < 0.5      # write the defaults out, or leave them out
            s = [f'{{"id":"{self.id_number(m["birth"], m["male"])}","name":"{self.name()}","relation":"{m["relation"]}"']
            if full or m["grade"]:
                s.append(f'"disability_grade":{m["grade"]}')
            if m["dkind"] is not None:
                s.append(f'"disability_kind":"{m["dkind"]}"')
            elif full:
                s.append('"disability_kind":null')
            if full or m["severe"]:
                s.append(f'"severe_illness":{"true" if m["severe"] else "false"}')
            if full or m["labor"] != "full":
                s.append(f'"labor_capacity":"{m["labor"]}"')
            if full or m["self_care"] != "full":
                s.append(f'"self_care":"{m["self_care"]}"')
            if full or m["in_school"]:
                s.append(f'"in_school":{"true" if m["in_school"] else "false"}')
            if full or m["supporters"] != "able":
                s.append(f'"supporters":"{m["supporters"]}"')
            if full or m["fin"]:
                s.append(f'"financial_assets":{amount(m["fin"])}')
            if m["incomes"] or full:
                items = []
                for t, fen, period, imputed in m["incomes"]:
                    it = f'{{"type":"{t}","amount":{amount(fen)}'
                    if period == "year" or rng.random() < 0.5:
                        it += f',"period":"{period}"'
                    if imputed or rng.random() < 0.5:
                        it += f',"imputed":{"true" if imputed else "false"}'
                    items.append(it + "}")
                s.append(f'"incomes":[{",".join(items)}]')
            ms.append(",".join(s) + "}")
        parts.append(f'"members":[{",".join(ms)}]')
        if assets["financial"] or assets["vehicles"] or assets["extra_houses"] or rng.random() < 0.5:
            a = [f'"financial":{amount(assets["financial"])}']
            if assets["vehicles"] or rng.random() < 0.5:
                a.append(f'"vehicles":{assets["vehicles"]}')
            if assets["extra_houses"] or rng.random() < 0.5:
                a.append(f'"extra_houses":{assets["extra_houses"]}')
            parts.append(f'"assets":{{{",".join(a)}}}')
        if expenses or rng.random() < 0.3:
            es = []
            for t, fen, period in expenses:
                e = f'{{"type":"{t}","amount":{amount(fen)}'
                if period == "year" or rng.random() < 0.5:
                    e += f',"period":"{period}"'
                es.append(e + "}")
            parts.append(f'"expenses":[{",".join(es)}]')
        return ",".join(parts) + "}\n"


def short(whole, cents):
    if cents == 0:
        return str(whole)
    if cents % 10 == 0:
        return f"{whole}.{cents // 10}"
    return f"{whole}.{cents:02d}"


def _leap(y):
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def _years_before(day, years):
    """Ordinal of the latest birth date giving `years` completed years on `day`."""
    y = day.year - years
    try:
        return datetime.date(y, day.month, day.day).toordinal()
    except ValueError:      # Feb 29 in a non-leap year: born Feb 28 reaches the age on day
        return datetime.date(y, 2, 28).toordinal()


def _age(birth, day):
    a = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        a -= 1
    return a


def main():
    ap = argparse.ArgumentParser(description="generate household NDJSON for doudi assess --batch")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    out = open(args.out, "w", encoding="utf-8", newline="\n") if args.out else sys.stdout
    gen = Gen(args.seed)
    buf = []
    for i in range(args.count):
        buf.append(gen.household())
        if len(buf) >= 4096:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))
    out.flush()
    if args.out:
        out.close()


if __name__ == "__main__":
    main()
