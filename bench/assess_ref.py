#!/usr/bin/env python3
"""assess_ref.py - independent reference implementation of `doudi assess --batch`.

Written from /work/shared/spec/ASSESS.md (with RULES.md and PARAMETERS.md) only, without
looking at the C sources.  Python 3.11, standard library only.

    python3 bench/assess_ref.py --policy POLICY.json [--date YYYY-MM-DD] FILE.ndjson|-

One household JSON per input line, one result JSON per output line, same order.  A bad line
gives {"line": N, "error": "field.path: reason"} and the run goes on; exit 2 at the end if any
line was bad.  A bad policy file: message on stderr, exit 2 at once.

Money is integer fen throughout; JSON numbers are parsed keeping their text
(parse_float keeps the literal), never through a float.

READINGS CHOSEN WHERE ASSESS.md IS AMBIGUOUS (to reconcile with the C implementation)
------------------------------------------------------------------------------------
Input
 A1. Money strings must match  [0-9]+(\\.[0-9]{1,2})?  exactly: no sign, no blanks, no exponent,
     no "1500." or ".5"; leading zeros ("007.50") are accepted.  JSON numbers: the literal
     text is checked the same way, so 12.300 (3 fraction digits, even though the value has
     2) and 1e3 / 1.5E2 (exponent form) are rejected; a negative number is rejected.
     JSON integers are whole yuan.  Booleans are not numbers.  Upper bound: 10^12 yuan
     (10^14 fen) per amount, above that "金额过大".
 A2. JSON null for an optional field is the same as the field being absent (takes the
     default).  Null for a required field is "missing".
 A3. Required: region, area, date (unless --date is given), members (a non-empty list),
     members[i].id, .name (string, may be empty) and .relation; incomes[j].type/.amount;
     expenses[j].type/.amount.  current is optional; inside it `programme` is required (any
     non-empty string; only "dibao" has an effect), `monthly_benefit` defaults to 0 and
     `income_rise_month` ("YYYY-MM") is optional.
 A4. An empty members list is rejected (members: 至少需要一名成员).
 A5. region: 6, 9 or 12 digits.  The household region's significant form is used for policy
     matching (so "500154000" matches like "500154").
 A6. With --date, the household's own `date` may be missing; if present it must still be a
     real YYYY-MM-DD date (it is validated, then ignored).
 A7. Integer fields (disability_grade 0-4, vehicles >= 0, extra_houses >= 0) must be JSON
     integers (not 2.0, not "2", not true).  A disability_kind with grade 0 is accepted.
 A8. Unknown keys anywhere are ignored.  Duplicate ID numbers inside a household are not
     checked.  Whitespace-only lines in the middle of the file are bad lines ("空行").
 A9. ID: 17 digits + [0-9Xx], GB 11643 check digit, birth date (digits 7-14) a real date not
     after the assessment date (born on the assessment date is allowed, age 0).
Ages
 B1. Age = completed years on the assessment date: the birthday is reached when
     (month, day) >= (birth month, birth day).  So someone born on Feb 29 turns a year older
     on Mar 1 in a non-leap year (not on Feb 28).
 B2. "age >= X" / "age < X" use that integer age for tekun.elderly_age, tekun.minor_age,
     tekun.no_labor_age, dibao.addon.elderly_age, dibao.addon.child_age.
Income and deduction
 C1. Per income item: yearly amount -> round_half_up(fen / 12) first; then, for wage/business
     not imputed, round_half_up(monthly * (1 - ratio)).  Two roundings per item, in that order
     (not a single rounding of amount*(1-ratio)/12, and not monthly - round(monthly*ratio)).
 C2. Excluded types count 0 even when they are wage/business (exclusion checked first).
 C3. A member's counted income = sum of its items; household counted_income = sum over the
     members assessed together (tekun members left out).
 C4. Deduction = round_half_up(sum of all yearly rigid expenses / 12) + sum of monthly rigid
     expenses: the yearly items are summed first, then divided once (not per item).
     `income.rigid_expense_cap` (RULES.md, not in ASSESS.md) is applied as min(deduction, cap)
     only when a value is in force; it is not required.
 C5. When household_size is 0 (all members tekun), counted_income AND deduction are "0.00"
     ("monthly household sums over the members assessed together").  Expenses are household
     level, not per member, so otherwise they are never split off with tekun members.
 C6. per_capita_income = round_half_up(max(0, counted - deduction) / n).
Asset test
 D1. Only assets.financial counts (members' own financial_assets are used only for the
     tekun test, never added to the household figure).
 D2. financial / n <= months * S is tested EXACTLY (financial <= months * S * n in fen), no
     rounding of the per-capita amount.  Likewise tekun: financial_assets <= months * S exactly.
 D3. When household_size is 0 the asset test is not evaluated and is false.
Ratios
 E1. All ratio comparisons are exact rational comparisons on fen: P <= gradual_ratio * S and
     P <= marginal.ratio * S (no rounding of 1.5 * S).
Determination
 F1. The suspended rule needs current.programme == "dibao" and exit.suspended true; asset test
     not required.  D there = full dibao amount (base + add-ons, rounding, minimum) when P < S,
     else 0; benefit = max(D, current.monthly_benefit), nothing re-rounded after the max.
 F2. Gradual exit: P >= S and P <= ratio*S, current dibao, no asset test; "has a wage or
     business income that is not imputed" = has an income ITEM of type wage or business with
     imputed false, whatever its amount (a 0.00 wage item counts) and period, and even though
     such a type would be in income.excluded_types (not the case in any shipped policy).
     Month arithmetic: until = rise month + gradual_months (calendar months); allowed while
     assessment month <= until.  A rise month after the assessment month is accepted as is.
 F3. The "none" for household_size 0 also gives monthly_benefit "0.00", single_person [].
Benefit
 G1. D = (S - P) * n + add-ons with the ROUNDED P (so n=3, net 1742.00, S 581.00 gives
     P 580.67 and base 0.99, not n*S - net = 1.00); then benefit_rounding ("fen" = unchanged,
     "yuan" = half-up to a whole yuan, applied to base + add-ons); then max(D, benefit_min).
 G2. Add-ons: severe applies for grade 1-2 (fixed, as ASSESS.md says, not a parameter),
     severe_illness, or age >= elderly_age; child_student for age < child_age or in_school;
     member add-on = max(severe?, child?) + (disabled if grade >= 1).  Add-on amounts default
     to 0.00 when no value is in force; the two ages are required like other parameters.
 G3. Single person: benefit = max(0, S - own counted income); listed in member order, only for
     "marginal" households and only when single_person.enabled is true.  disability_grades in
     the policy may be integers or digit strings.
Tekun
 H1. Tekun is checked for every member regardless of the final determination; the `tekun`
     list is output in member order even when the household is dibao/none.
 H2. "care" in a tekun entry is the member's self_care code ("full" / "partial" / "none"),
     i.e. which tekun.care.<x> was used; monthly_benefit = tekun.basic.<area> + that care amount.
 H3. The income test uses the member's own counted income (rule 3, including the 30 %
     deduction and the exclusions); financial test uses the member's financial_assets.
 H4. A grade 3 member counts via tekun.grade3_kinds only; grades in tekun.disability_grades
     count whatever the kind.
Policy
 P1. Significant form: levels 1-2, 3-4, 5-6, 7-9, 10-12; trailing all-zero levels dropped.
     Policy region must be "" or 2, 4, 6, 9 or 12 digits.  Matching is a string prefix test on
     the significant forms (they always end on a level boundary).
 P2. Among entries with from <= date and a matching region: longest significant region, then
     latest from; an exact tie (same significant region and same from) goes to the entry that
     comes LATER in the file.
 P3. Only the names the engine uses are validated (entries of other names, e.g. subsidy.* with
     a bare year as `from`, are ignored entirely).  Extra keys (kind, demo, source, ...) are
     ignored.  money: decimal string or number (>= 0); ratio: decimal string or number;
     integer: JSON integer or digit string; boolean: JSON true/false only; list: JSON list;
     code: string.
 P4. Parameters are looked up eagerly for every household; any required one missing for the
     region and date makes the LINE bad: {"line":N,"error":"policy: <name>: 无有效政策参数 ..."}
     (the whole run goes on, exit 2 at the end).  Optional: dibao.addon.disabled/.severe/
     .child_student (0.00) and income.rigid_expense_cap (no cap).
 P5. Without --policy, <repo>/policy/default.json is used.
Output
 O1. Keys in the ASSESS.md order; amounts as "yuan.ff" strings; compact JSON, UTF-8 (not
     \\u-escaped); ID numbers in output with an upper-case X.
"""

