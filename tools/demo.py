#!/usr/bin/env python3
"""demo.py - builds the demo store of `make run`: a synthetic 开州区 (500154) through the real rules.

    python3 tools/demo.py --db var/demo.db [--doudi build/doudi] [--households 20000]
    python3 tools/demo.py --print-logins

What it makes, on a fresh store (an existing, non-empty --db is kept as it is):
  - the county's 10 townships and 100 villages in the regions table (reference data, as
    schema/002 holds the districts; no person in it);
  - HOUSEHOLDS generated households (bench/gen_import_csv.py, valid ID numbers, Chinese names,
    incomes, disabilities) loaded with `doudi import households`;
  - one staff account per role (the logins below, one demo password);
  - cases in every casework state with real deadlines (some due today on a working day, some
    overdue), temporary cases (first aid, one waiting for the county's tiered approval, staged
    payments), township reserve funds with their ledger, and a few online applications waiting
    for acceptance;
  - this month's payroll of the county, generated and checked by the county (发放管理).

Everything after the import goes through `doudi serve` and the real endpoints, so the demo obeys
the same rules as a user. The history lies in the past: each day of it is a run of the server
with DOUDI_DEMO_CLOCK_DAYS=-N (the program's clock N days back, src/cli/main.c), in date order,
so time stamps, deadlines, the public notice and the audit chain are those of a real history.

The store is built as DB.building and renamed to DB at the end: an interrupted build leaves no
half demo behind. Environment: DEMO_HOUSEHOLDS (default 20000), DEMO_PASSWORD.
"""

import argparse
import datetime
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COUNTY = "500154"
DEFAULT_PASSWORD = "Demo-Admin-2026"

# 开州区's townships (the first ten of its real list) and village name stems
TOWNSHIPS = ["汉丰街道", "文峰街道", "云枫街道", "镇东街道", "丰乐街道", "白鹤街道", "赵家街道", "大德镇",
             "镇安镇", "厚坝镇"]
VILLAGE_STEMS = ["青龙", "白果", "红花", "双河", "石坝", "新华", "长春", "太平", "金竹", "桂花", "大石",
                 "柳树", "凤凰", "龙井", "高峰", "东山", "平安", "永兴", "五通", "明月", "茶园", "水口",
                 "三合", "马鞍", "盐井", "竹林", "回龙", "仁和", "安乐", "花园"]

# the logins: username, role, region, name (printed by --print-logins and after a build)
USERS = [("admin", "admin", "000000", "系统管理员")] + [
    ("city", "city", "500000", "市级民政"),
    ("county", "county", COUNTY, "区县审批员"),
    ("finance", "finance", COUNTY, "财政人员"),
    ("auditor", "auditor", COUNTY, "审计人员"),
] + [("township%02d" % (i + 1), "township", "%s%03d" % (COUNTY, i + 1), TOWNSHIPS[i] + "经办人")
     for i in range(len(TOWNSHIPS))] + [
    ("village", "village", COUNTY + "001001", "村（社区）协理员"),
    ("yibao", "department", COUNTY, "区医保局经办人"),
    ("jiaowei", "department", COUNTY, "区教委经办人"),
    ("ertong", "child_director", COUNTY + "001001", "儿童主任"),
    ("dudao", "child_supervisor", COUNTY + "001", "儿童督导员"),
]
# the receiving offices of referrals (转办转介) in the demo county, and the
# office of each department login
OFFICES = [
    ("kz-yb", "开州区医疗保障局", "medical", 5),
    ("kz-jw", "开州区教育委员会", "education", None),
    ("kz-zj", "开州区住房和城乡建设委员会", "housing", None),
    ("kz-rs", "开州区人力资源和社会保障局", "employment", None),
    ("kz-cl", "开州区残疾人联合会", "disability", None),
    ("kz-cs", "开州区慈善会", "charity", 15),
]
USER_OFFICE = {"yibao": "kz-yb", "jiaowei": "kz-jw"}
ROLE_TEXT = {"admin": "系统管理员", "city": "市级", "county": "区县审批", "finance": "财政",
             "auditor": "审计", "township": "乡镇（街道）经办", "village": "村（社区）协理",
             "department": "部门经办（转介）", "child_director": "儿童主任（监护照料应急）",
             "child_supervisor": "儿童督导员"}


