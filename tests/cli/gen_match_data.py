#!/usr/bin/env python3
"""gen_match_data.py - datasets with planted cases for the data-matching tests
(issue 7, tests/cli/test_match.sh).

The store holds the payroll roll (bench/payroll_roll.sql, N households, person
i in household i, region <county>001001, every tenth a tekun person) whose ID
numbers this script sets (persons.sql), plus a monitoring register of people
outside the registry (register.csv). The datasets then hold clean rows (people
nobody watches, recipients whose facts pass every rule) and planted ones;
expected.txt lists every alert the planted rows must raise, as
"rule id_number region", computed here from what was planted, independently
of doudi. One file (deaths) is GB18030 with Chinese headers; bad rows (a wrong
check digit, a malformed quote, a bad date on a recipient) are counted in
rejects.txt per file.

usage: gen_match_data.py OUTDIR N COUNTIES_FILE  (county codes, one per line,
in the order the roll spreads households: household i is in county
counties[i % len(counties)])
"""
import os
import random
import sys

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
C = "10X98765432"


def idnum(region6, birth, seq):
    d17 = f"{region6}{birth}{seq:03d}"
    return d17 + C[sum(int(a) * b for a, b in zip(d17, W)) % 11]


def bad_check(i):
    good = i[17]
    return i[:17] + ("0" if good != "0" else "1")