import argparse
import datetime
import json
import os
import re
import sys
from fractions import Fraction


# ----------------------------------------------------------------------------------------
# errors


class InputError(Exception):
    """A bad input field: path and reason."""

    def __init__(self, path, reason):
        super().__init__(f"{path}: {reason}" if path else reason)


class PolicyMissing(Exception):
    def __init__(self, name, region, date):
        super().__init__(f"policy: {name}: 无有效政策参数 (no value in force for region {region} on {date})")


class PolicyError(Exception):
    pass


# ----------------------------------------------------------------------------------------
# JSON helpers


class NumText(str):
    """The literal text of a JSON number with a fraction or exponent (kept exact)."""


def _reject_constant(name):
    raise ValueError(f"invalid JSON constant {name}")


def load_json(text):
    return json.loads(text, parse_float=NumText, parse_constant=_reject_constant)


MONEY_RE = re.compile(r"([0-9]+)(?:\.([0-9]{1,2}))?\Z")
DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})\Z")
ID_RE = re.compile(r"[0-9]{17}[0-9Xx]\Z")
REGION_RE = re.compile(r"[0-9]{6}(?:[0-9]{3}){0,2}\Z")
MAX_FEN = 10 ** 14

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

RELATIONS = {"head", "spouse", "child", "parent", "grandparent", "grandchild", "sibling", "other"}
DISABILITY_KINDS = {"physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple"}
LEVELS3 = ("full", "partial", "none")
SUPPORTERS = ("able", "unable", "none")
INCOME_TYPES = {"wage", "business", "property", "transfer", "basic_pension", "reward",
                "special_care", "family_planning"}
EXPENSE_TYPES = {"medical", "education", "epidemic", "other"}
PERIODS = ("month", "year")

INCOME_CN = {
    "wage": "工资性收入", "business": "经营净收入", "property": "财产净收入",
    "transfer": "转移净收入", "basic_pension": "基础养老金", "reward": "奖励性补助",
    "special_care": "优待抚恤金", "family_planning": "计划生育奖励扶助金",
}
EXPENSE_CN = {"medical": "医疗", "education": "教育", "epidemic": "疫情防控", "other": "其他"}
AREA_CN = {"urban": "城市", "rural": "农村"}
CARE_CN = {"full": "全自理", "partial": "半失能", "none": "全失能"}
SUPPORTERS_CN = {"able": "有赡养能力", "unable": "赡养人无能力", "none": "无赡养人"}
DETERMINATION_CN = {"dibao": "低保", "dibao_gradual_exit": "低保渐退", "marginal": "低保边缘",
                    "none": "不符合"}