def print_logins(password, url):
    print("doudi 演示: %s" % url)
    print("演示账号（密码均为 %s）:" % password)
    for username, role, region, _ in USERS:
        if role == "township" and username not in ("township01", "township02"):
            continue
        print("  %-12s %-13s %s" % (username, region, ROLE_TEXT[role]))
    print("  township03 … township%02d 为其他乡镇（街道）经办人" % len(TOWNSHIPS))


# ---- ID numbers and households ----

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def idnum(birthplace, y, m, d, seq):
    d17 = "%s%04d%02d%02d%03d" % (birthplace, y, m, d, seq)
    return d17 + "10X98765432"[sum(int(c) * w for c, w in zip(d17, ID_WEIGHTS)) % 11]


class People:
    """Applicants of the demo's cases: born in 梁平区 (500155), so no ID number meets the import's."""

    SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    GIVEN = "秀英华明国建文芳兰军平玉志红强丽德学海勇林成春永清桂荣霞俊燕洪辉琴云梅凤"

    def __init__(self, rng):
        self.rng = rng
        self.seq = 0

    def person(self, year, male, surname=None):
        self.seq += 1
        r = self.rng
        name = (surname or r.choice(self.SURNAMES)) + r.choice(self.GIVEN) + (r.choice(self.GIVEN) if r.random() < 0.7 else "")
        seq = (self.seq % 500) * 2 + (1 if male else 0)
        return idnum("500155", year, 1 + self.seq // 500 % 12, 1 + self.seq % 28, seq), name

    def household(self, no, region, kind):
        """A household for a case: dibao (low income), tekun (alone, old, no income), better_off."""
        r = self.rng
        area = "rural" if r.random() < 0.7 else "urban"
        if kind == "tekun":
            pid, name = self.person(r.randint(1938, 1950), r.random() < 0.5)
            members = [{"id": pid, "name": name, "relation": "head", "labor_capacity": "none",
                        "self_care": r.choice(["partial", "none"]), "supporters": "none"}]
        else:
            year = r.randint(1958, 1975)
            pid, name = self.person(year, True)
            surname = name[0]
            head = {"id": pid, "name": name, "relation": "head", "labor_capacity": "partial",
                    "incomes": [{"type": "wage", "amount": "%d.00" % (r.randint(150, 400) if kind == "dibao" else 6800)}]}
            if kind == "dibao" and r.random() < 0.5:
                head.update(disability_grade=2, disability_kind=r.choice(["physical", "visual", "intellectual"]))
            spouse_id, spouse = self.person(year + r.randint(-3, 3), False)
            child_id, child = self.person(min(2016, year + 30), r.random() < 0.5, surname)
            members = [head,
                       {"id": spouse_id, "name": spouse, "relation": "spouse", "labor_capacity": "none",
                        "severe_illness": kind == "dibao"},
                       {"id": child_id, "name": child, "relation": "child", "in_school": True,
                        "labor_capacity": "none"}]
        return {"household_no": no, "region": region, "area": area, "members": members,
                "address": "开州区%s%s号" % (region_name(region), r.randint(1, 200))}


REGION_NAMES = {}


def region_name(code):
    return REGION_NAMES.get(code, "")


def regions_rows():
    rows = []
    rng = random.Random(154)
    for t, town in enumerate(TOWNSHIPS, 1):
        tcode = "%s%03d" % (COUNTY, t)
        rows.append((tcode, town, 4, COUNTY, None))
        REGION_NAMES[tcode] = town
        urban = town.endswith("街道")
        stems = rng.sample(VILLAGE_STEMS, 10)
        for v in range(1, 11):
            vcode = "%s%03d" % (tcode, v)
            name = stems[v - 1] + ("社区" if urban and v <= 6 else "村")
            rows.append((vcode, name, 5, tcode, "urban" if name.endswith("社区") else "rural"))
            REGION_NAMES[vcode] = town + name
    return rows


# ---- the server, one run per day of the history ----

class Server:
    def __init__(self, doudi, db, days, logdir):
        env = dict(os.environ)
        env["DOUDI_DEMO_CLOCK_DAYS"] = str(days)
        self.days = days
        self.log = os.path.join(logdir, "serve%d.log" % -days)
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen([doudi, "serve", "--db", db, "--port", "0", "--no-web",
                                      "--ip-max-failures", "100000"],
                                     stdout=subprocess.DEVNULL, stderr=self.logf, env=env, cwd=logdir)
        deadline = time.time() + 30
        self.url = None
        while time.time() < deadline and self.url is None:
            with open(self.log) as f:
                m = re.search(r"listening on (http://\S+)", f.read())
            if m:
                self.url = m.group(1)
            elif self.proc.poll() is not None:
                break
            else:
                time.sleep(0.02)
        if not self.url:
            self.stop()
            with open(self.log) as f:
                sys.exit("demo: doudi serve did not start:\n" + f.read())
        self.sessions = {}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
        self.logf.close()
        if self.proc.returncode not in (0, -15):
            with open(self.log) as f:
                sys.exit("demo: doudi serve (day %d) ended with %d:\n%s" % (self.days, self.proc.returncode,
                                                                           f.read()[-4000:]))

    def call(self, method, path, body=None, who=None, ok=(200, 201)):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        if who:
            cookie, csrf = self.session(who)
            headers["Cookie"] = cookie
            headers["X-CSRF-Token"] = csrf
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                status, text = res.status, res.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        parsed = json.loads(text) if text else None
        if ok and status not in ok:
            raise RuntimeError("%s %s as %s: %d %s" % (method, path, who, status, text[:400]))
        return status, parsed

    def session(self, username):
        if username not in self.sessions:
            req = urllib.request.Request(self.url + "/api/v1/session", method="POST",
                                         data=json.dumps({"username": username, "password": PASSWORD}).encode(),
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=60) as res:
                cookie = res.headers["Set-Cookie"].split(";")[0]
                self.sessions[username] = (cookie, json.loads(res.read())["csrf"])
        return self.sessions[username]


PASSWORD = DEFAULT_PASSWORD

# ---- the plan: what happens on which day ----

# casework steps up to each state (the actor is the case's township officer unless noted)
STEPS = {"submitted": [], "accepted": ["accept"], "verified": ["accept", "verify"],
         "investigated": ["accept", "verify", "investigate"],
         "reviewed": ["accept", "verify", "investigate", "review"],
         "in_notice": ["accept", "verify", "investigate", "review", "publish_notice"]}

# (programme, household kind, [(day, steps, final action or None)], what it shows)
CASES = [
    # approved (current recipients with a decision)
    *[("dibao", "dibao", [(-50, "in_notice", None), (-40, None, "approve")], "approved") for _ in range(6)],
    *[("tekun", "tekun", [(-50, "in_notice", None), (-40, None, "approve")], "approved") for _ in range(3)],
    # rejected and withdrawn
    *[("dibao", "better_off", [(-35, "verified", None), (-30, None, "reject")], "rejected") for _ in range(3)],
    *[("dibao", "dibao", [(-20, "accepted", None), (-15, None, "withdraw")], "withdrawn") for _ in range(2)],
    # in notice: waiting for the county, overdue / notice over / notice still running
    *[("dibao", "dibao", [(-35, "in_notice", None)], "in_notice overdue") for _ in range(2)],
    *[("tekun", "tekun", [(-10, "in_notice", None)], "in_notice ready") for _ in range(2)],
    *[("dibao", "dibao", [(-2, "in_notice", None)], "in_notice running") for _ in range(2)],
    # reviewed and investigated: overdue (accepted more than 30 working days ago) and fresh
    *[("dibao", "dibao", [(-50, "reviewed", None)], "reviewed overdue")],
    *[("dibao", "dibao", [(-6, "reviewed", None)], "reviewed") for _ in range(2)],
    *[("tekun", "tekun", [(-50, "investigated", None)], "investigated overdue")],
    *[("dibao", "dibao", [(-4, "investigated", None)], "investigated") for _ in range(2)],
    # 3-working-day states: overdue, and entered 3, 4 and 5 days ago (one of them is due today
    # on a working day), and today
    *[(p, p, [(d, st, None)], st) for st in ("verified", "accepted", "submitted")
      for d, p in ((-15, "dibao"), (-5, "dibao"), (-4, "tekun"), (-3, "dibao"), (0, "dibao"))],
]

# temporary cases: (day, township index, household?, body, actions [(day, actor, action body)])
TEMPORARY = [
    # first aid the same day, the paperwork still to come
    (-1, 1, True, {"case_kind": "emergency", "cause": "fire", "severity": "serious", "requested_amount": "2500.00",
                   "note": "房屋失火，急需基本生活物资"},
     [(-1, "village", {"action": "first_aid", "amount": "800.00", "note": "当日先行救助"})]),
    # first aid, paperwork, township approval in two stages, the first paid
    (-12, 2, True, {"case_kind": "emergency", "cause": "accident", "severity": "serious",
                    "requested_amount": "3000.00", "note": "交通事故致家庭生活困难"},
     [(-12, "township", {"action": "first_aid", "amount": "1000.00", "note": "先行救助"}),
      (-10, "township", {"action": "paperwork", "note": "事后补充说明：事故认定书已收集"}),
      (-8, "township", {"action": "approve", "amount": "3000.00", "stages": 2}),
      (-8, "township", {"action": "pay_stage", "stage": 1})]),
    # above the township's limit: waits for the county's approval (tiered approval)
    (-3, 3, True, {"case_kind": "expenditure", "cause": "medical", "severity": "grave",
                   "requested_amount": "8000.00", "note": "重大疾病医疗自付费用高"}, []),
    (-2, 4, False, {"case_kind": "emergency", "cause": "stranded", "severity": "general",
                    "requested_amount": "500.00", "registration_region": "510100", "note": "外来务工人员临时遇困"}, []),
    # county tier, approved by the county, the first stage paid by finance
    (-25, 5, True, {"case_kind": "expenditure", "cause": "medical", "severity": "grave",
                    "requested_amount": "6000.00", "note": "住院治疗自付部分"},
     [(-20, "county", {"action": "approve", "amount": "6000.00", "stages": 2}),
      (-18, "finance", {"action": "pay_stage", "stage": 1})]),
    # refused
    (-15, 6, True, {"case_kind": "emergency", "cause": "illness", "severity": "general",
                    "requested_amount": "1500.00", "note": "突发疾病"},
     [(-14, "township", {"action": "reject", "note": "经核实家庭收入较高，不符合临时救助条件"})]),
]

# reserve-fund ledger: (day, actor, township index, entry)
FUND = [(-55, "county", t, {"kind": "advance", "amount": "30000.00", "note": "年度备用金下拨"}) for t in range(1, 11)] + [
    (-22, "finance", 2, {"kind": "replenish", "amount": "5000.00", "note": "回补"}),
    (-7, "township", 9, {"kind": "return", "amount": "2000.00", "note": "结余退回"}),
]

# online applications (citizen portal), left waiting for acceptance: (day, township index, programme)
ONLINE = [(-2, 1, "dibao"), (-1, 2, "tekun"), (0, 1, "temporary"), (0, 3, "dibao")]


def build(args):
    rng = random.Random(2026)
    people = People(rng)
    target = args.db + ".building"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="doudi-demo-")
    t0 = time.time()
    first = -60
    env = dict(os.environ, DOUDI_DEMO_CLOCK_DAYS=str(first))

    def run(cmd, **kw):
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, **kw)
        if r.returncode != 0:
            sys.exit("demo: %s failed (%d):\n%s%s" % (" ".join(cmd[:3]), r.returncode, r.stdout, r.stderr))
        return r

    run([args.doudi, "init", "--db", target, "--admin-password-file", "-"], input=PASSWORD)
    con = sqlite3.connect(target)
    con.executemany("INSERT INTO regions (code, name, level, parent_code, area) VALUES (?, ?, ?, ?, ?)",
                    regions_rows())
    con.commit()
    con.close()
    csv = os.path.join(tmp, "households.csv")
    run([sys.executable, os.path.join(ROOT, "bench", "gen_import_csv.py"), "--seed", "2026", "--households",
         str(args.households), "--county", COUNTY, "--towns", str(len(TOWNSHIPS)), "--villages", "10",
         "--headers", "zh", "--out", csv, "--quiet"])
    run([args.doudi, "import", "households", "--db", target, csv])
    print("demo: %d households imported (%.1f s)" % (args.households, time.time() - t0), flush=True)

    # the plan by day
    plan = {}

    def on(day, fn):
        plan.setdefault(day, []).append(fn)

    on(first, lambda s: [s.call("POST", "/api/v1/referral-offices",
                                dict({"code": c, "name": n, "kind": k, "region": COUNTY},
                                     **({"reply_workdays": d} if d else {})), "admin")
                         for c, n, k, d in OFFICES])
    on(first, lambda s: [s.call("POST", "/api/v1/users", dict({"username": u, "password": PASSWORD, "role": role,
                                                                "region": region, "name": name},
                                                               **({"office_code": USER_OFFICE[u]}
                                                                  if u in USER_OFFICE else {})), "admin")
                         for u, role, region, name in USERS if u != "admin"])
    for day, who, t, entry in FUND:
        actor = "township%02d" % t if who == "township" else who
        on(day, lambda s, a=actor, t=t, e=entry: s.call("POST", "/api/v1/reserve-funds/%s%03d/entries" % (COUNTY, t),
                                                          e, a))
    hh_seq = [0]

    def new_household(s, officer, region, kind):
        hh_seq[0] += 1
        _, body = s.call("POST", "/api/v1/households",
                         people.household("%s-D%05d" % (COUNTY, hh_seq[0]), region, kind), officer)
        return body["id"]

    states = {}
    for i, (programme, kind, days, label) in enumerate(CASES):
        t = i % len(TOWNSHIPS) + 1
        officer = "township%02d" % t
        village = "%s%03d%03d" % (COUNTY, t, rng.randint(1, 10))
        case = {}

        def start(s, programme=programme, kind=kind, officer=officer, village=village, case=case, upto=days[0][1]):
            hid = new_household(s, officer, village, kind)
            _, c = s.call("POST", "/api/v1/applications", {"household_id": hid, "programme": programme,
                                                           "commitment": True, "channel": "counter"}, officer)
            case["id"], case["version"] = c["id"], c["version"]
            for action in STEPS[upto]:
                advance(s, case, officer, action)

        def finish(s, action, officer=officer, case=case):
            actor = "county" if action == "approve" else officer
            advance(s, case, actor, action)

        on(days[0][0], start)
        for day, _, action in days[1:]:
            on(day, lambda s, a=action, f=finish: f(s, a))
        states[label] = states.get(label, 0) + 1

    def advance(s, case, actor, action):
        body = {"action": action, "version": case["version"]}
        if action in ("reject", "withdraw"):
            body["note"] = "经入户调查，家庭收入超过当地低保标准" if action == "reject" else "申请人主动撤回申请"
        _, c = s.call("POST", "/api/v1/applications/%d/actions" % case["id"], body, actor)
        case["version"] = c["version"]

    for day, t, with_household, body, actions in TEMPORARY:
        case = {}
        officer = "township%02d" % t

        def tstart(s, t=t, with_household=with_household, body=body, case=case, officer=officer):
            region = "%s%03d%03d" % (COUNTY, t, 1)
            b = dict(body, region=region, area="rural")
            creator = "village" if t == 1 else officer
            if with_household:
                b["household_id"] = new_household(s, officer, region, "dibao")
            _, c = s.call("POST", "/api/v1/temporary-cases", b, creator)
            case["id"], case["version"] = c["id"], c["version"]

        def tact(s, who, a, case=case, officer=officer):
            actor = officer if who == "township" else who
            _, c = s.call("POST", "/api/v1/temporary-cases/%d/actions" % case["id"], dict(a, version=case["version"]),
                          actor)
            case["version"] = c["version"]

        on(day, tstart)
        for d, who, a in actions:
            on(d, lambda s, who=who, a=a, f=tact: f(s, who, a))

    for day, t, programme in ONLINE:
        on(day, lambda s, t=t, p=programme: online_application(s, people, t, p))

    # 转办转介: two 12345 calls of township01 referred to the medical insurance bureau and the
    # education committee; the first answered and closed, the second still waiting (overdue)
    refs = {}

    def hotline_call(s, desc):
        _, o = s.call("POST", "/api/v1/hotline/orders", {
            "caller_name": "周来电", "caller_phone": "13800138000", "region": COUNTY + "001",
            "category": "temporary", "description": desc}, "county")
        return o["id"]

    def refer(s, key, desc, office, reason):
        oid = hotline_call(s, desc)
        _, r = s.call("POST", "/api/v1/referrals", {"hotline_order_id": oid, "office_code": office,
                                                    "reason": reason}, "township01")
        refs[key] = r["id"]

    def step(s, key, who, body):
        _, r = s.call("GET", "/api/v1/referrals/%d" % refs[key], None, who)
        s.call("POST", "/api/v1/referrals/%d/actions" % refs[key], dict(body, version=r["version"]), who)

    on(-30, lambda s: refer(s, "a", "母亲住院治疗，自付费用高", "kz-yb", "住院自付费用约两万元，请求医疗救助"))
    on(-29, lambda s: step(s, "a", "yibao", {"action": "accept"}))
    on(-25, lambda s: step(s, "a", "yibao", {"action": "answer", "answer": "已按医疗救助政策核报住院自付费用",
                                              "outcome": "assisted", "amount": "8600.00"}))
    on(-24, lambda s: step(s, "a", "township01", {"action": "close", "note": "已电话告知来电人"}))
    on(-20, lambda s: refer(s, "b", "孩子上学费用困难", "kz-jw", "子女就读高中，请求教育资助"))

    # 家庭经济状况核对: a township02 dibao application whose adults signed the authorisation; the
    # tax office and the bank answered through the API, the others let their deadlines pass; the
    # report is built today (the page shows the differences and the 采用核对结果 button)
    ver = {}

    def verify_start(s):
        body = people.household("%s-V00001" % COUNTY, COUNTY + "002003", "dibao")
        _, h = s.call("POST", "/api/v1/households", body, "township02")
        _, a = s.call("POST", "/api/v1/applications", {"household_id": h["id"], "programme": "dibao",
                                                       "commitment": True}, "township02")
        _, auth = s.call("GET", "/api/v1/households/%d/authorisations" % h["id"], None, "township02")
        s.call("POST", "/api/v1/households/%d/authorisations" % h["id"], {
            "person_ids": [x["person_id"] for x in auth["adults"]], "method": "paper", "scope": "all",
            "signed_on": day_text(s, 0), "valid_until": day_text(s, 365), "document": "KZ-SQ-0001",
            "application_id": a["id"]}, "township02")
        _, v = s.call("POST", "/api/v1/verifications", {"application_id": a["id"]}, "township02")
        ver.update(id=v["id"], head=body["members"][0]["id"], spouse=body["members"][1]["id"],
                   req={q["source"]: q["id"] for q in v["requests"]})

    def verify_answers(s):
        s.call("POST", "/api/v1/verification-requests/%d/answer" % ver["req"]["tax"], {"findings": [
            {"id_number": ver["head"], "item": "wage", "amount": "9600.00", "period": "year",
             "note": "个人所得税扣缴申报"}]}, "township02")
        s.call("POST", "/api/v1/verification-requests/%d/answer" % ver["req"]["bank"], {"findings": [
            {"id_number": ver["spouse"], "item": "financial", "amount": "3200.00", "note": "活期存款"}]},
            "township02")

    def verify_report(s):
        _, v = s.call("GET", "/api/v1/verifications/%d" % ver["id"], None, "township02")
        _, r = s.call("POST", "/api/v1/verifications/%d/report" % ver["id"], {"version": v["version"]},
                      "township02")
        ver["differences"] = r["report"]["differences"]

    on(-20, verify_start)
    on(-12, verify_answers)
    on(0, verify_report)

    # this month's payroll of the county, generated and checked (the 发放管理 pages are not empty)
    payroll_batches = []
    on(0, lambda s: payroll_batches.extend(payroll_month(s)))
    # a holiday relief campaign with some visits, and this month's statistics (统计报表 pages)
    campaign = {}
    on(0, lambda s: campaign.update(relief_campaign(s)))
    on(0, lambda s: s.call("POST", "/api/v1/statistics/monthly", {"period": this_month()}, "county"))

    for day in sorted(plan):
        s = Server(args.doudi, target, day, tmp)
        try:
            for fn in plan[day]:
                fn(s)
        finally:
            s.stop()
    print("demo: %d cases (%s), %d temporary cases (%.1f s)" % (
        len(CASES), ", ".join("%s %d" % kv for kv in sorted(states.items())), len(TEMPORARY), time.time() - t0),
        flush=True)
    print("demo: payroll of %s: %d batches" % (this_month(), len(payroll_batches)), flush=True)
    print("demo: verification %s reported with %s differences" % (ver.get("id"), ver.get("differences")), flush=True)
    print("demo: campaign %s: %d recipients, %d visited; statistics of %s built" % (
        campaign.get("name", "-"), campaign.get("recipients", 0), campaign.get("visited", 0), this_month()), flush=True)
    if not payroll_batches:
        sys.exit("demo: the payroll of %s made no batch (the 发放管理 pages would be empty)" % this_month())
    # one file to rename: the WAL folded in by a connection of our own, never deleted (a WAL
    # left beside the file holds the last commits)
    con = sqlite3.connect(target)
    busy, _, _ = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    batches = con.execute("SELECT count(*) FROM payroll_batches").fetchone()[0]
    con.close()
    if busy or os.path.exists(target + "-wal") or batches != len(payroll_batches):
        sys.exit("demo: the store did not close cleanly (checkpoint busy %d, WAL %s, %d of %d batches)" % (
            busy, os.path.exists(target + "-wal"), batches, len(payroll_batches)))
    os.replace(target, args.db)
    subprocess.run(["rm", "-rf", tmp])


