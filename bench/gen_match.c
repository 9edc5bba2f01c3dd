/* gen_match.c - data for the matching benchmark (issue 7, bench/match.sh):
 * a monitored population (the register CSV `doudi monitor register-import`
 * loads) and datasets of the kinds schema/016_monitor.sql declares, with
 * the headers departments use, written fast enough for 20,000,000 rows.
 *
 * usage: gen_match OUTDIR POPULATION TOTAL_ROWS [SEED]
 *
 * People are numbered; number i has a valid ID number derived from i
 * (a Chongqing county, a birth date, a sequence, the check character).
 * The population is 0..POPULATION-1; about 6% of a dataset's rows are
 * people of the population (a province of 30 million, 2 million watched),
 * the rest strangers. Rows total TOTAL_ROWS over ten kinds in fixed shares. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const counties[] = {"500101", "500102", "500103", "500104", "500105", "500106", "500107",
				       "500108", "500109", "500110", "500111", "500112", "500113", "500114",
				       "500115", "500116", "500117", "500118", "500119", "500120", "500151",
				       "500152", "500153", "500154", "500155", "500156", "500229", "500230",
				       "500231", "500233", "500235", "500236", "500237", "500238", "500240",
				       "500241", "500242", "500243"};
#define NCOUNTY (sizeof counties / sizeof counties[0])

static uint64_t rng = 88172645463325252ULL;
static inline uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
static inline uint64_t below(uint64_t n)
{
	return next() % n;
}

static const int W[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

static int county_of(uint64_t i)
{
	return (int)(i % NCOUNTY);
}

/* Birth dates 1940-01-01 + k days, k < 24000, as YYYYMMDD (filled once). */
static char births[24000][9];

static void fill_births(void)
{
	static const int ml[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = 1940, m = 1, d = 1;
	for (int k = 0; k < 24000; k++) {
		births[k][0] = (char)('0' + y / 1000);
		births[k][1] = (char)('0' + y / 100 % 10);
		births[k][2] = (char)('0' + y / 10 % 10);
		births[k][3] = (char)('0' + y % 10);
		births[k][4] = (char)('0' + m / 10);
		births[k][5] = (char)('0' + m % 10);
		births[k][6] = (char)('0' + d / 10);
		births[k][7] = (char)('0' + d % 10);
		int leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
		if (++d > ml[m - 1] + (m == 2 && leap)) {
			d = 1;
			if (++m == 13)
				m = 1, y++;
		}
	}
}

/* The ID number of person i: county, birth date, sequence, check character. */
static void idnum(uint64_t i, char out[19])
{
	memcpy(out, counties[county_of(i)], 6);
	uint64_t k = i / NCOUNTY;
	memcpy(out + 6, births[k % 24000], 8);
	int seq = (int)(k / 24000 % 1000);
	out[14] = (char)('0' + seq / 100);
	out[15] = (char)('0' + seq / 10 % 10);
	out[16] = (char)('0' + seq % 10);
	int s = 0;
	for (int j = 0; j < 17; j++)
		s += (out[j] - '0') * W[j];
	out[17] = "10X98765432"[s % 11];
	out[18] = 0;
}

static uint64_t population, total;

/* A person for a dataset row: per_mille of them from the population. */
static uint64_t someone_p(unsigned per_mille)
{
	if (below(1000) < per_mille)
		return below(population);
	return population + below(28000000);
}

/* About 6% from the population (a province of 30 million, 2 million watched). */
static uint64_t someone(void)
{
	return someone_p(60);
}

static bool watched(uint64_t p)
{
	return p < population;
}

static FILE *open_out(const char *dir, const char *name, const char *header)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.csv", dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	fputs(header, f);
	return f;
}