def money_text_to_fen(text, path):
    m = MONEY_RE.match(text)
    if m is None:
        if text.startswith("-"):
            raise InputError(path, "金额不能为负 (negative amount)")
        if "e" in text or "E" in text:
            raise InputError(path, "金额不能用指数形式 (exponent form not allowed)")
        frac = text.partition(".")[2]
        if frac.isdigit() and len(frac) > 2:
            raise InputError(path, "金额最多两位小数 (more than two fraction digits)")
        raise InputError(path, f"金额格式错误 (bad amount {text!r})")
    whole, frac = m.group(1), m.group(2) or ""
    fen = int(whole) * 100 + int(frac.ljust(2, "0") or "0")
    if fen > MAX_FEN:
        raise InputError(path, "金额过大 (amount too large)")
    return fen


def parse_money(value, path):
    if isinstance(value, bool):
        raise InputError(path, "应为金额 (expected an amount)")
    if isinstance(value, int):
        if value < 0:
            raise InputError(path, "金额不能为负 (negative amount)")
        if value * 100 > MAX_FEN:
            raise InputError(path, "金额过大 (amount too large)")
        return value * 100
    if isinstance(value, str):  # NumText or a JSON string
        return money_text_to_fen(value, path)
    raise InputError(path, "应为金额 (expected an amount)")


def parse_date(value, path):
    if not isinstance(value, str):
        raise InputError(path, "应为日期字符串 YYYY-MM-DD (expected a date string)")
    m = DATE_RE.match(value)
    if m is None:
        raise InputError(path, f"日期格式错误 (bad date {value!r})")
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise InputError(path, f"日期不存在 (no such date {value})") from None


def parse_month(value, path):
    if not isinstance(value, str):
        raise InputError(path, "应为月份字符串 YYYY-MM (expected a month string)")
    m = MONTH_RE.match(value)
    if m is None:
        raise InputError(path, f"月份格式错误 (bad month {value!r})")
    year, month = int(m.group(1)), int(m.group(2))
    if year < 1 or not 1 <= month <= 12:
        raise InputError(path, f"月份不存在 (no such month {value})")
    return year * 12 + (month - 1)


def month_text(index):
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def get(obj, key, path, required=False, default=None):
    value = obj.get(key)
    if value is None:
        if required:
            raise InputError(join(path, key), "缺少字段 (missing)")
        return default
    return value


def join(path, key):
    return f"{path}.{key}" if path else key


def expect_str(value, path):
    if not isinstance(value, str) or isinstance(value, NumText):
        raise InputError(path, "应为字符串 (expected a string)")
    return value


def expect_enum(value, allowed, path):
    expect_str(value, path)
    if value not in allowed:
        raise InputError(path, f"取值无效 (unknown value {value!r})")
    return value


def expect_bool(value, path):
    if not isinstance(value, bool):
        raise InputError(path, "应为 true/false (expected a boolean)")
    return value


def expect_int(value, path, lo, hi=None):
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(path, "应为整数 (expected an integer)")
    if value < lo or (hi is not None and value > hi):
        raise InputError(path, f"超出范围 (out of range: {value})")
    return value


def expect_list(value, path):
    if not isinstance(value, list):
        raise InputError(path, "应为数组 (expected a list)")
    return value


def expect_obj(value, path):
    if not isinstance(value, dict):
        raise InputError(path, "应为对象 (expected an object)")
    return value


# ----------------------------------------------------------------------------------------
# arithmetic