def day_text(s, k):
    """The civil date (China time) k days after the server's day."""
    now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8, days=s.days + k)
    return now.strftime("%Y-%m-%d")


def this_month():
    """YYYY-MM of today (China time, as the server's clock): the demo's decisions start in it."""
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    return "%04d-%02d" % (now.year, now.month)


def payroll_month(s):
    """The county generates this month's payroll and runs the checks on each new batch."""
    _, r = s.call("POST", "/api/v1/payroll/batches", {"region": COUNTY, "period": this_month()}, "county")
    ids = [i["batch_id"] for i in r["items"] if i.get("batch_id")]
    for bid in ids:
        s.call("POST", "/api/v1/payroll/batches/%d/checks" % bid, None, "county")
    return ids


def relief_campaign(s):
    """The county's holiday campaign (元旦春节走访慰问): its list from the roll in force, and township01
    visits its first recipients with money and goods."""
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    d = lambda n: (today + datetime.timedelta(days=n)).isoformat()
    _, c = s.call("POST", "/api/v1/campaigns", {
        "region": COUNTY, "name": "%d年元旦春节走访慰问" % (today.year + 1), "starts_on": d(-5), "ends_on": d(30),
        "report_dates": [d(5), d(28)], "categories": ["dibao", "tekun", "marginal"]}, "county")
    _, plan = s.call("POST", "/api/v1/campaigns/%d/plan" % c["id"], None, "county")
    _, rs = s.call("GET", "/api/v1/campaigns/%d/recipients?per_page=6" % c["id"], None, "township01")
    visited = 0
    for i, r in enumerate(rs["items"]):
        body = {"recipient_id": r["id"], "version": r["version"], "visited_on": d(0), "money": "%d.00" % (300 + 100 * (i % 3))}
        if i % 2 == 0:
            body.update(goods="米、油、棉被", goods_value="150.00")
        s.call("POST", "/api/v1/campaigns/%d/recipients" % c["id"], body, "township01")
        visited += 1
    return {"name": c["name"], "recipients": plan["recipients"], "visited": visited}