def main():
    out, n, counties_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    counties = [c.strip() for c in open(counties_file) if c.strip()]
    rnd = random.Random(20261123)
    os.makedirs(out, exist_ok=True)
    expected = []
    rejects = {}

    # recipients: person i, ID numbers from their county, birth dates spread
    ids = {}
    county = {}
    with open(f"{out}/persons.sql", "w") as f:
        for i in range(1, n + 1):
            c = counties[i % len(counties)]
            ids[i] = idnum(c, f"19{40 + i % 50:02d}{1 + i % 12:02d}{1 + i % 28:02d}", i % 1000)
            county[i] = c
            f.write(f"UPDATE persons SET id_number = '{ids[i]}' WHERE id = {i};\n")
    township = {i: county[i] + "001" for i in ids}
    used = set(ids.values())

    def stranger(c="500101"):
        while True:
            x = idnum(c, f"19{rnd.randint(30, 99)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}",
                      rnd.randint(0, 999))
            if x not in used:
                used.add(x)
                return x

    # the register: people outside the registry, monitored (rural_monitoring, hardship)
    reg = []
    for k in range(20):
        c = counties[k % len(counties)]
        reg.append((stranger(c), f"登记人{k}", c + "002001", ["rural_monitoring", "hardship"][k % 2]))
    with open(f"{out}/register.csv", "w", encoding="utf-8") as f:
        f.write("身份证号码,姓名,区划代码,类别,纳入日期\n")
        for r in reg:
            f.write(f"{r[0]},{r[1]},{r[2]},{r[3]},2025-06-01\n")
    reg_ids = {r[0]: r for r in reg}

    recips = list(range(1, n + 1))
    rnd.shuffle(recips)
    pick = iter(recips)

    def take():
        return next(pick)

    # deaths (GB18030, Chinese headers): 3 recipients, 1 register person; clean strangers
    rows = []
    for _ in range(3):
        i = take()
        rows.append((ids[i], f"死者{i}", "2026-10-03"))
        expected.append(("death", ids[i], township[i]))
    r0 = reg[0]
    rows.append((r0[0], r0[1], "2026-09-30"))
    expected.append(("death", r0[0], r0[2][:9]))
    for k in range(300):
        rows.append((stranger(), f"居民{k}", "2026-0%d-1%d" % (1 + k % 9, k % 10)))
    rnd.shuffle(rows)
    with open(f"{out}/deaths.csv", "w", encoding="gb18030", newline="") as f:
        f.write("公民身份号码,姓名,死亡日期,登记单位\r\n")
        for r in rows:
            f.write(f"{r[0]},{r[1]},{r[2]},派出所\r\n")
        f.write(f"{bad_check(stranger())},坏号码,2026-01-01,派出所\r\n")
    rejects["deaths"] = 1

    # vehicles: 4 recipients with cars; one with a disability vehicle (clean); strangers
    with open(f"{out}/vehicles.csv", "w", encoding="utf-8") as f:
        f.write("车主身份证号码,车主姓名,号牌号码,车辆类型,车辆价值,登记日期\n")
        for k in range(4):
            i = take()
            f.write(f"{ids[i]},车主{i},渝A{k:05d},小型轿车,68000.00,2026-05-0{k + 1}\n")
            expected.append(("vehicle", ids[i], township[i]))
        i = take()
        f.write(f"{ids[i]},车主{i},渝A90000,残疾人专用车,9000.00,2026-05-01\n")
        for k in range(300):
            f.write(f"{stranger()},某人{k},渝B{k:05d},小型轿车,{50000 + k}.00,2025-03-01\n")
        f.write('500101199001011234,"坏"引号,渝C00001,小型轿车,1.00,2025-01-01\n')
    rejects["vehicles"] = 1

    # business: 2 recipients; strangers
    with open(f"{out}/business.csv", "w", encoding="utf-8") as f:
        f.write("身份证号码,姓名,统一社会信用代码,企业名称,身份,认缴出资额,成立日期\n")
        for k in range(2):
            i = take()
            f.write(f"{ids[i]},老板{i},91500000MA{k:08d},\"重庆某某商贸有限公司, 第{k}号\",法定代表人,100000.00,2026-02-02\n")
            expected.append(("business", ids[i], township[i]))
        for k in range(200):
            f.write(f"{stranger()},某人{k},91500000MB{k:08d},某公司{k},股东,5000.00,2024-01-01\n")

    # social insurance: 3 recipients with wage 3500 (alert), 3 with 1500 (clean);
    # uncovered people whose insurance stopped within 3 months: 2 leads; stopped
    # a year ago: clean; a recipient with a bad date in a column a rule needs: rejected
    with open(f"{out}/social_insurance.csv", "w", encoding="utf-8") as f:
        f.write("身份证号码,姓名,参保单位,月缴费工资,参保日期,停保日期,参保地区划代码\n")
        for k in range(3):
            i = take()
            f.write(f"{ids[i]},职工{i},某厂,3500.00,2026-03-01,,{county[i]}\n")
            expected.append(("employment", ids[i], township[i]))
        for k in range(3):
            i = take()
            f.write(f"{ids[i]},职工{i},某厂,1500.00,2026-03-01,,{county[i]}\n")
        for k in range(2):
            s = stranger("500102")
            f.write(f"{s},失业{k},某厂,4000.00,2020-01-01,2026-10-15,500102003\n")
            expected.append(("lead_income_loss", s, "500102003"))
        for k in range(200):
            f.write(f"{stranger()},某人{k},某厂,{3000 + k}.00,2019-01-01,{'2025-06-30' if k % 3 == 0 else ''},500103\n")
        i = take()
        f.write(f"{ids[i]},职工{i},某厂,abc,2026-03-01,,{county[i]}\n")
    rejects["social_insurance"] = 1

    # staff relatives: 2 recipients; strangers
    with open(f"{out}/staff_relatives.csv", "w", encoding="utf-8") as f:
        f.write("近亲属身份证号码,近亲属姓名,干部职工姓名,关系,工作单位\n")
        for k in range(2):
            i = take()
            f.write(f"{ids[i]},亲属{i},干部{k},配偶,某街道办事处\n")
            expected.append(("staff_relative", ids[i], township[i]))
        for k in range(100):
            f.write(f"{stranger()},亲属{k},干部{k},子女,某局\n")

    # medical (as of 2026-11-01): recipients over 20000 in 12 months (3 bills);
    # one recipient at 15000 (clean); one with 30000 but 14 months ago (clean);
    # uncovered over 50000: leads; uncovered 40000: clean
    with open(f"{out}/medical.csv", "w", encoding="utf-8") as f:
        f.write("参保人身份证号码,姓名,结算日期,医疗总费用,个人自付费用,参保地区划代码\n")
        rows = []
        for k in range(2):
            i = take()
            for d, a in (("2026-03-05", "9000.00"), ("2026-06-10", "8000.50"), ("2026-09-20", "3000.00")):
                rows.append(f"{ids[i]},病人{i},{d},30000.00,{a},{county[i]}001")
            expected.append(("medical_expense", ids[i], township[i]))
        i = take()
        rows.append(f"{ids[i]},病人{i},2026-04-01,20000.00,15000.00,{county[i]}001")
        i = take()
        rows.append(f"{ids[i]},病人{i},2025-09-01,50000.00,30000.00,{county[i]}001")
        for k in range(2):
            s = stranger("500104")
            rows.append(f"{s},大病{k},2026-02-01,90000.00,30000.00,500104002")
            rows.append(f"{s},大病{k},2026-08-01,90000.00,30000.01,500104002")
            expected.append(("lead_medical", s, "500104002"))
        s = stranger("500104")
        rows.append(f"{s},某人,2026-02-01,90000.00,40000.00,500104002")
        for k in range(300):
            rows.append(f"{stranger()},某人{k},2026-0{1 + k % 9}-01,{k}00.00,{k}.00,500105001")
        rnd.shuffle(rows)
        f.write("\n".join(rows) + "\n")

    # rural monitoring: uncovered people → leads; a recipient and a register person: nothing
    with open(f"{out}/rural_monitoring.csv", "w", encoding="utf-8") as f:
        f.write("证件号码,姓名,监测对象类别,识别日期,所在地区划代码\n")
        for k in range(3):
            s = stranger("500110")
            f.write(f"{s},监测{k},脱贫不稳定户,2026-04-01,500110004001\n")
            expected.append(("lead_rural", s, "500110004"))
        i = take()
        f.write(f"{ids[i]},受助{i},突发严重困难户,2026-04-01,{county[i]}001001\n")
        r = reg[1]
        f.write(f"{r[0]},{r[1]},边缘易致贫户,2026-04-01,{r[2]}\n")

    # the other counties' rolls: 2 recipients also listed in another county
    # (an alert for each county); recipients listed in their own county: clean
    with open(f"{out}/assistance_roll.csv", "w", encoding="utf-8") as f:
        f.write("公民身份号码,姓名,区划代码,救助类别\n")
        for k in range(2):
            i = take()
            other = next(c for c in counties if c != county[i])
            f.write(f"{ids[i]},双享{i},{other}002,低保\n")
            expected.append(("cross_county", ids[i], township[i]))
            expected.append(("cross_county", ids[i], other))
        for k in range(5):
            i = take()
            f.write(f"{ids[i]},本地{i},{county[i]},低保\n")
        for k in range(100):
            f.write(f"{stranger()},某人{k},500199,特困\n")

    # household-registration moves: 1 recipient out of the county (both counties
    # hear of it), 1 within it (clean)
    with open(f"{out}/hukou_moves.csv", "w", encoding="utf-8") as f:
        f.write("公民身份号码,姓名,迁入地区划代码,迁移日期\n")
        i = take()
        other = next(c for c in counties if c != county[i])
        f.write(f"{ids[i]},迁出{i},{other}003001,2026-07-01\n")
        expected.append(("moved_out", ids[i], township[i]))
        expected.append(("moved_out", ids[i], other))
        i = take()
        f.write(f"{ids[i]},迁移{i},{county[i]}009,2026-07-01\n")
        for k in range(50):
            f.write(f"{stranger()},某人{k},500101,2026-01-01\n")

    with open(f"{out}/expected.txt", "w") as f:
        for e in sorted(expected):
            f.write(" ".join(e) + "\n")
    with open(f"{out}/rejects.txt", "w") as f:
        for k, v in sorted(rejects.items()):
            f.write(f"{k} {v}\n")


if __name__ == "__main__":
    main()