def round_half_up(numerator, denominator):
    """numerator / denominator rounded half-up to an integer (both >= 0, denominator > 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def yuan(fen):
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def ratio_text(r):
    if r.denominator == 1:
        return str(r.numerator)
    return format(float(r), "g") if r.denominator in (2, 4, 5, 10, 20, 25, 50, 100) else str(r)


def percent_text(r):
    p = r * 100
    return f"{p.numerator}%" if p.denominator == 1 else f"{float(p):g}%"


def age_on(birth, day):
    age = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        age -= 1
    return age


# ----------------------------------------------------------------------------------------
# region codes and the policy file

LEVEL_BOUNDS = ((0, 2), (2, 4), (4, 6), (6, 9), (9, 12))


def significant(code):
    """Drop trailing all-zero levels: "500000" -> "50", "500154000000" -> "500154"."""
    levels = [code[a:b] for a, b in LEVEL_BOUNDS if a < len(code)]
    while levels and set(levels[-1]) <= {"0"}:
        levels.pop()
    return "".join(levels)


PARAM_KINDS = {
    "dibao.standard.urban": "money", "dibao.standard.rural": "money",
    "dibao.benefit_rounding": "code", "dibao.benefit_min": "money",
    "dibao.addon.disabled": "money", "dibao.addon.severe": "money",
    "dibao.addon.child_student": "money", "dibao.addon.elderly_age": "int",
    "dibao.addon.child_age": "int",
    "income.employment_cost_ratio": "ratio", "income.excluded_types": "list",
    "income.rigid_expense_types": "list", "income.rigid_expense_cap": "money",
    "assets.financial_months": "int", "assets.vehicles_max": "int", "assets.houses_max": "int",
    "exit.suspended": "bool", "exit.gradual_ratio": "ratio", "exit.gradual_months": "int",
    "marginal.ratio": "ratio",
    "single_person.enabled": "bool", "single_person.disability_grades": "list",
    "tekun.elderly_age": "int", "tekun.minor_age": "int", "tekun.no_labor_age": "int",
    "tekun.disability_grades": "list", "tekun.grade3_kinds": "list",
    "tekun.financial_months": "int",
    "tekun.basic.urban": "money", "tekun.basic.rural": "money",
    "tekun.care.full": "money", "tekun.care.partial": "money", "tekun.care.none": "money",
}

OPTIONAL_DEFAULTS = {
    "dibao.addon.disabled": 0, "dibao.addon.severe": 0, "dibao.addon.child_student": 0,
    "income.rigid_expense_cap": None,
}

RATIO_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?\Z")
DIGITS_RE = re.compile(r"[0-9]+\Z")


def parse_policy_value(kind, value, where):
    try:
        if kind == "money":
            return parse_money(value, "value")
        if kind == "ratio":
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise PolicyError("应为比例 (expected a ratio)")
            text = str(value)
            if not RATIO_RE.match(text):
                raise PolicyError(f"比例格式错误 (bad ratio {text!r})")
            return Fraction(text)
        if kind == "int":
            if isinstance(value, str) and not isinstance(value, NumText) and DIGITS_RE.match(value):
                return int(value)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise PolicyError("应为非负整数 (expected an integer)")
            return value
        if kind == "bool":
            if not isinstance(value, bool):
                raise PolicyError("应为 true/false (expected a boolean)")
            return value
        if kind == "list":
            if not isinstance(value, list):
                raise PolicyError("应为数组 (expected a list)")
            return value
        if kind == "code":
            if not isinstance(value, str):
                raise PolicyError("应为字符串 (expected a string)")
            return value
    except InputError as e:
        raise PolicyError(f"{where}: {e}") from None
    except PolicyError as e:
        raise PolicyError(f"{where}: {e}") from None
    raise PolicyError(f"{where}: unknown kind {kind}")


class Policy:
    def __init__(self, path):
        try:
            with open(path, "rb") as f:
                doc = load_json(f.read().decode("utf-8-sig"))
        except OSError as e:
            raise PolicyError(f"{path}: 无法读取 ({e.strerror})") from None
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            raise PolicyError(f"{path}: 不是有效的JSON ({e})") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("parameters"), list):
            raise PolicyError(f"{path}: 缺少 parameters 数组")
        # name -> list of (significant region, from date, order, value)
        self.by_name = {}
        for i, entry in enumerate(doc["parameters"]):
            where = f"{path}: parameters[{i}]"
            if not isinstance(entry, dict):
                raise PolicyError(f"{where}: 应为对象")
            name = entry.get("name")
            if not isinstance(name, str):
                raise PolicyError(f"{where}.name: 缺少参数名")
            kind = PARAM_KINDS.get(name)
            if kind is None:
                continue  # not used by the assessment engine
            region = entry.get("region", "")
            if not isinstance(region, str) or not re.fullmatch(r"(?:[0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})?", region):
                raise PolicyError(f"{where}.region: 区划代码无效 ({region!r})")
            try:
                frm = parse_date(entry.get("from"), "from")
            except InputError as e:
                raise PolicyError(f"{where}.{e}") from None
            if "value" not in entry:
                raise PolicyError(f"{where}.value: 缺少取值")
            value = parse_policy_value(kind, entry["value"], f"{where}.value ({name})")
            self.by_name.setdefault(name, []).append((significant(region), frm, i, value))

    def lookup(self, name, region_sig, day, region_code):
        best = None
        best_key = None
        for sig, frm, order, value in self.by_name.get(name, ()):
            if frm <= day and region_sig.startswith(sig):
                key = (len(sig), frm, order)
                if best_key is None or key > best_key:
                    best_key = key
                    best = value
        if best_key is None:
            if name in OPTIONAL_DEFAULTS:
                return OPTIONAL_DEFAULTS[name]
            raise PolicyMissing(name, region_code, day.isoformat())
        return best


# ----------------------------------------------------------------------------------------
# the household, parsed and checked


class Member:
    __slots__ = ("index", "id", "name", "relation", "birth", "age", "disability_grade",
                 "disability_kind", "severe_illness", "labor_capacity", "self_care", "in_school",
                 "supporters", "financial_assets", "incomes", "counted_income", "tekun")


class Household:
    __slots__ = ("region", "area", "date", "current_programme", "current_benefit",
                 "rise_month", "members", "financial", "vehicles", "extra_houses", "expenses")


def check_id(value, path, day):
    expect_str(value, path)
    if len(value) != 18:
        raise InputError(path, f"身份证号应为18位 (expected 18 characters, got {len(value)})")
    if not ID_RE.match(value):
        raise InputError(path, "身份证号含非法字符 (17 digits and a check character expected)")
    total = sum(int(c) * w for c, w in zip(value[:17], ID_WEIGHTS))
    if ID_CHECK[total % 11] != value[17].upper():
        raise InputError(path, "身份证号校验码错误 (check digit mismatch)")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InputError(path, "身份证号出生日期不存在 (birth date does not exist)") from None
    if birth > day:
        raise InputError(path, "身份证号出生日期晚于评估日期 (birth date after the assessment date)")
    return value.upper(), birth


def parse_household(obj, date_override):
    if not isinstance(obj, dict):
        raise InputError("", "应为JSON对象 (expected a JSON object)")
    h = Household()
    h.region = expect_str(get(obj, "region", "", True), "region")
    if not REGION_RE.match(h.region):
        raise InputError("region", f"区划代码应为6、9或12位数字 (bad region code {h.region!r})")
    h.area = expect_enum(get(obj, "area", "", True), ("urban", "rural"), "area")
    if date_override is not None:
        raw_date = get(obj, "date", "")
        if raw_date is not None:
            parse_date(raw_date, "date")
        h.date = date_override
    else:
        h.date = parse_date(get(obj, "date", "", True), "date")

    h.current_programme = None
    h.current_benefit = 0
    h.rise_month = None
    current = get(obj, "current", "")
    if current is not None:
        expect_obj(current, "current")
        programme = expect_str(get(current, "programme", "current", True), "current.programme")
        if not programme:
            raise InputError("current.programme", "不能为空 (empty)")
        h.current_programme = programme
        benefit = get(current, "monthly_benefit", "current")
        if benefit is not None:
            h.current_benefit = parse_money(benefit, "current.monthly_benefit")
        rise = get(current, "income_rise_month", "current")
        if rise is not None:
            h.rise_month = parse_month(rise, "current.income_rise_month")

    members = expect_list(get(obj, "members", "", True), "members")
    if not members:
        raise InputError("members", "至少需要一名成员 (at least one member)")
    h.members = []
    for i, raw in enumerate(members):
        path = f"members[{i}]"
        expect_obj(raw, path)
        m = Member()
        m.index = i
        m.id, m.birth = check_id(get(raw, "id", path, True), path + ".id", h.date)
        m.age = age_on(m.birth, h.date)
        m.name = expect_str(get(raw, "name", path, True), path + ".name")
        m.relation = expect_enum(get(raw, "relation", path, True), RELATIONS, path + ".relation")
        m.disability_grade = expect_int(get(raw, "disability_grade", path, default=0),
                                        path + ".disability_grade", 0, 4)
        kind = get(raw, "disability_kind", path)
        m.disability_kind = None if kind is None else expect_enum(kind, DISABILITY_KINDS,
                                                                  path + ".disability_kind")
        m.severe_illness = expect_bool(get(raw, "severe_illness", path, default=False),
                                       path + ".severe_illness")
        m.labor_capacity = expect_enum(get(raw, "labor_capacity", path, default="full"), LEVELS3,
                                       path + ".labor_capacity")
        m.self_care = expect_enum(get(raw, "self_care", path, default="full"), LEVELS3,
                                  path + ".self_care")
        m.in_school = expect_bool(get(raw, "in_school", path, default=False), path + ".in_school")
        m.supporters = expect_enum(get(raw, "supporters", path, default="able"), SUPPORTERS,
                                   path + ".supporters")
        m.financial_assets = parse_money(get(raw, "financial_assets", path, default="0"),
                                         path + ".financial_assets")
        m.incomes = []
        for j, item in enumerate(expect_list(get(raw, "incomes", path, default=[]), path + ".incomes")):
            ipath = f"{path}.incomes[{j}]"
            expect_obj(item, ipath)
            itype = expect_enum(get(item, "type", ipath, True), INCOME_TYPES, ipath + ".type")
            amount = parse_money(get(item, "amount", ipath, True), ipath + ".amount")
            period = expect_enum(get(item, "period", ipath, default="month"), PERIODS, ipath + ".period")
            imputed = expect_bool(get(item, "imputed", ipath, default=False), ipath + ".imputed")
            m.incomes.append((itype, amount, period, imputed))
        h.members.append(m)

    assets = get(obj, "assets", "", default={})
    expect_obj(assets, "assets")
    h.financial = parse_money(get(assets, "financial", "assets", default=0), "assets.financial")
    h.vehicles = expect_int(get(assets, "vehicles", "assets", default=0), "assets.vehicles", 0)
    h.extra_houses = expect_int(get(assets, "extra_houses", "assets", default=0),
                                "assets.extra_houses", 0)

    h.expenses = []
    for j, item in enumerate(expect_list(get(obj, "expenses", "", default=[]), "expenses")):
        epath = f"expenses[{j}]"
        expect_obj(item, epath)
        etype = expect_enum(get(item, "type", epath, True), EXPENSE_TYPES, epath + ".type")
        amount = parse_money(get(item, "amount", epath, True), epath + ".amount")
        period = expect_enum(get(item, "period", epath, default="month"), PERIODS, epath + ".period")
        h.expenses.append((etype, amount, period))
    return h


# ----------------------------------------------------------------------------------------
# the assessment

CITE_STANDARD = "RULES 1; 重庆市城乡低保标准通知"
CITE_EMPLOYMENT = "003 二(一)1"
CITE_EXCLUDED = "003 二(一)3; 最低生活保障审核确认办法"
CITE_RIGID = "000 一; 001 一"
CITE_PER_CAPITA = "最低生活保障审核确认办法 (2021)"
CITE_ASSETS = "重庆市低保条件认定办法 (2013)"
CITE_TEKUN = "特困人员认定办法 (2021)"
CITE_TEKUN_CARE = "特困人员认定办法 (2021); 003 二(一)2"
CITE_SUSPENDED = "004 一(一)"
CITE_GRADUAL = "000 一; 003 二(一)1; 002 一"
CITE_MARGINAL = "低保边缘家庭认定 (国家)"
CITE_SINGLE = "000 一; 003 二(二)3"
CITE_ADDON = "分类施保 (重庆分类重点救助)"
CITE_BENEFIT = "最低生活保障审核确认办法 (2021) 补差"


def add_trace(trace, rule, text, cite):
    trace.append({"rule": rule, "text": text, "cite": cite})


def load_parameters(policy, h):
    sig = significant(h.region)
    names = [
        f"dibao.standard.{h.area}",
        "income.employment_cost_ratio", "income.excluded_types",
        "tekun.elderly_age", "tekun.minor_age", "tekun.no_labor_age",
        "tekun.disability_grades", "tekun.grade3_kinds", "tekun.financial_months",
        f"tekun.basic.{h.area}", "tekun.care.full", "tekun.care.partial", "tekun.care.none",
        "income.rigid_expense_types", "income.rigid_expense_cap",
        "assets.financial_months", "assets.vehicles_max", "assets.houses_max",
        "exit.suspended", "exit.gradual_ratio", "exit.gradual_months",
        "marginal.ratio", "single_person.enabled", "single_person.disability_grades",
        "dibao.addon.disabled", "dibao.addon.severe", "dibao.addon.child_student",
        "dibao.addon.elderly_age", "dibao.addon.child_age",
        "dibao.benefit_rounding", "dibao.benefit_min",
    ]
    p = {}
    for name in names:
        p[name] = policy.lookup(name, sig, h.date, h.region)
    if p["dibao.benefit_rounding"] not in ("fen", "yuan"):
        raise PolicyError(f"policy: dibao.benefit_rounding: 取值无效 ({p['dibao.benefit_rounding']!r})")
    return p


def grade_list(values):
    grades = set()
    for v in values:
        if isinstance(v, bool):
            continue
        if isinstance(v, int):
            grades.add(v)
        elif isinstance(v, str) and DIGITS_RE.match(v):
            grades.add(int(v))
    return grades


def member_counted_income(m, ratio, excluded, trace):
    """Rule 3: the member's monthly counted income, one trace entry per item."""
    keep = 1 - ratio
    total = 0
    for itype, amount, period, imputed in m.incomes:
        label = f"{m.name} {INCOME_CN[itype]} {yuan(amount)}元/{'年' if period == 'year' else '月'}"
        if period == "year":
            monthly = round_half_up(amount, 12)
            label += f" ÷12 = {yuan(monthly)}"
        else:
            monthly = amount
        if itype in excluded:
            counted = 0
            add_trace(trace, "income.excluded", f"{label} 不计入家庭收入 → 0.00", CITE_EXCLUDED)
        elif itype in ("wage", "business") and not imputed:
            counted = round_half_up(monthly * keep.numerator, keep.denominator)
            add_trace(trace, "income.employment_cost",
                      f"{label} 扣减{percent_text(ratio)}就业成本 × {ratio_text(keep)} → {yuan(counted)}",
                      CITE_EMPLOYMENT)
        else:
            counted = monthly
            note = " (按最低工资推定, 不扣减就业成本)" if imputed and itype in ("wage", "business") else ""
            add_trace(trace, "income.counted", f"{label}{note} 计入 → {yuan(counted)}", CITE_PER_CAPITA)
        total += counted
    add_trace(trace, "income.member", f"{m.name} 本人月计入收入 {yuan(total)}", CITE_PER_CAPITA)
    return total


