#!/usr/bin/env python3
"""policy_doc.py - generate docs/policy.md from policy/default.json, and check both.

    python3 tools/policy_doc.py            validate, then write docs/policy.md
    python3 tools/policy_doc.py --check    validate policy/default.json and
                                           policy/calendar-cn.json, and fail when
                                           docs/policy.md is not what would be generated

Validation of the policy file: every entry has name/region/from/value; names
are well formed; dates are real; a region is "" or digits (at most 12); a
declared kind is known and matches the value's JSON type (money exactly
"123.45", ratio a non-negative decimal string); one name keeps one kind; no
two entries share (name, region, from), regions compared by significant form;
every name in ASSESS.md's "Names used by the engine" paragraph is present.
Validation of the calendar: dates real, from <= to, make-up workdays on a
Saturday or Sunday and not inside a holiday, holidays not overlapping.

Exit status: 0 fine, 1 a check failed, 2 usage or unreadable file. Stdlib only.
"""

import argparse
import datetime
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

KINDS = ("money", "ratio", "integer", "boolean", "list", "code")
ENTRY_KEYS = {"name", "label", "region", "from", "value", "kind", "source", "demo", "unconfirmed", "note"}
NAME_RE = re.compile(r"^[a-z0-9_.\-]{1,96}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONEY_RE = re.compile(r"^(0|[1-9]\d*)\.\d{2}$")
RATIO_RE = re.compile(r"^\d+(\.\d{1,9})?$")
REGION_LEVEL_ENDS = (0, 2, 4, 6, 9, 12)

# Used only when ASSESS.md cannot be found (e.g. a checkout without the specs).
FALLBACK_ENGINE_NAMES = """
dibao.standard.urban dibao.standard.rural dibao.benefit_rounding dibao.benefit_min
dibao.addon.disabled dibao.addon.severe dibao.addon.child_student dibao.addon.elderly_age
dibao.addon.child_age income.employment_cost_ratio income.excluded_types
income.rigid_expense_types assets.financial_months assets.vehicles_max assets.houses_max
exit.suspended exit.gradual_ratio exit.gradual_months marginal.ratio single_person.enabled
single_person.disability_grades tekun.elderly_age tekun.minor_age tekun.no_labor_age
tekun.disability_grades tekun.grade3_kinds tekun.financial_months tekun.basic.urban
tekun.basic.rural tekun.care.full tekun.care.partial tekun.care.none
""".split()

TOPICS = {
    "dibao": ("低保标准与待遇", "Dibao standards and benefit"),
    "income": ("收入核算", "Income assessment"),
    "assets": ("财产状况", "Assets"),
    "exit": ("低保退出与渐退", "Exit and gradual exit"),
    "marginal": ("低保边缘家庭", "Marginal households"),
    "single_person": ("单人保", "Single-person enrolment"),
    "tekun": ("特困人员", "Extremely poor persons (tekun)"),
    "temp": ("临时救助", "Temporary assistance"),
    "children": ("孤儿与事实无人抚养儿童", "Orphans and de-facto unsupported children"),
    "subsidy": ("一次性生活补贴", "One-time living subsidies"),
    "price": ("价格临时补贴", "Price subsidy triggers"),
    "procedure": ("审核确认程序时限", "Procedure deadlines"),
    "review": ("动态管理与复核", "Periodic review"),
    "work": ("就业要求", "Work requirement"),
    "hotline": ("12345 热线工单", "12345 hotline work orders"),
}

REGION_NAMES = {"": "全国", "50": "重庆市"}


class Problems:
    def __init__(self):
        self.items = []

    def add(self, where, msg):
        self.items.append("%s: %s" % (where, msg))


def no_dup_keys(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise ValueError("duplicate key %r in an object" % k)
        seen[k] = v
    return seen


def load_json(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return json.loads(text, object_pairs_hook=no_dup_keys)


def real_date(s):
    if not isinstance(s, str) or not DATE_RE.match(s):
        return None
    try:
        return datetime.date.fromisoformat(s)
    except ValueError:
        return None


def region_significant(code):
    keep = len(code)
    for lv in range(5, 0, -1):
        lo, hi = REGION_LEVEL_ENDS[lv - 1], REGION_LEVEL_ENDS[lv]
        if lo >= keep:
            continue
        hi = min(hi, keep)
        if code[lo:hi].strip("0"):
            break
        keep = lo
    return code[:keep]


def json_kind(v):
    """The kinds a JSON value may have."""
    if isinstance(v, bool):
        return {"boolean"}
    if isinstance(v, int):
        return {"integer"}
    if isinstance(v, list):
        return {"list"}
    if isinstance(v, str):
        return {"money", "ratio", "code"}
    return set()


def check_value(kind, v):
    """None when the value fits the kind, else the reason."""
    if kind == "money":
        if not isinstance(v, str) or not MONEY_RE.match(v):
            return 'money must be a string with exactly two fraction digits, e.g. "620.00"'
    elif kind == "ratio":
        if not isinstance(v, str) or not RATIO_RE.match(v):
            return 'ratio must be a non-negative decimal string, e.g. "0.30"'
    elif kind == "integer":
        if isinstance(v, bool) or not isinstance(v, int) or abs(v) > 1000000000:
            return "integer expected"
    elif kind == "boolean":
        if not isinstance(v, bool):
            return "true or false expected"
    elif kind == "list":
        if not isinstance(v, list):
            return "list expected"
        for i, item in enumerate(v):
            if isinstance(item, bool) or not isinstance(item, (str, int)):
                return "list item %d must be a string or an integer" % i
    elif kind == "code":
        if not isinstance(v, str) or not v:
            return "code must be a non-empty string"
    return None


def engine_known_kinds(root):
    """Name patterns and kinds from src/core/policy.c's table, when present."""
    path = os.path.join(root, "src", "core", "policy.c")
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return []
    out = []
    for pat, kind in re.findall(r'\{"([a-z0-9_.*\-]+)",\s*POLICY_([A-Z]+)\}', text):
        out.append((pat, kind.lower()))
    return out


def pattern_matches(pat, name):
    if "*" not in pat:
        return pat == name
    pre, post = pat.split("*", 1)
    return len(name) > len(pre) + len(post) and name.startswith(pre) and name.endswith(post)


def find_assess(explicit):
    cands = [explicit] if explicit else []
    env = os.environ.get("DOUDI_SPEC")
    if env:
        cands.append(os.path.join(env, "ASSESS.md"))
    cands += [
        os.path.join(ROOT, "spec", "ASSESS.md"),
        os.path.join(ROOT, "docs", "spec", "ASSESS.md"),
        os.path.join(ROOT, "..", "shared", "spec", "ASSESS.md"),
        "/work/shared/spec/ASSESS.md",
    ]
    for c in cands:
        if c and os.path.isfile(c):
            return c
    return None


def engine_names(assess_path):
    with open(assess_path, encoding="utf-8") as f:
        text = f.read()
    i = text.find("Names used by the engine")
    if i < 0:
        return None
    para = text[i:].split("\n\n", 1)[0]
    names = []
    for tok in re.findall(r"`([^`]+)`", para):
        if NAME_RE.match(tok) and "." in tok and tok not in names:
            names.append(tok)
    return names


def validate_policy(doc, where, probs, root, assess_path):
    if not isinstance(doc, dict):
        probs.add(where, "top level must be an object")
        return
    for k in doc:
        if k not in ("parameters", "description", "version"):
            probs.add(where, "unknown top-level key %r" % k)
    params = doc.get("parameters")
    if not isinstance(params, list):
        probs.add(where, 'missing "parameters" array')
        return
    known = engine_known_kinds(root)
    seen = {}
    kind_of = {}
    label_of = {}
    for i, e in enumerate(params):
        at = "%s: parameters[%d]" % (where, i)
        if not isinstance(e, dict):
            probs.add(at, "entry must be an object")
            continue
        name = e.get("name")
        if isinstance(name, str):
            at += " (%s)" % name
        for k in ("name", "region", "from", "value"):
            if k not in e:
                probs.add(at, "missing %r" % k)
        for k in e:
            if k not in ENTRY_KEYS:
                probs.add(at, "unknown key %r" % k)
        if not isinstance(name, str) or not NAME_RE.match(name):
            probs.add(at, "name must be 1-96 characters of a-z 0-9 _ . -")
            name = None
        region = e.get("region")
        if not isinstance(region, str) or (region and (not region.isdigit() or not region.isascii() or len(region) > 12)):
            probs.add(at, 'region must be "" or 1-12 digits')
            region = None
        frm = e.get("from")
        if "from" in e and real_date(frm) is None:
            probs.add(at, "from %r is not a real date YYYY-MM-DD" % (frm,))
        kind = e.get("kind")
        if kind is None:
            probs.add(at, "missing 'kind' (one of %s)" % ", ".join(KINDS))
        elif kind not in KINDS:
            probs.add(at, "unknown kind %r" % (kind,))
            kind = None
        if kind and "value" in e:
            v = e["value"]
            if kind not in json_kind(v):
                probs.add(at, "kind %s does not match the value's JSON type (%s)" % (kind, type(v).__name__))
            else:
                why = check_value(kind, v)
                if why:
                    probs.add(at, "value %s: %s" % (json.dumps(v, ensure_ascii=False), why))
        for flag in ("demo", "unconfirmed"):
            if flag in e and not isinstance(e[flag], bool):
                probs.add(at, "%s must be true or false" % flag)
        for text in ("source", "note", "label"):
            if text in e and (not isinstance(e[text], str) or not e[text].strip()):
                probs.add(at, "%s must be a non-empty string" % text)
        # label: the Chinese name shown in the UI; one name keeps one label
        if name and isinstance(e.get("label"), str):
            if name in label_of and label_of[name][0] != e["label"]:
                probs.add(at, "label %r differs from %r at parameters[%d]" % (e["label"], label_of[name][0], label_of[name][1]))
            label_of.setdefault(name, (e["label"], i))
        if name and kind:
            if name in kind_of and kind_of[name][0] != kind:
                probs.add(at, "kind %s differs from %s at parameters[%d]" % (kind, kind_of[name][0], kind_of[name][1]))
            kind_of.setdefault(name, (kind, i))
            for pat, ek in known:
                if pattern_matches(pat, name):
                    if ek != kind:
                        probs.add(at, "the engine reads %s as %s (src/core/policy.c), not %s" % (name, ek, kind))
                    break
        if name and region is not None and real_date(frm):
            key = (name, region_significant(region), frm)
            if key in seen:
                probs.add(at, "duplicate of parameters[%d]: same name, region and from" % seen[key])
            else:
                seen[key] = i
    names = {e.get("name") for e in params if isinstance(e, dict)}
    if assess_path:
        wanted = engine_names(assess_path)
        if wanted is None:
            probs.add(assess_path, 'no "Names used by the engine" paragraph found')
            wanted = []
    else:
        print("policy_doc: ASSESS.md not found; using the built-in list of engine names", file=sys.stderr)
        wanted = FALLBACK_ENGINE_NAMES
    for n in wanted:
        if n not in names:
            probs.add(where, "no entry for %s, a name the engine uses (ASSESS.md)" % n)


def validate_calendar(doc, where, probs):
    if not isinstance(doc, dict):
        probs.add(where, "top level must be an object")
        return
    hol, work = doc.get("holidays"), doc.get("workdays")
    if not isinstance(hol, list) or not isinstance(work, list):
        probs.add(where, '"holidays" and "workdays" must be arrays')
        return
    off = {}
    for i, h in enumerate(hol):
        at = "%s: holidays[%d]" % (where, i)
        if not isinstance(h, dict):
            probs.add(at, "entry must be an object")
            continue
        a, b = real_date(h.get("from")), real_date(h.get("to"))
        if a is None or b is None:
            probs.add(at, "from/to must be real dates YYYY-MM-DD")
            continue
        if not isinstance(h.get("name"), str) or not h["name"].strip():
            probs.add(at, "missing name")
        if b < a:
            probs.add(at, "to %s is before from %s" % (b, a))
            continue
        if (b - a).days > 366:
            probs.add(at, "span longer than a year")
            continue
        d = a
        while d <= b:
            if d in off:
                probs.add(at, "%s is already in holidays[%d]" % (d, off[d]))
            off[d] = i
            d += datetime.timedelta(days=1)
    seen = {}
    for i, w in enumerate(work):
        at = "%s: workdays[%d]" % (where, i)
        if not isinstance(w, dict):
            probs.add(at, "entry must be an object")
            continue
        d = real_date(w.get("date"))
        if d is None:
            probs.add(at, "date must be a real date YYYY-MM-DD")
            continue
        if not isinstance(w.get("name"), str) or not w["name"].strip():
            probs.add(at, "missing name")
        if d.weekday() < 5:
            probs.add(at, "%s is a %s: a make-up workday must be a Saturday or Sunday" % (d, d.strftime("%A")))
        if d in off:
            probs.add(at, "%s lies inside holidays[%d]" % (d, off[d]))
        if d in seen:
            probs.add(at, "%s repeats workdays[%d]" % (d, seen[d]))
        seen[d] = i


# ---------------------------------------------------------------- document

def cell(s):
    return str(s).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def show_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def show_region(r):
    return REGION_NAMES.get(region_significant(r), r)


def topic_of(name):
    return name.split(".", 1)[0]


def render(doc, policy_rel):
    params = doc["parameters"]
    order = {}
    for e in params:
        order.setdefault(e["name"], len(order))
    topics = []
    for e in params:
        t = topic_of(e["name"])
        if t not in topics:
            topics.append(t)
    n_demo = sum(1 for e in params if e.get("demo"))
    n_unc = sum(1 for e in params if e.get("unconfirmed"))

    out = []
    w = out.append
    w("# 政策参数参考 / Policy parameter reference")
    w("")
    w("> **自动生成，请勿手工编辑。** 本文件由 `tools/policy_doc.py` 根据 `%s` 生成；" % policy_rel)
    w("> 修改参数请编辑该 JSON 文件，然后运行 `python3 tools/policy_doc.py`。")
    w("> **Generated file, do not edit by hand.** It is produced from `%s` by" % policy_rel)
    w("> `tools/policy_doc.py`; edit the policy file and re-run the tool. `python3 tools/policy_doc.py --check`")
    w("> fails when this file is out of date.")
    w("")
    if doc.get("description"):
        w(cell(doc["description"]))
        w("")
    if doc.get("version") is not None:
        w("版本 / version: `%s`" % cell(doc["version"]))
        w("")
    w("共 %d 项参数，其中演示值 %d 项、未确认 %d 项。 %d entries: %d demo values, %d unconfirmed."
      % (len(params), n_demo, n_unc, len(params), n_demo, n_unc))
    w("")
    w("## 说明 / How to read")
    w("")
    w("- **地区 / region**: 全国 = national default (region `\"\"`); 重庆市 = Chongqing (region `\"50\"`); "
      "other codes as written. For a household the most specific region in force wins, then the latest "
      "生效日期 (ASSESS.md, \"Policy file\"). 地区越具体越优先，其次取最近的生效日期。")
    w("- **生效 / from**: the first day the value applies; it stays in force until a later entry of the "
      "same name and region. `2000-01-01` means no date was given: the value applies to every date.")
    w("- **演示值 / demo**: 演示值，仅供演示，区县须对照本地文件确认后方可实际使用 (the UI shows a "
      "warning while one is in force).")
    w("- **未确认 / unconfirmed**: 日期或数值未经原文件确认 (approximate date, secondary source or "
      "unconfirmed revision); check the notice before real use.")
    w("- Money is yuan per person per month unless the note says otherwise; ratios are fractions "
      "(\"0.30\" = 30 %).")
    w("")
    w("## 目录 / Contents")
    w("")
    for i, t in enumerate(topics, 1):
        zh, en = TOPICS.get(t, (t, t))
        w("%d. %s / %s (`%s.*`)" % (i, zh, en, t))
    w("")
    for i, t in enumerate(topics, 1):
        zh, en = TOPICS.get(t, (t, t))
        w("## %d. %s / %s (`%s.*`)" % (i, zh, en, t))
        w("")
        w("| 参数 name | 名称 label | 地区 region | 生效 from | 值 value | 类型 kind | 来源 source | 标记 flags | 说明 note |")
        w("|---|---|---|---|---|---|---|---|---|")
        rows = [e for e in params if topic_of(e["name"]) == t]
        rows.sort(key=lambda e: (order[e["name"]], len(region_significant(e["region"])),
                                 region_significant(e["region"]), e["from"]))
        for e in rows:
            flags = []
            if e.get("demo"):
                flags.append("**演示值 demo**")
            if e.get("unconfirmed"):
                flags.append("未确认 unconfirmed")
            w("| `%s` | %s | %s | %s | `%s` | %s | %s | %s | %s |" % (
                cell(e["name"]), cell(e.get("label", "")), cell(show_region(e["region"])), cell(e["from"]),
                cell(show_value(e["value"])), cell(e.get("kind", "")), cell(e.get("source", "")),
                " ".join(flags), cell(e.get("note", ""))))
        w("")
    demos = [e for e in params if e.get("demo")]
    if demos:
        w("## 演示值一览 / Demo values to confirm")
        w("")
        w("| 参数 name | 地区 region | 生效 from | 值 value |")
        w("|---|---|---|---|")
        for e in demos:
            w("| `%s` | %s | %s | `%s` |" % (cell(e["name"]), cell(show_region(e["region"])),
                                          cell(e["from"]), cell(show_value(e["value"]))))
        w("")
    return "\n".join(out)


def main(argv):
    ap = argparse.ArgumentParser(description="Generate docs/policy.md from policy/default.json; --check validates.")
    ap.add_argument("--check", action="store_true", help="validate and compare, do not write")
    ap.add_argument("--policy", default=os.path.join(ROOT, "policy", "default.json"))
    ap.add_argument("--calendar", default=os.path.join(ROOT, "policy", "calendar-cn.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "policy.md"))
    ap.add_argument("--assess", default=None, help="path to ASSESS.md (default: look in the usual places)")
    args = ap.parse_args(argv)

    probs = Problems()
    try:
        doc = load_json(args.policy)
    except (OSError, ValueError) as exc:
        print("policy_doc: %s: %s" % (args.policy, exc), file=sys.stderr)
        return 2 if isinstance(exc, OSError) else 1
    validate_policy(doc, os.path.relpath(args.policy, ROOT), probs, ROOT, find_assess(args.assess))
    try:
        cal = load_json(args.calendar)
        validate_calendar(cal, os.path.relpath(args.calendar, ROOT), probs)
    except (OSError, ValueError) as exc:
        probs.add(os.path.relpath(args.calendar, ROOT), str(exc))
    if probs.items:
        for p in probs.items:
            print("policy_doc: " + p, file=sys.stderr)
        print("policy_doc: %d problem(s)" % len(probs.items), file=sys.stderr)
        return 1

    rel = os.path.relpath(args.policy, ROOT).replace(os.sep, "/")
    text = render(doc, rel) + "\n"
    if args.check:
        try:
            with open(args.out, encoding="utf-8", newline="") as f:
                current = f.read()
        except OSError:
            current = None
        if current != text:
            why = "missing" if current is None else "out of date"
            if current is not None:
                a, b = current.split("\n"), text.split("\n")
                for ln, (x, y) in enumerate(zip(a, b), 1):
                    if x != y:
                        why += " (first difference at line %d)" % ln
                        break
                else:
                    why += " (length differs)"
            print("policy_doc: %s is %s: run python3 tools/policy_doc.py to regenerate it"
                  % (os.path.relpath(args.out, ROOT), why), file=sys.stderr)
            return 1
        print("policy_doc: ok (%d parameters, %d holidays, %d make-up workdays)"
              % (len(doc["parameters"]), len(cal["holidays"]), len(cal["workdays"])))
        return 0
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("policy_doc: wrote %s (%d parameters)" % (os.path.relpath(args.out, ROOT), len(doc["parameters"])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