def online_application(s, people, t, programme):
    village = "%s%03d%03d" % (COUNTY, t, 2)
    h = people.household("", village, "tekun" if programme == "tekun" else "dibao")
    head = h["members"][0]
    body = {"programme": programme, "region": village,
            "applicant": {"name": head["name"], "id_number": head["id"], "phone": "1390000%04d" % people.seq},
            "household": {"area": h["area"], "members": h["members"]},
            "reason": "家庭收入低，生活困难，申请救助" if programme != "temporary" else "家中老人突发疾病，医疗支出大",
            "commitment": True}
    status, _ = s.call("POST", "/api/v1/public/applications", body, None, ok=None)
    if status == 404:  # no portal in this build
        return
    if status != 201:
        raise RuntimeError("online application: %d" % status)


def main():
    global PASSWORD
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", default=os.path.join("var", "demo.db"))
    ap.add_argument("--doudi", default=os.path.join(ROOT, "build", "doudi"))
    ap.add_argument("--households", type=int, default=int(os.environ.get("DEMO_HOUSEHOLDS", "20000")))
    ap.add_argument("--url", default="http://127.0.0.1:8080/")
    ap.add_argument("--print-logins", action="store_true")
    args = ap.parse_args()
    PASSWORD = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
    if args.print_logins:
        print_logins(PASSWORD, args.url)
        return
    if os.path.exists(args.db) and os.path.getsize(args.db) > 0:
        print("demo: keeping the existing %s (remove it for a fresh demo)" % args.db)
        return
    if args.households < 100:
        sys.exit("demo: --households must be at least 100")
    args.db = os.path.abspath(args.db)
    args.doudi = os.path.abspath(args.doudi)
    build(args)


if __name__ == "__main__":
    main()