def tekun_check(m, h, p, S, trace):
    """Rule 8 (RULES 10): does the member qualify as an extremely poor person?"""
    elderly_age = p["tekun.elderly_age"]
    minor_age = p["tekun.minor_age"]
    grades = grade_list(p["tekun.disability_grades"])
    kinds = set(p["tekun.grade3_kinds"])
    reasons = []
    if m.age >= elderly_age:
        reasons.append(f"年龄{m.age} ≥ {elderly_age}")
    if m.disability_grade in grades:
        reasons.append(f"残疾{m.disability_grade}级")
    if m.disability_grade == 3 and m.disability_kind in kinds:
        reasons.append(f"三级{m.disability_kind}残疾")
    if m.age < minor_age:
        reasons.append(f"年龄{m.age} < {minor_age}")
    category = bool(reasons)
    no_labor_age = p["tekun.no_labor_age"]
    no_labor = m.labor_capacity == "none" or m.age < no_labor_age
    income_ok = m.counted_income < S
    limit = p["tekun.financial_months"] * S
    assets_ok = m.financial_assets <= limit
    support_ok = m.supporters != "able"
    qualifies = category and no_labor and income_ok and assets_ok and support_ok
    text = (f"{m.name} 特困条件: 对象类别 {'是(' + '、'.join(reasons) + ')' if category else '否'}; "
            f"无劳动能力 {'是' if no_labor else '否'} (劳动能力 {m.labor_capacity}, 年龄{m.age}, "
            f"<{no_labor_age}岁视为无); 本人收入 {yuan(m.counted_income)} < {yuan(S)} "
            f"{'是' if income_ok else '否'}; 本人金融资产 {yuan(m.financial_assets)} ≤ "
            f"{p['tekun.financial_months']} × {yuan(S)} = {yuan(limit)} {'是' if assets_ok else '否'}; "
            f"{SUPPORTERS_CN[m.supporters]} {'是' if support_ok else '否'} → "
            f"{'特困人员, 单独供养, 不计入家庭' if qualifies else '不符合特困'}")
    add_trace(trace, "tekun.check", text, CITE_TEKUN)
    return qualifies


