// match_duckdb.mjs - the joins of bench/match_rules.sql in DuckDB (npm
// @duckdb/node-api), over the same CSV files `doudi match` reads: the
// population and each dataset loaded with read_csv (all columns as text, as
// the files are), then the rule queries. Prints one JSON line: the seconds
// to load, to query and in all, and each rule's hits.
// usage: node bench/match_duckdb.mjs DATADIR KIND…
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [dir, ...kinds] = process.argv.slice(2);
const t0 = performance.now();
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const csv = (f) => `read_csv('${dir}/${f}.csv', header = true, all_varchar = true, delim = ',', quote = '"')`;
await con.run(
	`CREATE TABLE pop AS SELECT "身份证号码" AS id, "区划代码" AS region, "类别" AS category FROM ${csv('population')}`,
);
for (const k of kinds) await con.run(`CREATE TABLE ${k} AS SELECT * FROM ${csv(k)}`);
const t1 = performance.now();
const hits = {};
const sql = readFileSync(new URL('./match_rules.sql', import.meta.url), 'utf8')
	.replace(/--[^\n]*\n/g, '\n')
	.split(';')
	.map((s) => s.trim())
	.filter(Boolean);
for (const q of sql) {
	const r = await con.runAndReadAll(q);
	const [rule, n] = r.getRows()[0];
	hits[rule] = Number(n);
}
const t2 = performance.now();
console.log(JSON.stringify({ load_s: (t1 - t0) / 1000, query_s: (t2 - t1) / 1000, total_s: (t2 - t0) / 1000, hits }));
