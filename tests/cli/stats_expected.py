#!/usr/bin/env python3
"""stats_expected.py DIR PERIOD - the monthly statistics computed from raw rows of the store, independently of
doudi's SQL (tests/cli/test_stats.sh dumps the tables as '|'-separated text into DIR). Prints one line per
township: code households/persons per programme, payment lines and amount per programme, temporary cases and
amount, decided count and days, registered persons, care emergencies reported, arranged in time and closed,
children covered by category and care type and their allowance paid - the
same columns test_stats.sh reads from the CSV."""
import collections
import datetime
import json
import os
import sys

d, period = sys.argv[1], sys.argv[2]
y, m = map(int, period.split("-"))
first = datetime.date(y, m, 1)
nxt = datetime.date(y + (m == 12), m % 12 + 1, 1)
last = (nxt - datetime.timedelta(days=1)).isoformat()


def rows(name):
    with open(os.path.join(d, name + ".txt"), encoding="utf-8") as f:
        return [line.rstrip("\n").split("|") for line in f if line.strip()]


def china_day(ts):
    t = datetime.datetime.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S") + datetime.timedelta(hours=8)
    return t.date()


v = collections.defaultdict(lambda: collections.Counter())
decisions = {}
for did, hid, region, det, frm, to, gx in rows("decisions"):
    in_force = frm <= last and (to == "" or to > last) and (gx == "" or gx >= period)
    decisions[did] = (hid, region, det, in_force)
    if not in_force or det not in ("dibao", "dibao_gradual_exit", "single_person", "tekun", "marginal"):
        continue
    prog = "tekun" if det == "tekun" else "marginal" if det == "marginal" else "dibao"
    v[region[:9]][prog + ".households"] += 1
household_programme = {}
for did, (hid, region, det, in_force) in decisions.items():
    if in_force and det in ("dibao", "dibao_gradual_exit", "marginal"):
        household_programme[hid] = "marginal" if det == "marginal" else "dibao"
for hid, region, frm, to in rows("memberships"):
    if frm <= last and (to == "" or to > last):
        v[region[:9]]["registered"] += 1
        if hid in household_programme:
            v[region[:9]][household_programme[hid] + ".persons"] += 1
care = {did: json.loads(result).get("care_type") for did, result in rows("childcare")}
for did, prog, comp, cat in rows("lines"):
    hid, region, det, in_force = decisions[did]
    if in_force and comp in ("single_person", "tekun_basic") and det in ("single_person", "tekun"):
        v[region[:9]][prog + ".persons"] += 1
    if in_force and prog == "children" and comp == "children_allowance":
        v[region[:9]]["children.persons"] += 1
        kind = cat if cat.startswith("orphan_") else "unsupported_" + care[did]
        v[region[:9]]["children." + kind] += 1
for region, prog, amount, pstate, bperiod, bstate in rows("payments"):
    if bperiod == period and bstate != "cancelled" and pstate != "cancelled":
        v[region[:9]][prog + ".lines"] += 1
        v[region[:9]][prog + ".amount"] += int(amount)
for region, approved_at, amount in rows("temporary"):
    if approved_at and amount and first <= china_day(approved_at) < nxt:
        v[region[:9]]["temporary.cases"] += 1
        v[region[:9]]["temporary.case_amount"] += int(amount)
for region, prog, submitted, decided in rows("applications"):
    if submitted and decided and first <= china_day(decided) < nxt:
        v[region[:9]][prog + ".decided"] += 1
        v[region[:9]][prog + ".days"] += (china_day(decided) - china_day(submitted)).days

for region, reported, due, arranged, closed in rows("emergencies"):
    if first <= china_day(reported) < nxt:
        v[region[:9]]["care_emergency.cases"] += 1
        if arranged and arranged <= due:
            v[region[:9]]["care_emergency.in_time"] += 1
    if closed and first <= china_day(closed) < nxt:
        v[region[:9]]["care_emergency.closed"] += 1

KEYS = ["dibao.households", "dibao.persons", "dibao.amount", "tekun.persons", "tekun.amount", "marginal.households",
        "marginal.persons", "temporary.cases", "temporary.case_amount", "dibao.decided", "dibao.lines", "registered",
        "care_emergency.cases", "care_emergency.in_time", "care_emergency.closed", "children.persons",
        "children.orphan_institution", "children.orphan_dispersed", "children.unsupported_institution",
        "children.unsupported_dispersed", "children.amount"]
for t in sorted(v):
    print(t, " ".join(str(v[t][k]) for k in KEYS))