def assess(h, policy):
    trace = []
    p = load_parameters(policy, h)
    S = p[f"dibao.standard.{h.area}"]
    add_trace(trace, "standard",
              f"{AREA_CN[h.area]}低保标准 S = {yuan(S)} 元/人·月 (区划 {h.region}, 日期 {h.date.isoformat()})",
              CITE_STANDARD)

    ratio = p["income.employment_cost_ratio"]
    excluded = set(p["income.excluded_types"])

    # rules 2-3: every member's own counted income, then the tekun check
    tekun = []
    assessed = []
    for m in h.members:
        m.counted_income = member_counted_income(m, ratio, excluded, trace)
        m.tekun = tekun_check(m, h, p, S, trace)
        if m.tekun:
            basic = p[f"tekun.basic.{h.area}"]
            care = p[f"tekun.care.{m.self_care}"]
            add_trace(trace, "tekun.benefit",
                      f"{m.name} 特困供养金 = 基本生活标准 {yuan(basic)} + 照料护理标准({CARE_CN[m.self_care]}) "
                      f"{yuan(care)} = {yuan(basic + care)}", CITE_TEKUN_CARE)
            tekun.append({"id": m.id, "monthly_benefit": yuan(basic + care), "care": m.self_care})
        else:
            assessed.append(m)

    n = len(assessed)
    counted = sum(m.counted_income for m in assessed)
    if n:
        add_trace(trace, "income.household",
                  f"家庭月计入收入 = {' + '.join(yuan(m.counted_income) for m in assessed)} = {yuan(counted)} "
                  f"(共同生活 {n} 人)", CITE_PER_CAPITA)
    else:
        add_trace(trace, "income.household", "全部成员为特困人员, 家庭无共同生活成员 (0 人)", CITE_TEKUN)

    # rule 4: rigid expenditure deduction
    rigid = set(p["income.rigid_expense_types"])
    yearly_sum = 0
    monthly_sum = 0
    parts = []
    for etype, amount, period in h.expenses:
        if etype not in rigid:
            parts.append(f"{EXPENSE_CN[etype]} {yuan(amount)}(不扣减)")
            continue
        if period == "year":
            yearly_sum += amount
            parts.append(f"{EXPENSE_CN[etype]} {yuan(amount)}/年")
        else:
            monthly_sum += amount
            parts.append(f"{EXPENSE_CN[etype]} {yuan(amount)}/月")
    if n:
        deduction = round_half_up(yearly_sum, 12) + monthly_sum
        text = (f"刚性支出扣减: {', '.join(parts) if parts else '无'}; 年度合计 {yuan(yearly_sum)} ÷12 "
                f"+ 月度合计 {yuan(monthly_sum)} = {yuan(deduction)}")
        cap = p["income.rigid_expense_cap"]
        if cap is not None and deduction > cap:
            deduction = cap
            text += f", 封顶 {yuan(cap)}"
        add_trace(trace, "deduction.rigid", text, CITE_RIGID)
    else:
        deduction = 0
        add_trace(trace, "deduction.rigid", "无共同生活成员, 扣减 0.00", CITE_RIGID)

    # per-capita income
    if n:
        net = max(0, counted - deduction)
        P = round_half_up(net, n)
        add_trace(trace, "per_capita",
                  f"人均收入 P = max(0, {yuan(counted)} − {yuan(deduction)}) / {n} = {yuan(P)}",
                  CITE_PER_CAPITA)
    else:
        P = 0

    # rule 5: asset test
    if n:
        months = p["assets.financial_months"]
        limit = months * S
        fin_ok = h.financial <= limit * n
        add_trace(trace, "assets.financial",
                  f"家庭金融资产 {yuan(h.financial)} / {n} 人 ≤ {months} × {yuan(S)} = {yuan(limit)} "
                  f"(即 ≤ {yuan(limit * n)}) → {'是' if fin_ok else '否'}", CITE_ASSETS)
        vmax = p["assets.vehicles_max"]
        veh_ok = h.vehicles <= vmax
        add_trace(trace, "assets.vehicles", f"非豁免车辆 {h.vehicles} ≤ {vmax} → {'是' if veh_ok else '否'}",
                  CITE_ASSETS)
        hmax = p["assets.houses_max"]
        house_ok = h.extra_houses <= hmax
        add_trace(trace, "assets.houses", f"多余住房 {h.extra_houses} ≤ {hmax} → {'是' if house_ok else '否'}",
                  CITE_ASSETS)
        asset_test = fin_ok and veh_ok and house_ok
        add_trace(trace, "assets.test", f"财产核查 {'通过' if asset_test else '不通过'}", CITE_ASSETS)
    else:
        asset_test = False

    # rule 6: determination
    is_dibao_now = h.current_programme == "dibao"
    suspended = p["exit.suspended"]
    gradual_ratio = p["exit.gradual_ratio"]
    marginal_ratio = p["marginal.ratio"]
    benefit = 0
    gradual_until = None
    single_person = []

    if n == 0:
        determination = "none"
        add_trace(trace, "determination.empty",
                  "共同生活人数为 0 (全部成员为特困人员) → 不作家庭认定", CITE_TEKUN)
    elif is_dibao_now and suspended:
        determination = "dibao"
        if P < S:
            D = dibao_amount(assessed, S, P, n, p, trace)
        else:
            D = 0
            add_trace(trace, "benefit.suspended", f"P {yuan(P)} ≥ S {yuan(S)}, 核算补差 D = 0.00",
                      CITE_SUSPENDED)
        benefit = max(D, h.current_benefit)
        add_trace(trace, "determination.suspended",
                  f"在保低保户且暂停退出 (exit.suspended) → 低保, 保障金 = max(D {yuan(D)}, "
                  f"原保障金 {yuan(h.current_benefit)}) = {yuan(benefit)}", CITE_SUSPENDED)
    elif P < S and asset_test:
        determination = "dibao"
        add_trace(trace, "determination.dibao",
                  f"P {yuan(P)} < S {yuan(S)} 且财产核查通过 → 低保", CITE_PER_CAPITA)
        benefit = dibao_amount(assessed, S, P, n, p, trace)
    else:
        determination = None
        has_employment = any(itype in ("wage", "business") and not imputed
                             for m in assessed for itype, _a, _p, imputed in m.incomes)
        limit_num = gradual_ratio.numerator * S
        within = S <= P and P * gradual_ratio.denominator <= limit_num
        if is_dibao_now:
            assess_month = h.date.year * 12 + h.date.month - 1
            rise = h.rise_month if h.rise_month is not None else assess_month
            until = rise + p["exit.gradual_months"]
            in_period = assess_month <= until
            add_trace(trace, "exit.gradual",
                      f"在保低保户: S {yuan(S)} ≤ P {yuan(P)} ≤ {ratio_text(gradual_ratio)} × S "
                      f"{'是' if within else '否'}; 有未推定的工资/经营收入 {'是' if has_employment else '否'}; "
                      f"评估月 {month_text(assess_month)} ≤ 收入增加月 {month_text(rise)} + "
                      f"{p['exit.gradual_months']} = {month_text(until)} {'是' if in_period else '否'}",
                      CITE_GRADUAL)
            if within and has_employment and in_period:
                determination = "dibao_gradual_exit"
                gradual_until = month_text(until)
                benefit = h.current_benefit
                add_trace(trace, "determination.gradual_exit",
                          f"→ 低保渐退至 {gradual_until}, 保障金维持 {yuan(benefit)}", CITE_GRADUAL)
        if determination is None:
            marginal_ok = P * marginal_ratio.denominator <= marginal_ratio.numerator * S
            if marginal_ok and asset_test:
                determination = "marginal"
                add_trace(trace, "determination.marginal",
                          f"P {yuan(P)} ≤ {ratio_text(marginal_ratio)} × S 且财产核查通过 → 低保边缘家庭",
                          CITE_MARGINAL)
                single_person = single_person_enrolment(assessed, S, p, trace)
            else:
                determination = "none"
                why = []
                if not marginal_ok:
                    why.append(f"P {yuan(P)} > {ratio_text(marginal_ratio)} × S {yuan(S)}")
                if not asset_test:
                    why.append("财产核查不通过")
                add_trace(trace, "determination.none", f"{'; '.join(why)} → 不符合", CITE_MARGINAL)

    return {
        "determination": determination,
        "standard": yuan(S),
        "household_size": n,
        "counted_income": yuan(counted),
        "deduction": yuan(deduction),
        "per_capita_income": yuan(P),
        "asset_test": asset_test,
        "monthly_benefit": yuan(benefit),
        "gradual_exit_until": gradual_until,
        "single_person": single_person,
        "tekun": tekun,
        "trace": trace,
    }