static void date(char out[11], int y0, int span_days)
{
	int k = (int)below((uint64_t)span_days);
	unsigned y = (unsigned)(y0 + k / 365) % 10000, doy = (unsigned)(k % 365);
	static const unsigned ml[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned m = 0;
	while (doy >= ml[m])
		doy -= ml[m++];
	snprintf(out, 11, "%04u-%02u-%02u", y, (m + 1) % 100, (doy + 1) % 100);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: gen_match OUTDIR POPULATION TOTAL_ROWS [SEED]\n");
		return 2;
	}
	const char *dir = argv[1];
	population = strtoull(argv[2], NULL, 10);
	total = strtoull(argv[3], NULL, 10);
	if (argc > 4)
		rng ^= strtoull(argv[4], NULL, 10) * 0x9E3779B97F4A7C15ULL;
	char id[19], dt[11];
	fill_births();
	static const char *const cats[] = {"dibao", "dibao", "dibao", "tekun", "marginal", "rural_monitoring",
					   "hardship", "other"};
	FILE *f = open_out(dir, "population", "身份证号码,姓名,区划代码,类别,纳入日期\n");
	for (uint64_t i = 0; i < population; i++) {
		idnum(i, id);
		fprintf(f, "%s,对象%llu,%s%03d%03d,%s,2024-01-01\n", id, (unsigned long long)i, counties[county_of(i)],
			(int)(i % 30) + 1, (int)(i % 17) + 1, cats[i % 8]);
	}
	fclose(f);
	/* shares of the rows, per mille */
	uint64_t n;
	n = total * 50 / 1000;
	f = open_out(dir, "deaths", "公民身份号码,姓名,死亡日期,登记单位\n");
	for (uint64_t r = 0; r < n; r++) {
		idnum(someone_p(30), id);
		date(dt, 2020, 2500);
		fprintf(f, "%s,某人,%s,派出所\n", id, dt);
	}
	fclose(f);
	n = total * 200 / 1000;
	f = open_out(dir, "social_insurance", "身份证号码,姓名,参保单位,月缴费工资,参保日期,停保日期,参保地区划代码\n");
	for (uint64_t r = 0; r < n; r++) {
		uint64_t p = someone();
		idnum(p, id);
		date(dt, 2010, 5000);
		char end[11] = "";
		if (below(50) == 0)
			date(end, 2024, 1000);
		/* the watched mostly earn under the line (2000.00) */
		int wage = watched(p) && below(100) >= 3 ? 1500 + (int)below(500) : 1500 + (int)below(4000);
		fprintf(f, "%s,某人,某公司%d,%d.00,%s,%s,%s%03d\n", id, (int)below(5000), wage, dt,
			end, counties[county_of(p)], 1 + (int)below(30));
	}
	fclose(f);
	n = total * 150 / 1000;
	f = open_out(dir, "vehicles", "车主身份证号码,车主姓名,号牌号码,车辆类型,车辆价值,登记日期\n");
	for (uint64_t r = 0; r < n; r++) {
		idnum(someone_p(5), id);
		date(dt, 2005, 7000);
		fprintf(f, "%s,某人,渝A%05d,%s,%d.00,%s\n", id, (int)below(100000),
			below(40) == 0 ? "残疾人专用车" : "小型轿车", 20000 + (int)below(200000), dt);
	}
	fclose(f);
	n = total * 100 / 1000;
	f = open_out(dir, "real_estate", "权利人证件号码,权利人,不动产权证号,建筑面积,登记日期\n");
	for (uint64_t r = 0; r < n; r++) {
		idnum(someone(), id);
		date(dt, 2000, 9500);
		fprintf(f, "%s,某人,渝(2024)不动产权第%07d号,%d,%s\n", id, (int)below(10000000), 40 + (int)below(120),
			dt);
	}
	fclose(f);
	n = total * 100 / 1000;
	f = open_out(dir, "business", "身份证号码,姓名,统一社会信用代码,企业名称,身份,认缴出资额,成立日期\n");
	for (uint64_t r = 0; r < n; r++) {
		idnum(someone_p(5), id);
		date(dt, 2005, 7000);
		fprintf(f, "%s,某人,91500000MA%08d,重庆某某有限公司,%s,%d.00,%s\n", id, (int)below(100000000),
			below(2) ? "股东" : "法定代表人", 10000 + (int)below(1000000), dt);
	}
	fclose(f);
	n = total * 200 / 1000;
	f = open_out(dir, "medical", "参保人身份证号码,姓名,结算日期,医疗总费用,个人自付费用,参保地区划代码\n");
	for (uint64_t r = 0; r < n; r++) {
		uint64_t p = someone();
		idnum(p, id);
		date(dt, 2025, 700);
		int own = below(200) == 0 ? 20000 + (int)below(40000) : (int)below(3000);
		fprintf(f, "%s,某人,%s,%d.00,%d.%02d,%s%03d\n", id, dt, own * 3 + 100, own, (int)below(100),
			counties[county_of(p)], 1 + (int)below(30));
	}
	fclose(f);
	n = total * 120 / 1000;
	f = open_out(dir, "school", "学生身份证号码,姓名,学校,学段,入学日期\n");
	for (uint64_t r = 0; r < n; r++) {
		idnum(someone(), id);
		date(dt, 2015, 4300);
		fprintf(f, "%s,某人,某学校%d,%s,%s\n", id, (int)below(3000), below(2) ? "小学" : "初中", dt);
	}
	fclose(f);
	n = total * 10 / 1000;
	f = open_out(dir, "rural_monitoring", "证件号码,姓名,监测对象类别,识别日期,所在地区划代码\n");
	for (uint64_t r = 0; r < n; r++) {
		uint64_t p = someone_p(970); /* most are in the low-income register already */
		idnum(p, id);
		date(dt, 2021, 1800);
		fprintf(f, "%s,某人,%s,%s,%s%03d%03d\n", id, below(2) ? "脱贫不稳定户" : "边缘易致贫户", dt,
			counties[county_of(p)], 1 + (int)below(30), 1 + (int)below(20));
	}
	fclose(f);
	n = total * 20 / 1000;
	f = open_out(dir, "staff_relatives", "近亲属身份证号码,近亲属姓名,干部职工姓名,关系,工作单位\n");
	for (uint64_t r = 0; r < n; r++) {
		idnum(someone_p(10), id);
		fprintf(f, "%s,某人,某干部,%s,某单位%d\n", id, below(2) ? "配偶" : "子女", (int)below(1000));
	}
	fclose(f);
	n = total * 50 / 1000;
	f = open_out(dir, "hukou_moves", "公民身份号码,姓名,迁入地区划代码,迁移日期\n");
	for (uint64_t r = 0; r < n; r++) {
		uint64_t p = someone();
		idnum(p, id);
		date(dt, 2022, 1400);
		/* most moves stay in the county */
		const char *to = below(watched(p) ? 50 : 5) == 0 ? counties[below(NCOUNTY)] : counties[county_of(p)];
		fprintf(f, "%s,某人,%s%03d,%s\n", id, to, 1 + (int)below(30), dt);
	}
	fclose(f);
	return 0;
}