def dibao_amount(assessed, S, P, n, p, trace):
    """D = (S − P) × n + add-ons, rounded, at least the minimum (rule 9 and the benefit rule)."""
    base = (S - P) * n
    add_trace(trace, "benefit.base", f"补差 ({yuan(S)} − {yuan(P)}) × {n} = {yuan(base)}", CITE_BENEFIT)
    severe_amt = p["dibao.addon.severe"]
    child_amt = p["dibao.addon.child_student"]
    disabled_amt = p["dibao.addon.disabled"]
    elderly_age = p["dibao.addon.elderly_age"]
    child_age = p["dibao.addon.child_age"]
    addons = 0
    for m in assessed:
        severe = m.disability_grade in (1, 2) or m.severe_illness or m.age >= elderly_age
        child = m.age < child_age or m.in_school
        amount = max(severe_amt if severe else 0, child_amt if child else 0)
        extra = disabled_amt if m.disability_grade >= 1 else 0
        if severe or child or extra:
            add_trace(trace, "benefit.addon",
                      f"{m.name} 分类施保: 重残重病高龄 {'是' if severe else '否'} ({yuan(severe_amt)}), "
                      f"儿童学生 {'是' if child else '否'} ({yuan(child_amt)}) 取大 {yuan(amount)}"
                      f" + 残疾 {yuan(extra)} = {yuan(amount + extra)}", CITE_ADDON)
        addons += amount + extra
    D = base + addons
    if p["dibao.benefit_rounding"] == "yuan":
        rounded = round_half_up(D, 100) * 100
        add_trace(trace, "benefit.rounding", f"{yuan(base)} + 加发 {yuan(addons)} = {yuan(D)}, 四舍五入到元 → "
                  f"{yuan(rounded)}", CITE_BENEFIT)
        D = rounded
    else:
        add_trace(trace, "benefit.rounding", f"{yuan(base)} + 加发 {yuan(addons)} = {yuan(D)} (精确到分)",
                  CITE_BENEFIT)
    minimum = p["dibao.benefit_min"]
    if D < minimum:
        add_trace(trace, "benefit.min", f"{yuan(D)} 低于最低保障金 {yuan(minimum)} → {yuan(minimum)}",
                  CITE_BENEFIT)
        D = minimum
    return D


def single_person_enrolment(assessed, S, p, trace):
    if not p["single_person.enabled"]:
        add_trace(trace, "single_person", "单人保未启用", CITE_SINGLE)
        return []
    grades = grade_list(p["single_person.disability_grades"])
    result = []
    for m in assessed:
        if m.disability_grade in grades or m.severe_illness:
            amount = max(0, S - m.counted_income)
            why = f"残疾{m.disability_grade}级" if m.disability_grade in grades else "重病"
            add_trace(trace, "single_person",
                      f"{m.name} ({why}) 单人保: max(0, {yuan(S)} − {yuan(m.counted_income)}) = {yuan(amount)}",
                      CITE_SINGLE)
            result.append({"id": m.id, "monthly_benefit": yuan(amount)})
    return result


# ----------------------------------------------------------------------------------------
# command line


def default_policy_path():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(os.path.dirname(here), "policy", "default.json")


def main(argv=None):
    parser = argparse.ArgumentParser(description="reference implementation of doudi assess --batch")
    parser.add_argument("--policy", default=None)
    parser.add_argument("--date", default=None)
    parser.add_argument("--batch", action="store_true", help="accepted for compatibility (always batch)")
    parser.add_argument("input")
    args = parser.parse_args(argv)

    try:
        policy = Policy(args.policy or default_policy_path())
    except PolicyError as e:
        print(str(e), file=sys.stderr)
        return 2
    date_override = None
    if args.date is not None:
        try:
            date_override = parse_date(args.date, "--date")
        except InputError as e:
            print(str(e), file=sys.stderr)
            return 2

    if args.input == "-":
        stream = sys.stdin.buffer
    else:
        try:
            stream = open(args.input, "rb")
        except OSError as e:
            print(f"{args.input}: {e.strerror}", file=sys.stderr)
            return 2

    out = sys.stdout
    any_bad = False
    for lineno, raw in enumerate(stream, 1):
        try:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError("", "不是有效的UTF-8 (invalid UTF-8)") from None
            if lineno == 1 and text.startswith("\ufeff"):
                text = text[1:]
            if not text.strip():
                raise InputError("", "空行 (empty line)")
            try:
                obj = load_json(text)
            except (ValueError, RecursionError) as e:
                raise InputError("", f"不是有效的JSON (not JSON: {e})") from None
            household = parse_household(obj, date_override)
            result = assess(household, policy)
            out.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
        except (InputError, PolicyMissing, PolicyError) as e:
            any_bad = True
            out.write(json.dumps({"line": lineno, "error": str(e)}, ensure_ascii=False,
                                 separators=(",", ":")))
            out.write("\n")
    out.flush()
    if stream is not sys.stdin.buffer:
        stream.close()
    return 2 if any_bad else 0


if __name__ == "__main__":
    sys.exit(main())
